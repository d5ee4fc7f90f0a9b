#include "pipewright/exec/workspace.h"

#include <cerrno>
#include <charconv>
#include <cstring>
#include <filesystem>

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pipewright/os/runtime_dir.h"

namespace pipewright::exec {

namespace fs = std::filesystem;

std::string scratch_root() {
  auto runtime = os::ensure_runtime_dir();
  return runtime ? *runtime + "/steps/" + std::to_string(::getpid()) : "";
}

void clean_stale_scratch() {
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(os::runtime_dir() + "/steps", ec)) {
    std::string name = entry.path().filename().string();
    pid_t pid = 0;
    auto [end, err] = std::from_chars(name.data(), name.data() + name.size(), pid);
    if (err != std::errc() || end != name.data() + name.size() || pid <= 0) continue;
    if (::kill(pid, 0) == 0 || errno != ESRCH) continue;  // alive (or not ours to judge)
    std::error_code ignored;
    fs::remove_all(entry.path(), ignored);
  }
}

namespace {

// The first component of `path` that starts with a dot ('' when none).
std::string hidden_component(const std::string& path) {
  for (const fs::path& part : fs::path(path))
    if (std::string name = part.string(); name.starts_with(".")) return name;
  return "";
}

}  // namespace

util::Expected<std::string> resolve_work_root(const std::string& configured,
                                              const std::string& data_dir) {
  std::error_code ec;
  if (!configured.empty()) {
    std::string root = fs::absolute(configured, ec).lexically_normal().string();
    while (root.size() > 1 && root.back() == '/')
      root.pop_back();
    if (std::string hidden = hidden_component(root); !hidden.empty())
      return util::fail("work directory " + root + " lies below the hidden directory '" + hidden +
                        "'; tools that skip dot-segments would miss the workspace: pick a "
                        "path without one (--work-dir or PIPEWRIGHT_WORK_DIR)");
    return root;
  }
  std::string beside_data = data_dir + "/work";
  if (hidden_component(beside_data).empty()) return beside_data;
  // ~/.local/share/pipewright has one: a per-user directory in /var/tmp (on disk, unlike
  // /tmp often, and workspaces can be large), checked to be ours since anyone may create
  // names there.
  std::string base = "/var/tmp/pipewright-" + std::to_string(::getuid());
  if (::mkdir(base.c_str(), 0700) != 0 && errno != EEXIST)
    return util::fail("cannot create " + base + ": " + std::strerror(errno) +
                      " (set --work-dir or PIPEWRIGHT_WORK_DIR)");
  struct stat st {};
  if (::lstat(base.c_str(), &st) != 0 || !S_ISDIR(st.st_mode) || st.st_uid != ::getuid() ||
      (st.st_mode & 022) != 0)
    return util::fail(base +
                      " is not a private directory of this user; set --work-dir or "
                      "PIPEWRIGHT_WORK_DIR to where job workspaces should go");
  return base + "/work";
}

util::Expected<std::string> create_run_directory(const std::string& work_root, int64_t run_id) {
  std::error_code ec;
  fs::create_directories(work_root, ec);
  if (ec) return util::fail("cannot create the work directory " + work_root + ": " + ec.message());
  for (int attempt = 1; attempt <= 1000; ++attempt) {
    std::string dir = work_root + "/" + std::to_string(run_id);
    if (attempt > 1) dir += "-" + std::to_string(attempt);
    if (::mkdir(dir.c_str(), 0755) == 0) return dir;
    if (errno != EEXIST) return util::fail("cannot create " + dir + ": " + std::strerror(errno));
  }
  return util::fail("no free run directory under " + work_root);
}

std::string workspace_repo_name(const std::string& repository) {
  std::string name = fs::path(repository).filename().string();
  if (name.empty()) name = "repository";
  if (name.starts_with(".")) name[0] = '_';
  return name;
}

util::Expected<JobDirectories> create_job_directories(
    const std::string& parent, const std::string& scratch_parent, const std::string& name,
    const std::string& repo, const std::string& source, const std::vector<std::string>& files,
    bool bind) {
  JobDirectories dirs;
  dirs.root = parent + "/" + name;
  dirs.temp = bind ? dirs.root : dirs.root + "/_temp";  // one directory less to create
  const std::string dir = workspace_repo_name(repo);    // never empty nor hidden
  dirs.workspace = bind ? source : dirs.root + "/" + dir + "/" + dir;
  std::error_code ec;
  fs::remove_all(dirs.root, ec);
  fs::create_directories(dirs.temp, ec);
  if (ec) return util::fail("cannot create " + dirs.temp + ": " + ec.message());
  dirs.scratch = dirs.temp;
  if (!scratch_parent.empty()) {
    std::string scratch = scratch_parent + "/" + name;
    fs::remove_all(scratch, ec);
    // Private: the scripts hold the evaluated `run:` text, secrets included.
    fs::create_directories(fs::path(scratch).parent_path(), ec);
    if (!ec && ::mkdir(scratch.c_str(), 0700) == 0) dirs.scratch = scratch;
  }
  if (bind) return dirs;
  fs::create_directories(dirs.workspace, ec);
  if (ec) return util::fail("cannot create " + dirs.workspace + ": " + ec.message());
  for (const std::string& file : files) {
    fs::path from = fs::path(source) / file;
    fs::path to = fs::path(dirs.workspace) / file;
    fs::create_directories(to.parent_path(), ec);
    auto status = fs::symlink_status(from, ec);
    if (ec) continue;  // listed but gone (deleted meanwhile)
    if (fs::is_symlink(status))
      fs::copy_symlink(from, to, ec);
    else if (fs::is_regular_file(status))
      fs::copy_file(from, to, fs::copy_options::overwrite_existing, ec);
    if (ec) return util::fail("cannot copy " + from.string() + ": " + ec.message());
  }
  return dirs;
}

DirectoryJanitor::DirectoryJanitor() : m_thread([this] { work(); }) {}

DirectoryJanitor::~DirectoryJanitor() {
  {
    std::lock_guard lock(m_mutex);
    m_stopping = true;
  }
  m_cv.notify_all();
  m_thread.join();
}

void DirectoryJanitor::remove(std::vector<std::string> paths) {
  {
    std::lock_guard lock(m_mutex);
    for (std::string& path : paths)
      m_queue.push_back(std::move(path));
  }
  m_cv.notify_all();
}

void DirectoryJanitor::work() {
  std::unique_lock lock(m_mutex);
  for (;;) {
    m_cv.wait(lock, [this] { return m_stopping || !m_queue.empty(); });
    if (m_queue.empty()) return;  // stopping, and everything is gone
    std::string path = std::move(m_queue.front());
    m_queue.pop_front();
    lock.unlock();
    std::error_code ec;
    fs::remove_all(path, ec);
    lock.lock();
  }
}

namespace {

void remove_paths(std::vector<std::string> paths, DirectoryJanitor* janitor) {
  std::erase(paths, std::string());
  if (janitor) return janitor->remove(std::move(paths));
  std::error_code ec;
  for (const std::string& path : paths)
    fs::remove_all(path, ec);
}

std::string scratch_of(const JobDirectories& dirs) {
  return dirs.scratch != dirs.temp ? dirs.scratch : "";
}

}  // namespace

void remove_job_directories(const JobDirectories& dirs, DirectoryJanitor* janitor) {
  remove_paths({scratch_of(dirs), dirs.root}, janitor);
}

void remove_job_scratch(const JobDirectories& dirs, DirectoryJanitor* janitor) {
  remove_paths({scratch_of(dirs)}, janitor);
}

}  // namespace pipewright::exec
