#include "pipewright/exec/job_runner.h"

#include <algorithm>
#include <cmath>
#include <filesystem>

#include "pipewright/exec/env_files.h"
#include "pipewright/exec/step_runner.h"
#include "pipewright/exec/workspace.h"
#include "pipewright/expr/template.h"
#include "pipewright/os/hash_files.h"
#include "pipewright/os/subreaper.h"

namespace pipewright::exec {

using expr::Object;
using expr::Value;

void JobControl::request_cancel() {
  std::lock_guard lock(m_mutex);
  int level = m_level.load();
  if (level == 0) m_level = 1;
  if (m_current) m_current->request_cancel();
}

void JobControl::request_kill() {
  std::lock_guard lock(m_mutex);
  m_level = 2;
  if (m_current) m_current->request_kill();
}

util::Expected<std::shared_ptr<os::CancelToken>> JobControl::begin_step() {
  PW_TRY(token, os::CancelToken::create());
  auto shared = std::make_shared<os::CancelToken>(std::move(token));
  std::lock_guard lock(m_mutex);
  if (m_level.load() >= 2) shared->request_kill();
  m_current = shared;
  return shared;
}

namespace {

using Clock = std::chrono::steady_clock;

enum class JobStatus { success, failure, cancelled };

std::chrono::milliseconds since(Clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
}

// Evaluates a scalar that may hold `${{ }}`; its string form.
util::Expected<std::string> eval_text(const workflow::Text& text, const expr::EvalContext& ctx) {
  if (!text.present()) return std::string();
  if (!text.tmpl) return text.value;
  auto value = text.tmpl->evaluate(ctx);
  if (!value) return util::fail(value.error().message, text.location);
  return value->to_display_string();
}

util::Expected<bool> eval_bool(const workflow::Bool& flag, const expr::EvalContext& ctx) {
  if (!flag.present()) return false;
  if (flag.value) return *flag.value;
  auto value = flag.text.tmpl ? flag.text.tmpl->evaluate(ctx) : Value(flag.text.value);
  if (!value) return util::fail(value.error().message, flag.text.location);
  return value->truthy();
}

util::Expected<std::optional<double>> eval_number(const workflow::Number& number,
                                                  const expr::EvalContext& ctx) {
  if (!number.present()) return std::optional<double>();
  if (number.value) return std::optional<double>(*number.value);
  auto value = number.text.tmpl ? number.text.tmpl->evaluate(ctx) : Value(number.text.value);
  if (!value) return util::fail(value.error().message, number.text.location);
  return std::optional<double>(value->to_number());
}

util::Expected<bool> eval_condition(const workflow::Text& condition, const expr::EvalContext& ctx) {
  expr::ParseOptions options;
  options.allow_any_named_value = true;
  auto parsed = expr::parse_condition(condition.present() ? condition.value : "", options);
  if (!parsed) return util::fail(parsed.error().message, condition.location);
  auto value = expr::evaluate(*parsed, ctx);
  if (!value) return util::fail(value.error().message, condition.location);
  return value->truthy();
}

Value with_fields(const Value& base, std::initializer_list<std::pair<const char*, Value>> fields) {
  Object object = base.kind() == expr::Kind::object ? base.as_object() : Object();
  for (const auto& [key, value] : fields)
    object.set(key, value);
  return Value(std::move(object));
}

Value env_object(const EnvList& env) {
  Object object;
  for (const auto& [name, value] : env)
    object.set(name, Value(value));
  return Value(std::move(object));
}

// Evaluates an env map into `into` (later entries win) with `ctx`.
util::Expected<void> eval_env(const workflow::TextMap& map, const expr::EvalContext& ctx,
                              EnvList& into) {
  if (map.expression.present()) {
    auto value = map.expression.tmpl ? map.expression.tmpl->evaluate(ctx) : Value();
    if (!value) return util::fail(value.error().message, map.expression.location);
    if (value->kind() == expr::Kind::object)
      for (const auto& [k, v] : value->as_object())
        env_set(into, k, v.to_display_string());
    return {};
  }
  for (const auto& [key, text] : map.entries) {
    PW_TRY(value, eval_text(text, ctx));
    env_set(into, key.value, std::move(value));
  }
  return {};
}

// The step's display name: `name:`, else "Run <first line of run>".
std::string step_display_name(const workflow::Step& step, const expr::EvalContext& ctx) {
  if (step.name.present()) {
    auto name = eval_text(step.name, ctx);
    if (name) return *name;
  }
  if (step.kind == workflow::StepKind::uses) return "Run " + step.uses.value;
  std::string_view run = step.run.value;
  size_t nl = run.find('\n');
  return "Run " + std::string(run.substr(0, nl));
}

class JobExecution {
 public:
  JobExecution(const RunContext& run, const JobInstance& job, JobControl& control)
      : m_run(run), m_job(job), m_control(control), m_sink(*run.sink) {}

  JobRunResult execute() {
    m_sink.job_started(m_job.info);
    m_start = Clock::now();
    JobRunResult result;
    auto dirs = create_job_directories(m_run.jobs_dir, job_dir_name(), m_run.source_dir,
                                       m_run.workspace_files, m_run.bind);
    if (!dirs) {
      result.result = Result::failure;
      result.reason = dirs.error().message;
      return result;
    }
    m_dirs = *dirs;
    prepare_contexts();
    run_steps();
    result.outputs = evaluate_outputs();
    end_leftovers();

    result.result = m_status == JobStatus::success     ? Result::success
                    : m_status == JobStatus::cancelled ? Result::cancelled
                                                       : Result::failure;
    if (m_status == JobStatus::cancelled) result.reason = m_cancel_reason;
    if (m_timed_out) result.reason = "the job exceeded its timeout-minutes";
    bool keep = m_run.keep || (result.result == Result::failure && !m_run.bind);
    if (keep && !m_run.bind)
      result.kept_workspace = m_dirs.workspace;
    else
      remove_job_directories(m_dirs, m_run.bind);
    return result;
  }

 private:
  std::string job_dir_name() const {
    std::string name = m_job.info.job_id + "-" + std::to_string(m_job.info.instance);
    return name;
  }

  void prepare_contexts() {
    m_github = with_fields(
        m_run.github, {{"job", Value(m_job.info.job_id)}, {"workspace", Value(m_dirs.workspace)}});
    m_runner = with_fields(m_run.runner, {{"temp", Value(m_dirs.temp)}});
    m_base = m_run.base_env;
    env_set(m_base, "GITHUB_JOB", m_job.info.job_id);
    env_set(m_base, "GITHUB_WORKSPACE", m_dirs.workspace);
    env_set(m_base, "RUNNER_TEMP", m_dirs.temp);
    m_path = env_lookup(m_base, "PATH").value_or("/usr/local/bin:/usr/bin:/bin");

    expr::EvalContext ctx = base_context();
    m_env.clear();
    if (auto r = eval_env(m_run.workflow->env, ctx, m_env); !r) m_setup_error = r.error();
    ctx.set("env", env_object(m_env));
    if (auto r = eval_env(m_job.job->env, ctx, m_env); !r) m_setup_error = r.error();
  }

  expr::EvalContext base_context() const {
    expr::EvalContext ctx;
    ctx.set("github", m_github);
    ctx.set("runner", m_runner);
    ctx.set("vars", m_run.vars);
    ctx.set("secrets", m_run.secrets);
    ctx.set("inputs", m_run.inputs);
    ctx.set("matrix", m_job.matrix);
    ctx.set("strategy", m_job.strategy);
    ctx.set("needs", m_job.needs);
    ctx.set("job", Value(Object{}));
    std::string workspace = m_dirs.workspace;
    ctx.set_hash_files_hook([workspace](const std::vector<std::string>& patterns,
                                        bool follow) -> std::expected<std::string, std::string> {
      auto digest = os::hash_files(workspace, patterns, follow);
      if (!digest) return std::unexpected(digest.error().message);
      return *digest;
    });
    return ctx;
  }

  expr::EvalContext step_context() {
    expr::EvalContext ctx = base_context();
    EnvList env = m_env;
    for (const auto& [k, v] : m_file_env)
      env_set(env, k, v);
    ctx.set("env", env_object(env));
    ctx.set("steps", Value(m_steps));
    ctx.set("job", with_fields(Value(Object{}), {{"status", Value(status_name())}}));
    JobStatus status = m_status;
    bool cancelled = m_control.cancelled();
    ctx.set_status_hook(
        [status, cancelled](expr::StatusFunction fn,
                            const std::vector<std::string>&) -> std::expected<bool, std::string> {
          switch (fn) {
            case expr::StatusFunction::always:
              return true;
            case expr::StatusFunction::cancelled:
              return cancelled;
            case expr::StatusFunction::success:
              return !cancelled && status == JobStatus::success;
            case expr::StatusFunction::failure:
              return !cancelled && status == JobStatus::failure;
          }
          return false;
        });
    return ctx;
  }

  std::string status_name() const {
    return m_status == JobStatus::success   ? "success"
           : m_status == JobStatus::failure ? "failure"
                                            : "cancelled";
  }

  void run_steps() {
    const auto& steps = m_job.job->steps;
    if (m_setup_error) {
      m_sink.job_message(m_job.info, m_run.masker->mask(util::format_error(*m_setup_error)));
      m_status = JobStatus::failure;
      return;
    }
    for (size_t i = 0; i < steps.size(); ++i)
      run_step(static_cast<int>(i), steps[i]);
  }

  void record_step(const workflow::Step& step, Result outcome, Result conclusion,
                   const EnvList& outputs) {
    if (!step.id.present()) return;
    Object out;
    for (const auto& [k, v] : outputs)
      out.set(k, Value(v));
    Object entry;
    entry.set("outputs", Value(std::move(out)));
    entry.set("outcome", Value(std::string(result_name(outcome))));
    entry.set("conclusion", Value(std::string(result_name(conclusion))));
    m_steps.set(step.id.value, Value(std::move(entry)));
  }

  void run_step(int index, const workflow::Step& step) {
    // A job timeout cancels the rest of the job but its result stays failure.
    if (m_control.cancelled() && m_status != JobStatus::cancelled && !m_timed_out) {
      m_status = JobStatus::cancelled;
      if (m_cancel_reason.empty()) m_cancel_reason = "the run was cancelled";
    }
    expr::EvalContext ctx = step_context();
    std::string name = m_run.masker->mask(step_display_name(step, ctx));
    auto started = Clock::now();
    auto skip = [&](std::string reason) {
      record_step(step, Result::skipped, Result::skipped, {});
      m_sink.step_finished(m_job.info, index, name,
                           StepEnd{Result::skipped, Result::skipped, std::chrono::milliseconds(0),
                                   std::move(reason)});
    };
    auto run_if = eval_condition(step.if_condition, ctx);
    if (!run_if) {
      m_sink.step_started(m_job.info, index, name);
      m_sink.step_line(m_job.info, index, "##[error]" + util::format_error(run_if.error()));
      finish_step(index, step, name, started, Result::failure, false, {}, "invalid if");
      return;
    }
    if (!*run_if) {
      skip(step.if_condition.present()        ? "if: " + step.if_condition.value + " was false"
           : m_status == JobStatus::cancelled ? "the run was cancelled"
                                              : "a previous step failed");
      return;
    }
    if (step.kind != workflow::StepKind::run) {
      skip(step.kind == workflow::StepKind::uses
               ? "uses: steps are not supported yet (" + step.uses.value + ")"
               : "this step form is not supported");
      return;
    }
    m_sink.step_started(m_job.info, index, name);
    auto spec = prepare_script(step, ctx);
    auto continue_on_error = eval_bool(step.continue_on_error, ctx);
    if (!spec || !continue_on_error) {
      const util::Error& error = !spec ? spec.error() : continue_on_error.error();
      m_sink.step_line(m_job.info, index,
                       "##[error]" + m_run.masker->mask(util::format_error(error)));
      finish_step(index, step, name, started, Result::failure, false, {}, error.message);
      return;
    }
    auto token = m_control.begin_step();
    if (!token) {
      finish_step(index, step, name, started, Result::failure, *continue_on_error, {},
                  token.error().message);
      return;
    }
    StepEnvironment environment{m_dirs.temp, m_run.masker, &m_scope, token->get(), m_run.grace, {}};
    StepOutputHandlers handlers;
    handlers.line = [&](std::string_view line) { m_sink.step_line(m_job.info, index, line); };
    handlers.lines = [&](std::string_view lines) { m_sink.step_lines(m_job.info, index, lines); };
    handlers.group = [&](std::string_view title) { m_sink.step_group(m_job.info, index, title); };
    handlers.annotation = [&](const Annotation& a) { m_sink.annotation(m_job.info, index, a); };
    handlers.flush = [&] { m_sink.flush(); };
    handlers.show_debug =
        m_run.verbose || env_lookup(spec->env, "ACTIONS_STEP_DEBUG").value_or("") == "true";
    ScriptResult result = run_script_step(*spec, environment, handlers);
    apply_files(result);
    if (!result.summary.empty()) m_sink.step_summary(m_job.info, index, result.summary);
    if (result.timed_out && m_job_deadline_hit) m_timed_out = true;
    finish_step(index, step, name, started, result.outcome, *continue_on_error, result.outputs,
                result.detail);
  }

  void finish_step(int index, const workflow::Step& step, const std::string& name,
                   Clock::time_point started, Result outcome, bool continue_on_error,
                   const EnvList& outputs, std::string detail) {
    Result conclusion = outcome;
    if (outcome == Result::failure && continue_on_error) conclusion = Result::success;
    if (conclusion == Result::failure && m_status == JobStatus::success)
      m_status = JobStatus::failure;
    if (outcome == Result::cancelled) {
      m_status = JobStatus::cancelled;
      if (m_cancel_reason.empty()) m_cancel_reason = "the run was cancelled";
    }
    if (m_timed_out) {
      m_status = JobStatus::failure;
      m_control.request_cancel();
    }
    record_step(step, outcome, conclusion, outputs);
    m_sink.step_finished(m_job.info, index, name,
                         StepEnd{outcome, conclusion, since(started), m_run.masker->mask(detail)});
  }

  util::Expected<ScriptStep> prepare_script(const workflow::Step& step, expr::EvalContext& ctx) {
    ScriptStep spec;
    // Environment: host + defaults < workflow < job < GITHUB_ENV < step; GitHub's own
    // variables cannot be overridden.
    EnvList env = m_env;
    for (const auto& [k, v] : m_file_env)
      env_set(env, k, v);
    ctx.set("env", env_object(env));
    PW_TRY_VOID(eval_env(step.env, ctx, env));
    spec.env = m_base;
    for (auto& [k, v] : env)
      env_set(spec.env, k, v);
    for (const auto& [k, v] : m_base)
      if (k.starts_with("GITHUB_") || k.starts_with("RUNNER_") || k == "CI")
        env_set(spec.env, k, v);
    env_set(spec.env, "PATH", compose_path(m_prepend_path, m_path));

    PW_TRY(script, eval_text(step.run, ctx));
    spec.script = std::move(script);
    // shell: step > job defaults > workflow defaults.
    const workflow::Text* shell = &step.shell;
    if (!shell->present()) shell = &m_job.job->defaults.shell;
    if (!shell->present()) shell = &m_run.workflow->defaults.shell;
    PW_TRY(shell_text, eval_text(*shell, ctx));
    spec.shell = std::move(shell_text);
    const workflow::Text* wd = &step.working_directory;
    if (!wd->present()) wd = &m_job.job->defaults.working_directory;
    if (!wd->present()) wd = &m_run.workflow->defaults.working_directory;
    PW_TRY(wd_text, eval_text(*wd, ctx));
    spec.working_directory = (std::filesystem::path(m_dirs.workspace) / wd_text).string();
    spec.workspace = m_dirs.workspace;

    PW_TRY(minutes, eval_number(step.timeout_minutes, ctx));
    auto remaining = m_job.timeout - since(m_start);
    if (remaining < std::chrono::milliseconds(1)) remaining = std::chrono::milliseconds(1);
    spec.timeout = remaining;
    m_job_deadline_hit = true;
    if (minutes && std::isfinite(*minutes) && *minutes > 0) {
      auto step_timeout = std::chrono::milliseconds(static_cast<int64_t>(*minutes * 60000));
      if (step_timeout < remaining) {
        spec.timeout = step_timeout;
        m_job_deadline_hit = false;
      }
    }
    return spec;
  }

  void apply_files(const ScriptResult& result) {
    for (const auto& [k, v] : result.env)
      env_set(m_file_env, k, v);
    add_to_prepend_path(m_prepend_path, result.path_lines);
  }

  Object evaluate_outputs() {
    Object outputs;
    expr::EvalContext ctx = step_context();
    for (const auto& [key, text] : m_job.job->outputs.entries) {
      auto value = eval_text(text, ctx);
      if (!value) {
        m_sink.job_message(
            m_job.info, "output '" + key.value + "': " + m_run.masker->mask(value.error().message));
        continue;
      }
      if (m_run.masker->mask(*value) != *value) {
        m_sink.job_message(m_job.info,
                           "warning: Skip output '" + key.value + "' since it may contain secret.");
        continue;
      }
      outputs.set(key.value, Value(*value));
    }
    return outputs;
  }

  void end_leftovers() {
    auto report = os::kill_leftover_descendants(m_scope);
    if (report && !report->found.empty())
      m_sink.job_message(m_job.info, "ended " + std::to_string(report->found.size()) +
                                         " process(es) the steps left behind");
    (void)os::reap_orphans();
  }

  const RunContext& m_run;
  const JobInstance& m_job;
  JobControl& m_control;
  EventSink& m_sink;
  os::ProcessScope m_scope;
  JobDirectories m_dirs;
  Clock::time_point m_start;
  Value m_github, m_runner;
  EnvList m_base;      // host + GitHub defaults
  EnvList m_env;       // workflow + job env
  EnvList m_file_env;  // from GITHUB_ENV
  std::vector<std::string> m_prepend_path;
  std::string m_path;
  Object m_steps;
  JobStatus m_status = JobStatus::success;
  std::string m_cancel_reason;
  std::optional<util::Error> m_setup_error;
  bool m_job_deadline_hit = false;
  bool m_timed_out = false;
};

class HostExecutor : public Executor {
 public:
  JobRunResult run_job(const RunContext& run, const JobInstance& job,
                       JobControl& control) override {
    JobExecution execution(run, job, control);
    return execution.execute();
  }
};

}  // namespace

std::unique_ptr<Executor> make_host_executor() {
  return std::make_unique<HostExecutor>();
}

}  // namespace pipewright::exec
