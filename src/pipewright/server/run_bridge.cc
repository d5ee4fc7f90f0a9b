#include "pipewright/server/run_bridge.h"

#include <algorithm>

#include "pipewright/exec/concurrency.h"
#include "pipewright/exec/masker.h"
#include "pipewright/exec/rerun.h"
#include "pipewright/expr/json.h"
#include "pipewright/pipeline/execute.h"
#include "pipewright/pipeline/host.h"
#include "pipewright/pipeline/workflows.h"
#include "pipewright/plan/event.h"
#include "pipewright/plan/repository.h"
#include "pipewright/server/core.h"
#include "pipewright/workflow/loader.h"

namespace pipewright::server {

namespace {

// The event as the run sees it: the payload as sent, with the ref and commit the server
// resolved (a dispatch or schedule payload names neither).
util::Expected<plan::Event> event_for(const std::string& name, const expr::Value& payload,
                                      const std::string& ref, const std::string& sha,
                                      const plan::Repository& repository) {
  PW_TRY(event, plan::event_from_payload(name, payload, repository));
  if (!ref.empty()) event.ref = ref;
  if (!sha.empty()) event.sha = sha;
  return event;
}

}  // namespace

util::Expected<std::vector<SelectedRun>> select_runs(const SelectionRequest& request) {
  PW_TRY(repository, plan::Repository::open(request.checkout));
  repository.name_as(request.repo);
  PW_TRY(event, event_for(request.event, request.payload, request.ref, request.sha, repository));
  std::string selector =
      request.only_workflow.empty() ? "" : request.checkout + "/" + request.only_workflow;
  PW_TRY(workflows, pipeline::load_workflows(request.checkout, selector));
  if (workflows.invalid) return util::fail("invalid workflow files:\n" + workflows.rendered_errors);
  PW_TRY_VOID(pipeline::select_workflows(workflows, event));
  std::vector<SelectedRun> out;
  for (const pipeline::LoadedWorkflow& w : workflows.list) {
    if (!w.trigger.matched) continue;
    PW_TRY(inputs, pipeline::run_inputs(w, event));
    out.push_back(SelectedRun{w.relative, pipeline::workflow_name(w), inputs});
  }
  return out;
}

std::expected<expr::Value, DispatchError> check_dispatch(const std::string& checkout,
                                                         const std::string& workflow_file,
                                                         const expr::Value& inputs) {
  auto workflows = pipeline::load_workflows(checkout, checkout + "/" + workflow_file);
  if (!workflows || workflows->list.empty())
    return std::unexpected(DispatchError{404, "Not Found"});
  if (workflows->invalid)
    return std::unexpected(
        DispatchError{422, "Invalid workflow file: " + workflows->rendered_errors});
  const pipeline::LoadedWorkflow& w = workflows->list.front();
  if (!w.workflow.find_event("workflow_dispatch"))
    return std::unexpected(
        DispatchError{422, "Workflow does not have 'workflow_dispatch' trigger"});
  plan::Event event;
  event.name = "workflow_dispatch";
  expr::Object payload;
  payload.set("inputs", inputs);
  event.payload = expr::Value(std::move(payload));
  auto typed = pipeline::run_inputs(w, event);
  if (!typed) return std::unexpected(DispatchError{422, typed.error().message});
  return *typed;
}

util::Expected<std::string> carry_for_rerun(const std::string& checkout,
                                            const std::string& workflow_file,
                                            const std::vector<store::JobRecord>& prior,
                                            CarryMode mode, const std::string& job_id) {
  if (mode == CarryMode::all) return std::string();
  PW_TRY(workflows, pipeline::load_workflows(checkout, checkout + "/" + workflow_file));
  if (workflows.list.empty()) return util::fail("the run's workflow " + workflow_file + " is gone");
  // A job's result over its matrix legs: failed if any leg failed, else cancelled if
  // any was, else its first result.
  exec::PriorResults results;
  for (const store::JobRecord& job : prior) {
    if (!job.result) continue;
    exec::Result result = static_cast<exec::Result>(*job.result);
    auto [it, added] = results.try_emplace(job.job_id);
    if (added || result == exec::Result::failure ||
        (result == exec::Result::cancelled && it->second.result != exec::Result::failure))
      it->second.result = result;
    if (!job.outputs_json.empty())
      if (auto outputs = expr::parse_json(job.outputs_json);
          outputs && outputs->kind() == expr::Kind::object)
        for (const auto& [key, value] : outputs->as_object())
          it->second.outputs.set(key, value);
  }
  PW_TRY(carried,
         exec::jobs_to_carry_over(
             workflows.list.front().workflow, results,
             mode == CarryMode::failed ? exec::RerunMode::failed : exec::RerunMode::one, job_id));
  expr::Object out;
  for (const auto& [job, prior_job] : carried) {
    expr::Object entry;
    entry.set("result", expr::Value(exec::result_name(prior_job.result)));
    entry.set("outputs", expr::Value(prior_job.outputs));
    out.set(job, expr::Value(std::move(entry)));
  }
  return expr::to_json(expr::Value(std::move(out)), expr::JsonStyle::compact);
}

util::Expected<exec::ScheduleOutcome> execute_run(Core& core, const ExecutionRequest& request) {
  PW_TRY(repository, plan::Repository::open(request.checkout));
  repository.name_as(request.repo);
  PW_TRY(event, event_for(request.event, request.payload, request.ref, request.sha, repository));
  PW_TRY(workflows, pipeline::load_workflows(request.checkout,
                                             request.checkout + "/" + request.workflow_file));
  if (workflows.invalid || workflows.list.empty())
    return util::fail("invalid workflow file " + request.workflow_file + ":\n" +
                      workflows.rendered_errors);
  pipeline::LoadedWorkflow& w = workflows.list.front();
  PW_TRY_VOID(pipeline::select_workflows(workflows, event));

  exec::Masker masker;
  expr::Object secrets;
  for (const auto& [name, value] : request.secrets)
    secrets.set(name, expr::Value(value));
  for (const std::string& warning : pipeline::add_secrets(masker, secrets))
    core.log("run.warning", {{"run", std::to_string(request.run.id)}, {"warning", warning}});
  expr::Object vars;
  for (const auto& [name, value] : request.vars)
    vars.set(name, expr::Value(value));

  pipeline::RunRequest run;
  run.workflow = &w;
  run.event = &event;
  run.repository = &repository;
  run.id = request.run.id;
  run.run_number = request.run.run_number;
  run.run_attempt = request.run.run_attempt;
  run.inputs = request.inputs;
  run.secrets = expr::Value(std::move(secrets));
  run.vars = expr::Value(std::move(vars));
  run.cancel = request.cancel;
  run.masker = &masker;
  run.concurrency = request.concurrency;
  if (!request.carry_json.empty()) {
    auto carry = expr::parse_json(request.carry_json);
    if (carry && carry->kind() == expr::Kind::object)
      for (const auto& [job, entry] : carry->as_object()) {
        exec::PriorJob prior;
        const expr::Value* result = entry.member("result");
        std::string name =
            result && result->kind() == expr::Kind::string ? result->as_string() : "";
        prior.result = name == "failure"     ? exec::Result::failure
                       : name == "cancelled" ? exec::Result::cancelled
                       : name == "skipped"   ? exec::Result::skipped
                                             : exec::Result::success;
        if (const expr::Value* outputs = entry.member("outputs");
            outputs && outputs->kind() == expr::Kind::object)
          prior.outputs = outputs->as_object();
        run.carried_over[job] = std::move(prior);
      }
  }
  exec::EventSink none;
  pipeline::RunOutcome outcome = pipeline::execute_run(
      run, core.host, *core.history, request.extra_sink ? *request.extra_sink : none);
  if (!outcome.error.empty()) return util::fail(outcome.error);
  return outcome.schedule;
}

}  // namespace pipewright::server
