// What GitHub's runner images give every job, beyond the GITHUB_*/RUNNER_* variables
// (actions/runner-images: configure-apt.sh, configure-dpkg.sh, configure-environment.sh):
// - apt that assumes yes and never asks (DEBIAN_FRONTEND=noninteractive, dpkg keeps
//   changed conffiles), and waits for the dpkg lock instead of failing with "Could not
//   get lock" when parallel jobs install packages. The host's /etc is left alone: the
//   job's APT_CONFIG names a file of the run that apt reads before /etc/apt's own;
// - passwordless `sudo`: when the engine is root and the host has no sudo, a shim that
//   runs the command directly (a real sudo is used as it is);
// - ImageOS for the ubuntu-* labels (setup actions pick their builds by it).
// Built once per run (a few small files), so a job or a step pays nothing for it.
// Jobs run on the host and can change it: this is convenience, not a sandbox.
#pragma once

#include <string>
#include <vector>

#include "pipewright/exec/step_runner.h"
#include "pipewright/util/error.h"

namespace pipewright::exec {

struct RunnerImageOptions {
  bool root = false;            // the engine runs as uid 0
  std::string host_path;        // the steps' PATH, searched for sudo
  std::string host_apt_config;  // APT_CONFIG of the host ('' when unset)
  int dpkg_lock_timeout_seconds = 600;
};

struct RunnerImage {
  std::string bin_dir;  // put first on the jobs' PATH ('' when there is nothing in it)
  EnvList env;          // APT_CONFIG, DEBIAN_FRONTEND
};

// Writes the run's apt configuration and, when needed, the sudo shim under `dir`.
// Fails naming the file that could not be written.
util::Expected<RunnerImage> prepare_runner_image(const std::string& dir,
                                                 const RunnerImageOptions& options);

// The apt configuration jobs get (including the host's APT_CONFIG file when set).
std::string apt_config_text(const RunnerImageOptions& options);

// The ImageOS a GitHub-hosted runner with these `runs-on` labels has ("ubuntu-22.04" →
// "ubuntu22", "ubuntu-latest" → "ubuntu24"); '' for other labels (self-hosted runners
// have none).
std::string image_os(const std::vector<std::string>& labels);

}  // namespace pipewright::exec
