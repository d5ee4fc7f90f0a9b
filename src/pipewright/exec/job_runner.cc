#include "pipewright/exec/job_runner.h"

#include <algorithm>
#include <cmath>
#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "pipewright/exec/actions/action_run_eval.h"
#include "pipewright/exec/actions/action_runner.h"
#include "pipewright/exec/env_files.h"
#include "pipewright/exec/job_services.h"
#include "pipewright/exec/runner_image.h"
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
  {
    // The last step's token serves again while nothing touched it (two eventfds less).
    std::lock_guard lock(m_mutex);
    if (m_current && m_current->level() == os::CancelLevel::none && m_level.load() == 0)
      return m_current;
  }
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

Value with_fields(const Value& base, std::initializer_list<std::pair<const char*, Value>> fields) {
  Object object = base.kind() == expr::Kind::object ? base.as_object() : Object();
  for (const auto& [key, value] : fields)
    object.set(key, value);
  return Value(std::move(object));
}

// The step's display name: `name:`, else "Run <first line of run>".
std::string step_display_name(const workflow::Step& step, const expr::EvalContext& ctx) {
  if (step.name.present()) {
    auto name = actions::eval_step_text(step.name, ctx);
    if (name) return *name;
  }
  if (step.kind == workflow::StepKind::uses) return "Run " + step.uses.value;
  std::string_view run = step.run.value;
  size_t nl = run.find('\n');
  return "Run " + std::string(run.substr(0, nl));
}

class JobExecution : public actions::ActionHost {
 public:
  JobExecution(const RunContext& run, const JobInstance& job, JobControl& control)
      : m_run(run), m_job(job), m_control(control), m_sink(*run.sink) {}

  JobRunResult execute() {
    m_sink.job_started(m_job.info);
    m_start = Clock::now();
    JobRunResult result;
    auto dirs =
        create_job_directories(m_run.jobs_dir, m_run.scratch_dir, job_dir_name(), m_run.repo_dir,
                               m_run.source_dir, m_run.workspace_files, m_run.bind);
    if (!dirs) {
      result.result = Result::failure;
      result.reason = dirs.error().message;
      return result;
    }
    m_dirs = *dirs;
    prepare_contexts();
    // Services start before the first step and stop after the leftovers are ended,
    // whatever the job's end; an image no provider serves skips the job.
    ServicesStart services = start_services();
    if (services.result == Result::skipped) {
      m_services.stop({});
      m_step_reuse.forget_files();
      remove_job_directories(m_dirs, m_run.janitor);
      result.result = Result::skipped;
      result.reason = services.reason;
      return result;
    }
    if (services.result == Result::failure) m_status = JobStatus::failure;
    if (services.result == Result::cancelled) {
      m_status = JobStatus::cancelled;
      m_cancel_reason = services.reason;
    }
    if (services.result == Result::success) run_steps();
    m_sink.release();
    result.outputs = evaluate_outputs();
    end_leftovers();
    m_services.stop([&](std::string_view line) { m_sink.job_message(m_job.info, line); });

    result.result = m_status == JobStatus::success     ? Result::success
                    : m_status == JobStatus::cancelled ? Result::cancelled
                                                       : Result::failure;
    if (m_status == JobStatus::cancelled) result.reason = m_cancel_reason;
    if (m_status == JobStatus::failure) result.reason = m_failed_step;
    if (services.result == Result::failure) result.reason = services.reason;
    if (!m_failure_reason.empty()) result.reason = m_failure_reason;
    if (m_timed_out) result.reason = "the job exceeded its timeout-minutes";
    if (!m_outputs_error.empty()) result.reason = m_outputs_error;
    bool keep = m_run.keep || (result.result == Result::failure && !m_run.bind);
    m_step_reuse.forget_files();  // their directory goes now
    if (keep && !m_run.bind) {
      result.kept_workspace = m_dirs.workspace;
      remove_job_scratch(m_dirs, m_run.janitor);
    } else {
      remove_job_directories(m_dirs, m_run.janitor);
    }
    return result;
  }

 private:
  // Starts the job's services (exec/job_services.h) with the contexts `services`
  // may use, reporting one console line per service.
  ServicesStart start_services() {
    clean_stale_services_once();
    if (m_job.job->services.empty() || m_setup_error) return {};
    if (m_control.cancelled()) return {Result::cancelled, "the run was cancelled"};
    auto token = m_control.begin_step();
    if (!token) return {Result::failure, token.error().message};
    expr::EvalContext ctx = base_context();
    ctx.set("env", actions::env_value(m_env));
    ServicesStartOptions options;
    options.job_key = job_dir_name();
    options.source_dir = m_run.source_dir;
    options.cancel = token->get();
    options.message = [this](std::string_view line) {
      m_sink.job_message(m_job.info, m_run.masker->mask(line));
    };
    // timeout-minutes covers the service start too: a timer cancels it.
    auto remaining = std::max(m_job.timeout - since(m_start), std::chrono::milliseconds(1));
    std::shared_ptr<os::CancelToken> cancel = *token;
    std::mutex mutex;
    std::condition_variable cv;
    bool done = false, expired = false;
    std::thread timer([&] {
      std::unique_lock lock(mutex);
      if (cv.wait_for(lock, remaining, [&] { return done; })) return;
      expired = true;
      cancel->request_cancel();
    });
    ServicesStart started = m_services.start(*m_job.job, ctx, options);
    {
      std::lock_guard lock(mutex);
      done = true;
    }
    cv.notify_all();
    timer.join();
    if (expired && started.result == Result::cancelled) {
      note_job_timeout();
      started = {Result::failure,
                 "the job exceeded its timeout-minutes while its services started"};
    }
    started.reason = m_run.masker->mask(started.reason);
    return started;
  }

  // `job` as GitHub has it before `status`: container.{id,network} when the job has
  // a network, services.<id>.{id,network,ports} once its services run.
  Value job_value() const {
    Object job;
    Value container = m_services.container_value();
    if (!container.is_null()) job.set("container", container);
    Value services = m_services.services_value();
    if (!services.as_object().empty()) job.set("services", services);
    return Value(std::move(job));
  }

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
    env_set(m_base, "RUNNER_WORKSPACE",
            std::filesystem::path(m_dirs.workspace).parent_path().string());
    if (std::string os = image_os(m_job.runs_on); !os.empty()) env_set(m_base, "ImageOS", os);
    m_path = env_lookup(m_base, "PATH").value_or("/usr/local/bin:/usr/bin:/bin");

    expr::EvalContext ctx = base_context();
    m_env = m_run.cli_env;  // act users read --env values as ${{ env.X }} too
    if (auto r = actions::eval_step_map(m_run.workflow->env, ctx, m_env); !r)
      m_setup_error = r.error();
    ctx.set("env", actions::env_value(m_env));
    if (auto r = actions::eval_step_map(m_job.job->env, ctx, m_env); !r) m_setup_error = r.error();
    m_job_env.stale = true;
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
    ctx.set("job", job_value());
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
    ctx.set("env", job_environment().context_value);
    ctx.set("steps", Value(m_steps));
    ctx.set("job", with_fields(job_value(), {{"status", Value(status_name())}}));
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

  // Pre parts of remote JavaScript actions, the steps, then the post parts queued by
  // the steps in reverse order. Step indices follow that order.
  void run_steps() {
    const auto& steps = m_job.job->steps;
    if (m_setup_error) {
      m_sink.job_message(m_job.info, m_run.masker->mask(util::format_error(*m_setup_error)));
      m_status = JobStatus::failure;
      return;
    }
    m_actions = std::make_unique<actions::ActionRunner>(
        *this, actions::ActionJob{m_dirs.workspace, m_dirs.temp, m_run.source_dir, &m_run.actions,
                                  m_run.masker, m_run.verbose});
    // GitHub's "Prepare all required actions": a remote action that cannot be had
    // fails the job before its first step.
    if (auto prepared = m_actions->prepare(steps); !prepared) {
      m_failure_reason = m_run.masker->mask(util::format_error(prepared.error()));
      m_status = JobStatus::failure;
      return;
    }
    std::map<std::string, int> taken;
    for (const workflow::Step& step : steps)
      m_action_ids.push_back(step.id.present() ? step.id.value
                                               : actions::generated_action_id(step, taken));
    for (size_t i = 0; i < steps.size(); ++i) {
      if (steps[i].kind != workflow::StepKind::uses) continue;
      expr::EvalContext ctx = step_context();
      auto uses = uses_step(steps[i], i, ctx);
      if (!uses) continue;  // the step itself reports it
      if (auto pre = m_actions->pre_phase(*uses, ctx)) run_phase(m_next_index++, *pre);
    }
    for (size_t i = 0; i < steps.size(); ++i)
      run_step(m_next_index++, i, steps[i]);
    for (const actions::ActionPhase& post : m_actions->take_posts())
      run_phase(m_next_index++, post);
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

  void run_step(int index, size_t position, const workflow::Step& step) {
    // Held events wait at most for a run: step's evaluation (see DeferredSink).
    if (step.kind != workflow::StepKind::run) m_sink.release();
    // A job timeout cancels the rest of the job but its result stays failure; a job
    // whose time ran out between two steps has timed out too.
    if (!m_timed_out && Clock::now() >= m_start + m_job.timeout) note_job_timeout();
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
    auto run_if = actions::eval_step_condition(step.if_condition, ctx);
    if (!run_if) {
      m_sink.step_started(m_job.info, index, name);
      m_sink.step_line(m_job.info, index, "##[error]" + util::format_error(run_if.error()));
      finish_step(index, &step, name, started, Result::failure, false, {}, "invalid if");
      return;
    }
    if (!*run_if) {
      // Without a status function the condition was `success() && (if)`: when success()
      // was false, that is the reason, whatever the if: says.
      bool implicit_false =
          m_status != JobStatus::success &&
          !(step.if_condition.present() && actions::calls_status_function(step.if_condition));
      skip(!implicit_false                    ? "if: " + step.if_condition.value + " was false"
           : m_status == JobStatus::cancelled ? "the run was cancelled"
                                              : "a previous step failed");
      return;
    }
    if (step.kind == workflow::StepKind::uses) {
      auto resolved = m_actions->resolve(step.uses);
      if (resolved && (*resolved)->kind == actions::ActionKind::docker)
        return skip(actions::docker_skip_reason(**resolved));
      m_sink.step_started(m_job.info, index, name);
      run_uses_step(index, position, step, name, started, resolved, ctx);
      return;
    }
    if (step.kind != workflow::StepKind::run) {
      skip("this step form is not supported");
      return;
    }
    m_sink.step_started(m_job.info, index, name);
    if (const Value* github = ctx.find("github"))
      ctx.set("github", with_fields(*github, {{"action", Value(m_action_ids[position])}}));
    // As on the runner, a step whose `env` cannot be evaluated fails before it starts
    // (continue-on-error does not apply); its other expressions fail the step itself.
    EnvList step_env;
    if (auto evaluated = actions::eval_step_map(step.env, ctx, step_env); !evaluated) {
      fail_before_start(index, step, name, started, evaluated.error(), nullptr);
      return;
    }
    auto spec = prepare_script(step, ctx, step_env);
    if (!spec) {
      fail_before_start(index, step, name, started, spec.error(), &ctx);
      return;
    }
    env_set(spec->env, "GITHUB_ACTION", m_action_ids[position]);
    auto token = m_control.begin_step();
    if (!token) {
      fail_before_start(index, step, name, started, token.error(), &ctx);
      return;
    }
    StepEnvironment environment = step_environment(token->get());
    environment.next_script = next_literal_script(position);
    StepOutputHandlers handlers = step_handlers(index, spec->env);
    ScriptResult result = run_script_step(*spec, environment, handlers);
    m_sink.defer();
    apply_files(result);
    if (!result.summary.empty()) m_sink.step_summary(m_job.info, index, result.summary);
    if (result.timed_out && m_job_deadline_hit) note_job_timeout();
    finish_step(index, &step, name, started, result.outcome,
                result.outcome == Result::failure && continues_on_error(index, step, ctx),
                result.outputs, result.detail);
  }

  // A step that failed before its process started, for `error`: with continue-on-error
  // evaluated in `ctx`, or without it when `ctx` is null (its `env` failed).
  void fail_before_start(int index, const workflow::Step& step, const std::string& name,
                         Clock::time_point started, const util::Error& error,
                         const expr::EvalContext* ctx) {
    m_sink.step_line(m_job.info, index,
                     "##[error]" + m_run.masker->mask(util::format_error(error)));
    bool go_on = ctx && continues_on_error(index, step, *ctx);
    finish_step(index, &step, name, started, Result::failure, go_on, {}, util::format_error(error));
  }

  // Whether a failed step lets the job go on (continue-on-error). Evaluated, as the
  // runner does, only once the step has failed: an expression that fails counts as
  // false, after the runner's error lines.
  bool continues_on_error(int index, const workflow::Step& step, const expr::EvalContext& ctx) {
    auto value = actions::eval_step_bool(step.continue_on_error, ctx);
    if (value) return *value;
    m_sink.step_line(m_job.info, index,
                     "##[error]The step failed and an error occurred when attempting to determine "
                     "whether to continue on error.");
    m_sink.step_line(m_job.info, index,
                     "##[error]" + m_run.masker->mask(util::format_error(value.error())));
    return false;
  }

  // The `run:` text of the step after `position` when it has no expressions: its
  // script can then be written while this step runs.
  const std::string* next_literal_script(size_t position) const {
    const auto& steps = m_job.job->steps;
    if (position + 1 >= steps.size()) return nullptr;
    const workflow::Step& next = steps[position + 1];
    if (next.kind != workflow::StepKind::run || next.run.tmpl) return nullptr;
    return &next.run.value;
  }

  // What every process step of the job runs with (the argv prefix enters the job's
  // network namespace when it has services).
  StepEnvironment step_environment(const os::CancelToken* token) {
    StepEnvironment environment{m_dirs.scratch, m_run.masker, &m_scope,
                                token,          m_run.grace,  m_services.argv_prefix()};
    environment.reuse = &m_step_reuse;
    environment.outputs = m_run.outputs.get();
    environment.spawned = [this] { m_sink.release(); };
    return environment;
  }

  // Output of step `index` to the sink; ::debug:: shown with -v or ACTIONS_STEP_DEBUG.
  StepOutputHandlers step_handlers(int index, const EnvList& env) {
    StepOutputHandlers handlers;
    handlers.line = [this, index](std::string_view line) {
      m_sink.step_line(m_job.info, index, line);
    };
    handlers.lines = [this, index](std::string_view lines) {
      m_sink.step_lines(m_job.info, index, lines);
    };
    handlers.group = [this, index](std::string_view title) {
      m_sink.step_group(m_job.info, index, title);
    };
    handlers.annotation = [this, index](const Annotation& a) {
      m_sink.annotation(m_job.info, index, a);
    };
    handlers.flush = [this] { m_sink.flush(); };
    handlers.show_debug =
        m_run.verbose || env_lookup(env, "ACTIONS_STEP_DEBUG").value_or("") == "true";
    return handlers;
  }

  actions::ActionOutput action_output(int index, const EnvList& env) {
    actions::ActionOutput out;
    out.handlers = step_handlers(index, env);
    out.summary = [this, index](std::string_view markdown) {
      m_sink.step_summary(m_job.info, index, markdown);
    };
    return out;
  }

  // The UsesStep of `step` (its env evaluated in `ctx`, whose env it extends).
  util::Expected<actions::UsesStep> uses_step(const workflow::Step& step, size_t position,
                                              expr::EvalContext& ctx) {
    actions::UsesStep uses;
    uses.step = &step;
    uses.display_name = m_run.masker->mask(step_display_name(step, ctx));
    uses.action_id = m_action_ids[position];
    EnvList env = context_env();
    ctx.set("env", actions::env_value(env));
    PW_TRY_VOID(actions::eval_step_map(step.env, ctx, uses.env));
    for (const auto& [k, v] : uses.env)
      env_set(env, k, v);
    ctx.set("env", actions::env_value(env));
    if (const Value* github = ctx.find("github"))
      ctx.set("github", with_fields(*github, {{"action", Value(uses.action_id)}}));
    return uses;
  }

  // A `uses:` step, started: the action resolved (or why not), run by ActionRunner.
  void run_uses_step(int index, size_t position, const workflow::Step& step,
                     const std::string& name, Clock::time_point started,
                     const util::Expected<std::shared_ptr<const actions::ResolvedAction>>& resolved,
                     expr::EvalContext& ctx) {
    auto uses = uses_step(step, position, ctx);
    if (!uses) {  // its `env`: continue-on-error does not apply (see run_step)
      fail_before_start(index, step, name, started, uses.error(), nullptr);
      return;
    }
    auto timeout = step_timeout(step, ctx);
    const util::Error* error = !resolved  ? &resolved.error()
                               : !timeout ? &timeout.error()
                                          : nullptr;
    if (error) {
      fail_before_start(index, step, name, started, *error, &ctx);
      return;
    }
    uses->timeout = *timeout;
    actions::ActionOutput out = action_output(index, process_env(uses->env));
    actions::ActionStepResult result = m_actions->run_main(**resolved, *uses, ctx, out);
    if (result.timed_out && m_job_deadline_hit) note_job_timeout();
    finish_step(index, &step, name, started, result.outcome,
                result.outcome == Result::failure && continues_on_error(index, step, ctx),
                result.outputs, result.detail);
  }

  // A Pre or Post part of an action (no steps.<id> entry; a failure fails the job).
  void run_phase(int index, const actions::ActionPhase& phase) {
    m_sink.release();
    expr::EvalContext ctx = step_context();
    std::string name = m_run.masker->mask(phase.name);
    auto started = Clock::now();
    auto run_it = m_actions->phase_condition(phase, ctx);
    if (run_it && !*run_it) {
      m_sink.step_finished(
          m_job.info, index, name,
          StepEnd{Result::skipped, Result::skipped, std::chrono::milliseconds(0),
                  (phase.post ? "post-if: " : "pre-if: ") + phase.condition.value + " was false"});
      return;
    }
    m_sink.step_started(m_job.info, index, name);
    if (!run_it) {
      m_sink.step_line(m_job.info, index,
                       "##[error]" + m_run.masker->mask(util::format_error(run_it.error())));
      finish_step(index, nullptr, name, started, Result::failure, false, {},
                  run_it.error().message);
      return;
    }
    actions::ActionOutput out = action_output(index, process_env(phase.step_env));
    actions::ActionStepResult result = m_actions->run_phase(phase, out);
    finish_step(index, nullptr, name, started, result.outcome, false, {}, result.detail);
  }

  // ActionHost (for uses: steps) -----------------------------------------------------

  EnvList context_env() const override { return job_environment().context; }

  // Environment: host + defaults < workflow < job < GITHUB_ENV < step, and GitHub's own
  // variables cannot be overridden. PATH is the last of these PATHs with the GITHUB_PATH
  // entries in front, as the runner does it.
  EnvList process_env(const EnvList& step_env) const override {
    const JobEnvironment& job = job_environment();
    EnvList out = job.process;
    const size_t shared = out.size();
    for (const auto& [k, v] : step_env) {
      if (k == "PATH") {
        out[job.path_index].second = compose_path(m_prepend_path, v);
        continue;
      }
      if (auto it = job.process_index.find(k); it != job.process_index.end()) {
        if (!job.fixed[it->second]) out[it->second].second = v;
        continue;
      }
      auto own = std::find_if(out.begin() + static_cast<std::ptrdiff_t>(shared), out.end(),
                              [&](const auto& entry) { return entry.first == k; });
      if (own != out.end())
        own->second = v;
      else
        out.emplace_back(k, v);
    }
    return out;
  }

  void apply_files(const EnvList& env, const std::vector<std::string>& path_lines) override {
    if (env.empty() && path_lines.empty()) return;
    for (const auto& [k, v] : env)
      env_set(m_file_env, k, v);
    add_to_prepend_path(m_prepend_path, path_lines);
    m_job_env.stale = true;
  }

  // What every step's environment starts from: the `env` context (workflow and job
  // env, GITHUB_ENV applied) and the process environment before the step's own env.
  // Kept from step to step and rebuilt only once a step changed GITHUB_ENV or
  // GITHUB_PATH: a trivial step should not pay for rebuilding them.
  struct JobEnvironment {
    bool stale = true;
    EnvList context;
    Value context_value;
    EnvList process;
    std::unordered_map<std::string, size_t> process_index;
    std::vector<bool> fixed;  // a step's env cannot override these `process` entries
    size_t path_index = 0;    // of PATH in `process`
  };

  const JobEnvironment& job_environment() const {
    JobEnvironment& job = m_job_env;
    if (!job.stale) return job;
    job.context = m_env;
    for (const auto& [k, v] : m_file_env)
      env_set(job.context, k, v);
    job.context_value = actions::env_value(job.context);
    job.process.clear();
    job.process_index.clear();
    job.fixed.clear();
    auto put = [&](const std::string& name, const std::string& value, bool fixed) {
      if (auto it = job.process_index.find(name); it != job.process_index.end()) {
        job.process[it->second].second = value;
        job.fixed[it->second] = fixed;
        return;
      }
      job.process_index.emplace(name, job.process.size());
      job.process.emplace_back(name, value);
      job.fixed.push_back(fixed);
    };
    for (const EnvList* layer : {&m_base, &m_env, &m_file_env})
      for (const auto& [k, v] : *layer)
        put(k, v, false);
    for (const auto& [k, v] : m_base)
      if (k.starts_with("GITHUB_") || k.starts_with("RUNNER_") || k == "CI") put(k, v, true);
    std::string path = m_path;
    for (const EnvList* layer : {&m_env, &m_file_env})
      if (auto set = env_lookup(*layer, "PATH")) path = *set;
    put("PATH", compose_path(m_prepend_path, path), false);
    job.path_index = job.process_index.at("PATH");
    job.stale = false;
    return job;
  }

  ScriptResult run_process(const ScriptStep& step, const StepOutputHandlers& handlers) override {
    auto token = m_control.begin_step();
    if (!token) {
      ScriptResult failed;
      failed.outcome = Result::failure;
      failed.detail = token.error().message;
      handlers.line("##[error]" + m_run.masker->mask(failed.detail));
      return failed;
    }
    return run_script_step(step, step_environment(token->get()), handlers);
  }

  const os::CancelToken* begin_in_process_step() override {
    auto token = m_control.begin_step();
    if (!token) return nullptr;
    m_in_process_token = *token;
    return m_in_process_token.get();
  }

  bool cancelled() const override { return m_control.cancelled(); }
  bool job_succeeded() const override { return m_status == JobStatus::success; }

  // ----------------------------------------------------------------------------------

  // The job's time ran out: its result is failure and the rest of it is cancelled,
  // so that only the steps that run when cancelled (always(), cancelled()) run.
  void note_job_timeout() {
    if (m_timed_out) return;
    m_timed_out = true;
    m_timed_out_at = Clock::now();
    if (m_status == JobStatus::success) m_status = JobStatus::failure;
    m_control.request_cancel();
  }

  // The step's timeout: its timeout-minutes, or what is left of the job's (then
  // m_job_deadline_hit says that a time-out is the job's). Once the job has timed out,
  // what is left is its cancel-timeout-minutes from then, as GitHub gives a cancelled
  // job's cleanup steps before it ends the job.
  util::Expected<std::optional<std::chrono::milliseconds>> step_timeout(
      const workflow::Step& step, const expr::EvalContext& ctx) {
    PW_TRY(minutes, actions::eval_step_number(step.timeout_minutes, ctx));
    Clock::time_point deadline =
        m_timed_out ? m_timed_out_at + m_job.cancel_timeout : m_start + m_job.timeout;
    auto remaining = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (remaining < std::chrono::milliseconds(1)) remaining = std::chrono::milliseconds(1);
    m_job_deadline_hit = true;
    if (minutes && std::isfinite(*minutes) && *minutes > 0) {
      auto own = std::chrono::milliseconds(static_cast<int64_t>(*minutes * 60000));
      if (own < remaining) {
        m_job_deadline_hit = false;
        return std::optional(own);
      }
    }
    return std::optional(remaining);
  }

  void finish_step(int index, const workflow::Step* step, const std::string& name,

                   Clock::time_point started, Result outcome, bool continue_on_error,
                   const EnvList& outputs, std::string detail) {
    Result conclusion = outcome;
    if (outcome == Result::failure && continue_on_error) conclusion = Result::success;
    if (conclusion == Result::failure && m_status == JobStatus::success) {
      m_status = JobStatus::failure;
      // The summary says which step failed the job, and how (first line).
      m_failed_step = m_run.masker->mask(
          name + (detail.empty() ? "" : ": " + detail.substr(0, detail.find('\n'))));
    }
    if (outcome == Result::cancelled) {
      m_status = JobStatus::cancelled;
      if (m_cancel_reason.empty()) m_cancel_reason = "the run was cancelled";
    }
    if (m_timed_out) {
      m_status = JobStatus::failure;
      m_control.request_cancel();
    }
    if (step) record_step(*step, outcome, conclusion, outputs);
    m_sink.step_finished(m_job.info, index, name,
                         StepEnd{outcome, conclusion, since(started), m_run.masker->mask(detail)});
  }

  // The script step of `step` whose own `env` evaluated to `step_env`.
  util::Expected<ScriptStep> prepare_script(const workflow::Step& step, expr::EvalContext& ctx,
                                            const EnvList& step_env) {
    ScriptStep spec;
    EnvList env = context_env();
    for (const auto& [k, v] : step_env)
      env_set(env, k, v);
    ctx.set("env", actions::env_value(env));
    spec.env = process_env(step_env);

    PW_TRY(script, actions::eval_step_text(step.run, ctx));
    spec.script = std::move(script);
    // shell: step > job defaults > workflow defaults.
    const workflow::Text* shell = &step.shell;
    if (!shell->present()) shell = &m_job.job->defaults.shell;
    if (!shell->present()) shell = &m_run.workflow->defaults.shell;
    PW_TRY(shell_text, actions::eval_step_text(*shell, ctx));
    spec.shell = std::move(shell_text);
    const workflow::Text* wd = &step.working_directory;
    if (!wd->present()) wd = &m_job.job->defaults.working_directory;
    if (!wd->present()) wd = &m_run.workflow->defaults.working_directory;
    PW_TRY(wd_text, actions::eval_step_text(*wd, ctx));
    spec.working_directory = (std::filesystem::path(m_dirs.workspace) / wd_text).string();
    spec.workspace = m_dirs.workspace;

    PW_TRY(timeout, step_timeout(step, ctx));
    spec.timeout = timeout;
    return spec;
  }

  void apply_files(const ScriptResult& result) { apply_files(result.env, result.path_lines); }

  Object evaluate_outputs() {
    Object outputs;
    expr::EvalContext ctx = step_context();
    for (const auto& [key, text] : m_job.job->outputs.entries) {
      auto value = actions::eval_step_text(text, ctx);
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
    // GitHub's limits (output_limits.h): over them the job fails without outputs.
    uint64_t size = 0;
    for (const auto& [key, value] : outputs)
      size += output_size(key) + output_size(value.as_string());
    std::string too_large = size > k_job_outputs_limit   ? job_outputs_too_large_message()
                            : !m_run.outputs->take(size) ? run_outputs_too_large_message()
                                                         : "";
    if (too_large.empty()) return outputs;
    m_sink.job_message(m_job.info, "error: " + too_large);
    m_status = JobStatus::failure;
    m_outputs_error = too_large;
    return {};
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
  DeferredSink m_sink;  // holds a step's end until the next step's process runs
  os::ProcessScope m_scope;
  JobDirectories m_dirs;
  StepReuse m_step_reuse;  // file-command files and shells, from step to step
  Clock::time_point m_start;
  Value m_github, m_runner;
  EnvList m_base;      // host + GitHub defaults
  EnvList m_env;       // workflow + job env
  EnvList m_file_env;  // from GITHUB_ENV
  std::vector<std::string> m_prepend_path;
  std::string m_path;
  mutable JobEnvironment m_job_env;  // from the five above
  Object m_steps;
  JobStatus m_status = JobStatus::success;
  std::string m_cancel_reason;
  std::string m_failure_reason;  // why the job failed before its steps ("" otherwise)
  std::string m_failed_step;     // "<step>: <detail>" of the step that failed the job
  std::optional<util::Error> m_setup_error;
  std::string m_outputs_error;  // the job's outputs were over GitHub's limits
  bool m_job_deadline_hit = false;
  bool m_timed_out = false;
  Clock::time_point m_timed_out_at;
  // uses: steps (the action runner, github.action of each step, step indices).
  std::unique_ptr<actions::ActionRunner> m_actions;
  std::vector<std::string> m_action_ids;
  int m_next_index = 0;
  std::shared_ptr<os::CancelToken> m_in_process_token;
  JobServices m_services;  // declared last: stopped before the directories go
};

class HostExecutor : public Executor {
 public:
  JobRunResult run_job(const RunContext& run, const JobInstance& job,
                       JobControl& control) override {
    JobExecution execution(run, job, control);
    return execution.execute();
  }
};

// `run -n`: reports each step a job would run (its name, and its if: when it has one)
// and runs nothing. Job-level decisions (if:, needs, matrix, runs-on) are the
// scheduler's, as in a real run.
class PlanExecutor : public Executor {
 public:
  JobRunResult run_job(const RunContext& run, const JobInstance& job, JobControl&) override {
    run.sink->job_started(job.info);
    expr::EvalContext ctx;
    ctx.set("github", with_fields(run.github, {{"job", Value(job.info.job_id)}}));
    ctx.set("runner", run.runner);
    ctx.set("vars", run.vars);
    ctx.set("inputs", run.inputs);
    ctx.set("matrix", job.matrix);
    ctx.set("strategy", job.strategy);
    ctx.set("needs", job.needs);
    int index = 0;
    for (const workflow::Step& step : job.job->steps) {
      std::string name = run.masker->mask(step_display_name(step, ctx));
      if (step.if_condition.present()) name += " (if: " + step.if_condition.value + ")";
      run.sink->step_started(job.info, index++, name);
    }
    return JobRunResult{Result::success, "dry run: nothing ran", {}, {}};
  }
};

}  // namespace

std::unique_ptr<Executor> make_host_executor() {
  return std::make_unique<HostExecutor>();
}

std::unique_ptr<Executor> make_plan_executor() {
  return std::make_unique<PlanExecutor>();
}

}  // namespace pipewright::exec
