#include "pipewright/pipeline/host.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <thread>

#include "pipewright/exec/actions/artifact_store.h"
#include "pipewright/exec/workspace.h"
#include "pipewright/os/subreaper.h"
#include "pipewright/store/data_dir.h"

namespace pipewright::pipeline {

namespace {

util::Expected<std::string> data_dir(const std::string& given) {
  if (!given.empty()) {
    PW_TRY_VOID(store::prepare_data_dir(given));
    return given;
  }
  auto dir = store::default_data_dir();
  if (!dir || !store::prepare_data_dir(*dir))
    return util::fail("no usable data directory (set XDG_DATA_HOME)");
  return *dir;
}

}  // namespace

util::Expected<HostSettings> prepare_host(const HostOptions& options) {
  HostSettings host;
  PW_TRY(dir, data_dir(options.data_dir));
  host.data_dir = std::move(dir);
  const char* work_env = std::getenv("PIPEWRIGHT_WORK_DIR");
  std::string work_dir = !options.work_dir.empty() ? options.work_dir : work_env ? work_env : "";
  PW_TRY(work_root, exec::resolve_work_root(work_dir, host.data_dir));
  host.work_root = std::move(work_root);
  host.actions = options.actions;
  host.actions.cache_store_dir = host.data_dir + "/cache";
  host.actions.artifact_dir = host.data_dir + "/artifacts";
  host.parallel =
      options.parallel > 0 ? options.parallel : std::max(1u, std::thread::hardware_concurrency());
  host.slots = std::make_shared<exec::JobSlots>(host.parallel);
  host.platforms = options.platforms;

  // Artifacts past their retention-days go before a run adds new ones (GitHub expires
  // them; here nothing else would).
  if (std::error_code ec; std::filesystem::is_directory(host.actions.artifact_dir, ec)) {
    exec::actions::ArtifactStoreOptions store;
    store.dir = host.actions.artifact_dir;
    exec::actions::ArtifactStore(store).prune_expired();
  }
  exec::clean_stale_scratch();
  return host;
}

util::Expected<os::DeadEngineReport> take_over_processes() {
  (void)os::become_child_subreaper();  // without it, leftovers are found by process group
  // What crashed engines left running goes first (it never touches a live engine's).
  return os::end_dead_engine_leftovers();
}

}  // namespace pipewright::pipeline
