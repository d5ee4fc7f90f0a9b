// Per-job workspaces: a copy of the working tree (the files plan::Repository lists:
// tracked plus untracked non-ignored) in a fresh directory with a RUNNER_TEMP beside it.
#pragma once

#include <string>
#include <vector>

#include "pipewright/util/error.h"

namespace pipewright::exec {

struct JobDirectories {
  std::string root;       // removed at the end unless kept ('' with --bind and no temp)
  std::string workspace;  // GITHUB_WORKSPACE
  std::string temp;       // RUNNER_TEMP
};

// Creates `<parent>/<name>/{workspace,temp}` and copies `files` (paths relative to
// `source`) into workspace, keeping symlinks as symlinks and file modes. With `bind`
// the workspace is `source` itself and only temp is created. Fails naming the path.
util::Expected<JobDirectories> create_job_directories(const std::string& parent,
                                                      const std::string& name,
                                                      const std::string& source,
                                                      const std::vector<std::string>& files,
                                                      bool bind);

// Removes the job's directories (temp only with bind). Errors are ignored.
void remove_job_directories(const JobDirectories& dirs, bool bind);

}  // namespace pipewright::exec
