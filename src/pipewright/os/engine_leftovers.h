// Ending what crashed engines left running.
//
// A job's leftovers are ended at job end (subreaper.h), but an engine killed with
// SIGKILL (or by the OOM killer, or a power cut of its terminal) never gets there:
// its steps' shells, their background children and daemons that setsid() or
// double-forked are reparented to init and would run forever. So every tracking id
// (RUNNER_TRACKING_ID, which every step's descendant inherits) names the engine that
// made it: its pid, its start time (a reused pid is not taken for it) and its pid
// namespace (a pid means nothing in another one). At start an engine scans /proc for
// processes whose tracking id names an engine that is no longer running, and ends
// them, with their descendants and the rest of their process groups.
//
// Where the host allows job cgroups (job_cgroup.h), whatever is in a dead engine's
// cgroups is ended too, and the cgroups removed.
//
// What is never touched: processes without a Pipewright tracking id (a process with
// the same command line that we did not start), those of a live engine (concurrent
// runs), those whose id names another pid namespace (an engine in a container, which
// we cannot judge), and other users' processes (unreadable, and not ours to kill).
// Known limits: a leftover runs until the next engine start; without job cgroups, one
// that cleared its environment AND left its step's process group AND was orphaned is
// not found.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <sys/types.h>

#include "pipewright/util/error.h"

namespace pipewright::os {

// An engine, as a tracking id names it.
struct EngineIdentity {
  pid_t pid = 0;
  unsigned long long start_time = 0;     // clock ticks after boot (/proc/<pid>/stat)
  unsigned long long pid_namespace = 0;  // inode of /proc/<pid>/ns/pid
  friend bool operator==(const EngineIdentity&, const EngineIdentity&) = default;
};

// This process (computed again after a fork).
EngineIdentity this_engine();

// "<pid>_<start time>_<pid namespace>": how tracking ids and cgroup paths name an
// engine; parse_engine_key() reads it back (nullopt for anything else).
std::string engine_key(const EngineIdentity& engine);
std::optional<EngineIdentity> parse_engine_key(std::string_view key);

// "pipewright_<engine key>_<unique>": a tracking id naming
// this engine, `unique` telling its scopes apart.
std::string make_tracking_id(std::string_view unique);

// The engine a tracking id names; nullopt for any other id (GitHub's runner's, an
// older Pipewright's, garbage).
std::optional<EngineIdentity> tracking_id_engine(std::string_view id);

// Whether `engine` is still running: its pid exists, is not a zombie and started at
// the same time. An engine of another pid namespace counts as running (unknowable).
bool engine_running(const EngineIdentity& engine);

// One process end_dead_engine_leftovers() ended.
struct EndedLeftover {
  pid_t pid = 0;
  pid_t engine_pid = 0;  // the dead engine whose step started it
  std::string name;      // its program's name (not its arguments: they may hold secrets)
};

struct DeadEngineReport {
  std::vector<EndedLeftover> ended;
  size_t needed_kill = 0;  // how many ignored SIGTERM and got SIGKILL
};

struct DeadEngineOptions {
  // How long the leftovers get between SIGTERM and SIGKILL.
  std::chrono::milliseconds grace{1000};
  // Whether an engine is still running. A seam for tests: a real engine's leftovers
  // can be ended by any other engine's start, so tests make up engines of their own.
  std::function<bool(const EngineIdentity&)> running = engine_running;
};

// Ends, as described at the top of this file, every process that engines no longer
// running left behind: SIGTERM (and SIGCONT), up to `grace`, then SIGKILL. Reads
// /proc once when there is nothing to end. Fails only when /proc cannot be listed.
util::Expected<DeadEngineReport> end_dead_engine_leftovers(const DeadEngineOptions& options = {});

}  // namespace pipewright::os
