// What every run on this host shares: the data directory (history, caches, artifacts),
// the work root of job workspaces, the `uses:` settings and the job slots that bound
// how many jobs run at once over all runs. `pipewright run` prepares it per command,
// the server once at start.
#pragma once

#include <cstddef>
#include <map>
#include <memory>
#include <string>

#include "pipewright/exec/actions/action_settings.h"
#include "pipewright/exec/job_slots.h"
#include "pipewright/os/engine_leftovers.h"
#include "pipewright/util/error.h"

namespace pipewright::pipeline {

struct HostOptions {
  std::string data_dir;  // "" = store::default_data_dir() (XDG)
  std::string work_dir;  // "" = $PIPEWRIGHT_WORK_DIR, else exec's default work root
  // From the flags (--actions-url, --offline, ...); the cache and artifact stores are
  // set to <data dir>/cache and <data dir>/artifacts.
  exec::actions::ActionSettings actions;
  size_t parallel = 0;                           // jobs at once over every run; 0 = cores
  std::map<std::string, std::string> platforms;  // -P LABEL=host|skip
};

struct HostSettings {
  std::string data_dir;   // prepared (exists, layout known)
  std::string work_root;  // resolved; per-run directories are made under it
  exec::actions::ActionSettings actions;
  size_t parallel = 1;
  std::shared_ptr<exec::JobSlots> slots;  // `parallel` slots, shared by every run
  std::map<std::string, std::string> platforms;
};

// Resolves and prepares the directories, then tidies what earlier runs left: artifacts
// past their retention-days and scratch dirs of dead processes. Fails, saying what to
// set, when there is no usable data directory or work root.
util::Expected<HostSettings> prepare_host(const HostOptions& options);

// Process control for a process that runs jobs (`run`, the server at start): it adopts
// its orphaned descendants (child subreaper; leftovers are found at job end) and ends
// what engines that died mid-step left running. Returns what it ended, for the caller
// to show; fails only when /proc cannot be listed.
util::Expected<os::DeadEngineReport> take_over_processes();

}  // namespace pipewright::pipeline
