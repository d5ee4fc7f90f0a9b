// The server's two uses of the run path shared with `pipewright run` (pipeline/):
// which workflows an event starts, and running one queued run. Nothing else in server/
// loads workflows or drives the engine.
#pragma once

#include <expected>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "pipewright/exec/events.h"
#include "pipewright/exec/scheduler.h"
#include "pipewright/expr/value.h"
#include "pipewright/os/cancel.h"
#include "pipewright/store/record.h"
#include "pipewright/util/error.h"

namespace pipewright::exec {
class ConcurrencyGroups;
class JobSlots;
}  // namespace pipewright::exec

namespace pipewright::server {

struct Core;

struct SelectionRequest {
  std::string checkout;  // the repository at the event's commit
  std::string repo;      // OWNER/NAME
  std::string event;     // push, pull_request, workflow_dispatch, schedule, ...
  expr::Value payload;   // github.event (given, never synthesized here)
  std::string ref, sha;
  std::string only_workflow;  // dispatch, schedule: this workflow file only ('' = all)
};

struct SelectedRun {
  std::string workflow_file;  // relative to the repository
  std::string workflow_name;
  expr::Value inputs;  // workflow_dispatch inputs (typed), or null
};

// The workflows the event starts, each with its inputs. Workflows with errors are
// refused with their file:line:column messages joined (a delivery whose workflows are
// invalid fails, as on GitHub, where the run fails at once).
util::Expected<std::vector<SelectedRun>> select_runs(const SelectionRequest& request);

struct ExecutionRequest {
  std::string checkout;
  std::string repo;
  std::string workflow_file;
  std::string event;
  expr::Value payload;
  std::string ref, sha;
  store::RunRecord run;
  expr::Value inputs;
  std::vector<std::pair<std::string, std::string>> secrets;
  std::vector<std::pair<std::string, std::string>> vars;
  std::string carry_json;  // re-runs: jobs carried over ({"job": {"result", "outputs"}})
  const os::CancelToken* cancel = nullptr;
  exec::ConcurrencyGroups* concurrency = nullptr;
  exec::EventSink* extra_sink = nullptr;  // live logs, metrics
};

// GitHub's checks of a workflow_dispatch request against the workflow at the checkout:
// 404 when the file is not there, 422 when it has no workflow_dispatch trigger or the
// inputs do not fit it (GitHub's texts). The inputs, typed, on success.
struct DispatchError {
  int status = 422;
  std::string message;
};
std::expected<expr::Value, DispatchError> check_dispatch(const std::string& checkout,
                                                         const std::string& workflow_file,
                                                         const expr::Value& inputs);

// Which jobs a re-run carries over from the attempt `prior` (their results and outputs
// feed `needs`): for `failed`, every job but the failed or cancelled ones and what needs
// them; for one job, every job but it and what needs it; none for all. As JSON for
// RunTrigger::carry_json.
enum class CarryMode { all, failed, job };
util::Expected<std::string> carry_for_rerun(const std::string& checkout,
                                            const std::string& workflow_file,
                                            const std::vector<store::JobRecord>& prior,
                                            CarryMode mode, const std::string& job_id);

// Runs one claimed run to its end, recording it in the history; finishes the run record.
util::Expected<exec::ScheduleOutcome> execute_run(Core& core, const ExecutionRequest& request);

}  // namespace pipewright::server
