// Composite actions (gha-spec.md §13): the inner steps of `runs.steps` run one after
// the other as lines of the outer step. Each level has its own `inputs` and `steps`
// contexts and its own status (github.action_status, what success()/failure() test);
// env is isolated (an inner step's `env:` stays inside) but GITHUB_ENV / GITHUB_PATH
// writes reach the job; outputs are the action's `outputs.*.value` evaluated at the end.
#include <filesystem>

#include "pipewright/exec/actions/action_run_eval.h"
#include "pipewright/exec/actions/action_runner.h"

namespace pipewright::exec::actions {

namespace {

namespace fs = std::filesystem;
using expr::Object;
using expr::Value;
using SteadyClock = std::chrono::steady_clock;

std::string inner_display_name(const workflow::Step& step, const expr::EvalContext& ctx) {
  if (step.name.present())
    if (auto name = eval_step_text(step.name, ctx)) return *name;
  if (step.kind == workflow::StepKind::uses) return "Run " + step.uses.value;
  std::string_view run = step.run.value;
  return "Run " + std::string(run.substr(0, run.find('\n')));
}

}  // namespace

struct ActionRunner::Frame {
  const ResolvedAction& action;
  const UsesStep& outer;
  std::string state_key;
  const ActionOutput& out;
  Value github;                     // the job's github plus action_path, action_repository, ...
  Object inputs;                    // the `inputs` context
  Object steps;                     // the `steps` context of this level
  EnvList env;                      // the composite's env layer (the calling step's env)
  Result status = Result::success;  // github.action_status
  bool cancelled = false;
  std::string first_failure{};
  bool timed_out = false;
  std::map<std::string, int> ids{};
  std::optional<SteadyClock::time_point> deadline{};

  // The context of an inner step (or of the outputs): `env` from `step_env`.
  expr::EvalContext context(const ActionHost& host, const EnvList& step_env) const {
    expr::EvalContext ctx = host.base_context();
    Object object = github.kind() == expr::Kind::object ? github.as_object() : Object();
    object.set("action_status", Value(std::string(result_name(status))));
    ctx.set("github", Value(std::move(object)));
    ctx.set("inputs", Value(inputs));
    ctx.set("steps", Value(steps));
    ctx.set("secrets", Value());  // not available in composite actions
    EnvList env = host.context_env();
    for (const auto& [k, v] : step_env)
      env_set(env, k, v);
    ctx.set("env", env_value(env));
    Result level_status = status;
    const ActionHost* job = &host;
    ctx.set_status_hook(
        [level_status, job](expr::StatusFunction fn,
                            const std::vector<std::string>&) -> std::expected<bool, std::string> {
          bool cancelled = job->cancelled();
          switch (fn) {
            case expr::StatusFunction::always:
              return true;
            case expr::StatusFunction::cancelled:
              return cancelled;
            case expr::StatusFunction::success:
              return !cancelled && level_status == Result::success;
            case expr::StatusFunction::failure:
              return level_status == Result::failure;
          }
          return false;
        });
    return ctx;
  }

  // What is left of the calling step's timeout (nullopt: none).
  std::optional<std::chrono::milliseconds> remaining() const {
    if (!deadline) return std::nullopt;
    auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(*deadline - SteadyClock::now());
    return std::max(left, std::chrono::milliseconds(1));
  }
};

ActionStepResult ActionRunner::run_composite(const ResolvedAction& action, const UsesStep& step,
                                             const std::string& state_key, const EnvList& inputs,
                                             const expr::EvalContext& outer,
                                             const ActionOutput& out, int depth) {
  if (depth >= k_max_composite_depth) {
    std::string message = "Composite actions may be nested at most " +
                          std::to_string(k_max_composite_depth) + " levels deep; '" +
                          action.ref.text + "' would be level " + std::to_string(depth + 1);
    out.handlers.line("##[error]" + m_job.masker->mask(message));
    return ActionStepResult{Result::failure, message, {}, false};
  }
  Frame frame{action, step, state_key, out, Value(), {}, {}, step.env};
  Object github;
  if (const Value* base = outer.find("github"); base && base->kind() == expr::Kind::object)
    github = base->as_object();
  github.set("action_path", Value(action.dir));
  github.set("action", Value(step.action_id));
  github.set("action_repository", Value(action.ref.remote() ? action.ref.slug() : ""));
  github.set("action_ref", Value(action.ref.remote() ? action.ref.ref : ""));
  frame.github = Value(std::move(github));
  for (const auto& [name, value] : inputs)
    frame.inputs.set(name, Value(value));
  if (step.timeout) frame.deadline = SteadyClock::now() + *step.timeout;

  for (const workflow::Step& inner : action.action->runs.steps) {
    ActionStepResult result = run_inner_step(frame, inner, depth);
    if (result.timed_out) frame.timed_out = true;
  }

  ActionStepResult result;
  expr::EvalContext ctx = frame.context(m_host, frame.env);
  for (const workflow::ActionOutput& output : action.action->outputs) {
    auto value = eval_step_text(output.value, ctx);
    if (!value) {
      out.handlers.line("##[error]" + m_job.masker->mask(util::format_error(value.error())));
      frame.status = Result::failure;
      if (frame.first_failure.empty()) frame.first_failure = value.error().message;
      continue;
    }
    result.outputs.emplace_back(output.id.value, std::move(*value));
  }
  result.timed_out = frame.timed_out;
  result.outcome = frame.cancelled ? Result::cancelled : frame.status;
  result.detail = frame.first_failure;
  return result;
}

ActionStepResult ActionRunner::run_inner_step(Frame& frame, const workflow::Step& inner,
                                              int depth) {
  const ActionOutput& out = frame.out;
  auto report_error = [&](const util::Error& error) {
    out.handlers.line("##[error]" + m_job.masker->mask(util::format_error(error)));
  };
  std::string id = inner.id.present() ? inner.id.value : generated_action_id(inner, frame.ids);
  auto record = [&](Result outcome, Result conclusion, const EnvList& outputs) {
    if (conclusion == Result::failure && frame.status == Result::success)
      frame.status = Result::failure;
    if (outcome == Result::cancelled) frame.cancelled = true;
    if (!inner.id.present()) return;
    Object values;
    for (const auto& [k, v] : outputs)
      values.set(k, Value(v));
    Object entry;
    entry.set("outputs", Value(std::move(values)));
    entry.set("outcome", Value(std::string(result_name(outcome))));
    entry.set("conclusion", Value(std::string(result_name(conclusion))));
    frame.steps.set(inner.id.value, Value(std::move(entry)));
  };
  auto failed = [&](const util::Error& error) {
    report_error(error);
    if (frame.first_failure.empty()) frame.first_failure = error.message;
    record(Result::failure, Result::failure, {});
    return ActionStepResult{Result::failure, error.message, {}, false};
  };

  expr::EvalContext ctx = frame.context(m_host, frame.env);
  std::string name = m_job.masker->mask(inner_display_name(inner, ctx));
  auto run_if = eval_step_condition(inner.if_condition, ctx);
  if (!run_if) return failed(run_if.error());
  if (!*run_if) {
    record(Result::skipped, Result::skipped, {});
    return ActionStepResult{Result::skipped, "", {}, false};
  }
  out.handlers.group(name);

  EnvList step_env = frame.env;
  if (auto r = eval_step_map(inner.env, ctx, step_env); !r) return failed(r.error());
  ctx = frame.context(m_host, step_env);
  auto continue_on_error = eval_step_bool(inner.continue_on_error, ctx);
  if (!continue_on_error) return failed(continue_on_error.error());
  auto minutes = eval_step_number(inner.timeout_minutes, ctx);
  if (!minutes) return failed(minutes.error());
  // The calling step's deadline, unless the inner step's own timeout is shorter (only
  // the former counts as the calling step timing out).
  std::optional<std::chrono::milliseconds> timeout = frame.remaining();
  bool own_timeout = false;
  if (*minutes && **minutes > 0) {
    auto own = std::chrono::milliseconds(static_cast<int64_t>(**minutes * 60000));
    if (!timeout || own < *timeout) {
      timeout = own;
      own_timeout = true;
    }
  }

  ActionStepResult result;
  if (inner.kind == workflow::StepKind::run) {
    ScriptStep process;
    auto script = eval_step_text(inner.run, ctx);
    if (!script) return failed(script.error());
    auto shell = eval_step_text(inner.shell, ctx);
    if (!shell) return failed(shell.error());
    if (shell->empty())
      return failed(util::Error{"Required property is missing: shell", inner.location, {}});
    auto wd = eval_step_text(inner.working_directory, ctx);
    if (!wd) return failed(wd.error());
    process.script = std::move(*script);
    process.shell = std::move(*shell);
    process.working_directory = (fs::path(m_job.workspace) / *wd).string();
    process.workspace = m_job.workspace;
    process.env = m_host.process_env(step_env);
    env_set(process.env, "GITHUB_ACTION_PATH", frame.action.dir);
    process.timeout = timeout;
    ScriptResult ran = m_host.run_process(process, out.handlers);
    m_host.apply_files(ran.env, ran.path_lines);
    if (!ran.summary.empty() && out.summary) out.summary(ran.summary);
    result = ActionStepResult{ran.outcome, ran.detail, ran.outputs, ran.timed_out};
  } else if (inner.kind == workflow::StepKind::uses) {
    auto resolved = resolve(inner.uses);
    if (!resolved) return failed(resolved.error());
    UsesStep nested{&inner, name, id, step_env, timeout};
    result = run_at_depth(**resolved, nested, frame.state_key + "/" + id, ctx, out, depth + 1);
    if (result.outcome == Result::skipped) {
      out.handlers.line("##[warning]" + m_job.masker->mask(result.detail));
      record(Result::skipped, Result::skipped, {});
      return result;
    }
  } else {
    return failed(
        util::Error{"this step form is not supported in composite actions", inner.location, {}});
  }
  if (own_timeout) result.timed_out = false;
  Result conclusion = result.outcome;
  if (result.outcome == Result::failure && *continue_on_error) conclusion = Result::success;
  if (conclusion == Result::failure && frame.first_failure.empty())
    frame.first_failure =
        inner.kind == workflow::StepKind::uses ? result.detail : name + ": " + result.detail;
  record(result.outcome, conclusion, result.outputs);
  return result;
}

}  // namespace pipewright::exec::actions
