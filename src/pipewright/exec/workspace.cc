#include "pipewright/exec/workspace.h"

#include <filesystem>

namespace pipewright::exec {

namespace fs = std::filesystem;

util::Expected<JobDirectories> create_job_directories(const std::string& parent,
                                                      const std::string& name,
                                                      const std::string& source,
                                                      const std::vector<std::string>& files,
                                                      bool bind) {
  JobDirectories dirs;
  dirs.root = parent + "/" + name;
  dirs.temp = dirs.root + "/temp";
  dirs.workspace = bind ? source : dirs.root + "/workspace";
  std::error_code ec;
  fs::remove_all(dirs.root, ec);
  fs::create_directories(dirs.temp, ec);
  if (ec) return util::fail("cannot create " + dirs.temp + ": " + ec.message());
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

void remove_job_directories(const JobDirectories& dirs, bool bind) {
  std::error_code ec;
  if (bind)
    fs::remove_all(dirs.root, ec);
  else if (!dirs.root.empty())
    fs::remove_all(dirs.root, ec);
}

}  // namespace pipewright::exec
