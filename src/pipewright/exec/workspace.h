// Per-job workspaces: a copy of the working tree (the files plan::Repository lists:
// tracked plus untracked non-ignored) in a fresh directory with a RUNNER_TEMP beside it,
// and a scratch dir in memory for the steps' scripts and file-command files.
//
// The layout follows GitHub's runner (`_work/<repo>/<repo>`, `_work/_temp`) under a work
// root with no hidden directory in its path: tools that skip dot-segments (static file
// servers, some watchers and globbers) misbehave when the workspace lies below one.
//   <work root>/<run id>/<job>-<n>/<repo>/<repo>   GITHUB_WORKSPACE
//   <work root>/<run id>/<job>-<n>/_temp           RUNNER_TEMP
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "pipewright/util/error.h"

namespace pipewright::exec {

struct JobDirectories {
  std::string root;       // removed at the end unless kept ('' with --bind and no temp)
  std::string workspace;  // GITHUB_WORKSPACE
  std::string temp;       // RUNNER_TEMP
  // Scripts and file-command files: a dir under scratch_root() (a tmpfs), or `temp`
  // when that cannot be created. Always removed at the end.
  std::string scratch;
};

// Where this process's runs keep their jobs' scratch dirs: os::runtime_dir()/steps/<pid>
// ('' when the runtime dir is unusable: then the scratch dirs are RUNNER_TEMP).
// Each step creates six small files; on disk that is the main cost of a trivial step.
std::string scratch_root();

// Removes the scratch dirs of processes that are gone (a crashed run's). Errors are ignored.
void clean_stale_scratch();

// The work root: `configured` (--work-dir / PIPEWRIGHT_WORK_DIR) made absolute, else
// `<data_dir>/work` when that path has no hidden directory, else
// /var/tmp/pipewright-<uid>/work (private to this user). Fails when the path has a
// component starting with a dot, or the shared default is not this user's own.
util::Expected<std::string> resolve_work_root(const std::string& configured,
                                              const std::string& data_dir);

// Creates a fresh directory for run `run_id` under `work_root`: `<run_id>`, or
// `<run_id>-2`, ... when another data dir's run took that name. Returns its path.
util::Expected<std::string> create_run_directory(const std::string& work_root, int64_t run_id);

// The directory name the runner gives a repository `owner/name` (or a path): its last
// segment, a leading dot replaced so that no path component is hidden.
std::string workspace_repo_name(const std::string& repository);

// Creates `<parent>/<name>/{<repo>/<repo>,_temp}` and `<scratch_parent>/<name>`, and
// copies `files` (paths relative to `source`) into the workspace, keeping symlinks as
// symlinks and file modes. With `bind` the workspace is `source` itself and temp is
// `<parent>/<name>`. Fails naming the path.
util::Expected<JobDirectories> create_job_directories(
    const std::string& parent, const std::string& scratch_parent, const std::string& name,
    const std::string& repo, const std::string& source, const std::vector<std::string>& files,
    bool bind);

// Removes directories on a thread of its own, so that a job's end (and with it the
// start of the jobs that need it) does not wait for the filesystem: deleting is slow on
// some (ext4 without a journal marks each freed inode for the next creates to skip).
// The destructor waits until everything queued is gone.
class DirectoryJanitor {
 public:
  DirectoryJanitor();
  ~DirectoryJanitor();
  DirectoryJanitor(const DirectoryJanitor&) = delete;
  DirectoryJanitor& operator=(const DirectoryJanitor&) = delete;

  // Queues `paths` for removal (whole trees; errors are ignored).
  void remove(std::vector<std::string> paths);

 private:
  void work();

  std::mutex m_mutex;
  std::condition_variable m_cv;
  std::deque<std::string> m_queue;
  bool m_stopping = false;
  std::thread m_thread;
};

// Removes the job's directories (temp only with bind), through `janitor` when given.
// Errors are ignored.
void remove_job_directories(const JobDirectories& dirs, DirectoryJanitor* janitor = nullptr);
// Removes the job's scratch dir only (a kept workspace keeps its RUNNER_TEMP).
void remove_job_scratch(const JobDirectories& dirs, DirectoryJanitor* janitor = nullptr);

}  // namespace pipewright::exec
