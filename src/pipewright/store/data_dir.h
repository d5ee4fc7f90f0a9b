// The data directory (history.db, logs/) and the identity of the process that owns
// a run, for telling a run in progress from one whose process died.
#pragma once

#include <cstdint>
#include <string>

#include "pipewright/util/error.h"

namespace pipewright::store {

// The on-disk layout version this build writes into `<data dir>/layout-version`.
constexpr int k_layout_version = 1;

// $XDG_DATA_HOME/pipewright when XDG_DATA_HOME is an absolute path, else
// ~/.local/share/pipewright. Fails when neither XDG_DATA_HOME nor a home is known.
util::Expected<std::string> default_data_dir();

// Creates `dir` (and parents) and its layout-version file when missing. Fails when the
// directory cannot be created or holds a layout this build does not know.
util::Expected<void> prepare_data_dir(const std::string& dir);

// Where a run's files live under the data dir: its step logs (logs/<run>/<job>/...) and
// its artifacts (exec/actions/artifact_store.h: artifacts/<run>/<id>/).
std::string run_logs_dir(const std::string& data_dir, int64_t run);
std::string run_artifacts_dir(const std::string& data_dir, int64_t run);

// A process as recorded with a run: pid, boot and start time (clock ticks after boot),
// so that a reused pid is not mistaken for the owner.
struct ProcessIdentity {
  int64_t pid = 0;
  std::string boot_id;
  int64_t start_ticks = 0;
};

// This process.
ProcessIdentity current_process();
// Whether the recorded process is still running (same boot, pid alive and not a
// zombie, same start time when it can be read).
bool process_alive(const ProcessIdentity& process);

}  // namespace pipewright::store
