#include "pipewright/exec/workspace.h"

#include <cerrno>
#include <charconv>
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

util::Expected<JobDirectories> create_job_directories(
    const std::string& parent, const std::string& scratch_parent, const std::string& name,
    const std::string& source, const std::vector<std::string>& files, bool bind) {
  JobDirectories dirs;
  dirs.root = parent + "/" + name;
  dirs.temp = bind ? dirs.root : dirs.root + "/temp";  // one directory less to create
  dirs.workspace = bind ? source : dirs.root + "/workspace";
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
