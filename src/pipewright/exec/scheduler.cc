#include "pipewright/exec/scheduler.h"

#include <algorithm>
#include <cmath>
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <thread>

#include "pipewright/exec/job_services.h"
#include "pipewright/exec/masking_sink.h"
#include "pipewright/exec/reusable_workflow.h"
#include "pipewright/expr/casefold.h"
#include "pipewright/expr/json.h"
#include "pipewright/expr/template.h"
#include "pipewright/plan/matrix.h"

namespace pipewright::exec {

using expr::Object;
using expr::Value;

namespace {

using SteadyClock = std::chrono::steady_clock;

enum class TemplateState { waiting, active, done };

struct Template {
  const workflow::Job* job = nullptr;
  std::vector<size_t> needs;
  double critical_path = 1;
  bool selected = true;
  TemplateState state = TemplateState::waiting;
  size_t legs = 0, legs_done = 0, legs_running = 0;
  std::optional<int> max_parallel;
  bool fail_fast = true;
  bool fail_fast_hit = false;
  bool any_failure = false, any_cancelled = false;
  Result result = Result::success;
  Object outputs;
  size_t scope = 0;  // the workflow it belongs to (m_scopes)
  // Reusable-workflow callers: legs whose call was skipped, legs not called yet
  // (max-parallel), calls going on.
  size_t legs_skipped = 0;
  std::deque<plan::MatrixLeg> pending_calls;
  size_t calls_active = 0;
};

// The jobs of one workflow: the top-level one (scope 0), or one call of a reusable
// workflow (one scope per matrix leg of the calling job), whose jobs are scheduled
// with all the others so that -p, cancellation and fail-fast hold across levels.
struct Scope {
  RunContext run;  // its workflow, inputs and secrets; the run's other fields
  std::shared_ptr<const workflow::Workflow> owned;  // a called workflow
  const workflow::Event* call = nullptr;            // its on.workflow_call
  CallSite site;                                    // for the calls its own jobs make
  std::optional<size_t> caller;                     // the calling job's template
  std::string prefix;                               // "caller (a, b) / "
  size_t first = 0, count = 0;                      // its templates
  bool finished = false;
  bool cancelled = false;  // fail-fast of the calling job's matrix
};

struct Instance {
  size_t tmpl = 0;
  const RunContext* run = nullptr;  // its scope's
  JobInstance job;
  bool continue_on_error = false;
  JobControl control;
  std::thread thread;
  bool started = false, finished = false, reported = false;
  JobRunResult result;
  SteadyClock::time_point start;
  ConcurrencyTicket ticket;  // its job-level group (empty: none)
  std::string waiting;       // what the last job_waiting said (its kind, for slots)
  std::string superseded;    // GitHub's message when its group cancelled it
};

std::string lower(std::string text) {
  std::ranges::transform(text, text.begin(), [](unsigned char c) { return std::tolower(c); });
  return text;
}

// GitHub-hosted labels that run here: ubuntu-*, linux, self-hosted and the arch labels.
bool host_label(const std::string& label) {
  static const std::string_view k_host[] = {"linux", "self-hosted", "x64", "arm64"};
  if (label.starts_with("ubuntu-") || label == "ubuntu") return true;
  return std::ranges::find(k_host, label) != std::end(k_host);
}

std::chrono::milliseconds since(SteadyClock::time_point start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(SteadyClock::now() - start);
}

class Scheduler {
 public:
  Scheduler(const RunContext& run, Executor& executor, const SchedulerOptions& options)
      : m_run(run), m_executor(executor), m_options(options) {}

  util::Expected<ScheduleOutcome> run() {
    Scope& top = m_scopes.emplace_back();
    top.run = m_run;
    top.count = m_run.workflow->jobs.size();
    top.site.repository_dir = m_run.source_dir;
    top.site.file = m_run.workflow->file;
    std::filesystem::path file(m_run.workflow->file);
    if (file.is_absolute() && !m_run.source_dir.empty())
      top.site.file = file.lexically_relative(m_run.source_dir).string();
    top.site.chain.push_back(workflow_identity(m_run.workflow->file));
    m_templates.resize(top.count);
    for (size_t i = 0; i < top.count; ++i)
      m_templates[i].job = &m_run.workflow->jobs[i];
    PW_TRY_VOID(build_scope(0));
    PW_TRY_VOID(select_only_jobs());
    loop();
    ScheduleOutcome outcome;
    outcome.cancelled = m_cancel_level > 0;
    for (const Template& t : m_templates) {
      if (!t.selected || t.scope != 0) continue;
      if (t.result == Result::failure) outcome.result = Result::failure;
      // A job a newer one of its concurrency group replaced: the run did not succeed.
      if (t.result == Result::cancelled && outcome.result == Result::success)
        outcome.result = Result::cancelled;
    }
    if (outcome.cancelled && outcome.result == Result::success) outcome.result = Result::cancelled;
    return outcome;
  }

 private:
  // Resolves the needs of scope `s`'s templates (within the scope), refuses cycles and
  // sets each template's critical path.
  util::Expected<void> build_scope(size_t s) {
    const Scope& scope = m_scopes[s];
    const auto& jobs = scope.run.workflow->jobs;
    size_t first = scope.first;
    for (size_t i = 0; i < jobs.size(); ++i) {
      m_templates[first + i].scope = s;
      for (const workflow::Text& need : jobs[i].needs.items) {
        auto found = find_job(need.value, s);
        if (!found)
          return util::fail(
              "Job '" + jobs[i].id.value + "' depends on unknown job '" + need.value + "'.",
              need.location);
        m_templates[first + i].needs.push_back(*found);
      }
    }
    // Topological order (Kahn); a leftover means a cycle.
    std::vector<size_t> order, indegree(jobs.size());
    for (size_t i = 0; i < jobs.size(); ++i)
      indegree[i] = m_templates[first + i].needs.size();
    for (size_t i = 0; i < jobs.size(); ++i)
      if (indegree[i] == 0) order.push_back(first + i);
    for (size_t k = 0; k < order.size(); ++k)
      for (size_t j = 0; j < jobs.size(); ++j)
        for (size_t need : m_templates[first + j].needs)
          if (need == order[k] && --indegree[j] == 0) order.push_back(first + j);
    if (order.size() != jobs.size()) {
      std::string names;
      for (size_t i = 0; i < jobs.size(); ++i)
        if (indegree[i] > 0) names += (names.empty() ? "'" : ", '") + jobs[i].id.value + "'";
      return util::fail("The workflow's jobs depend on each other in a cycle: " + names,
                        jobs.front().location);
    }
    // Longest remaining path: own weight + the longest chain of dependents (called jobs
    // add their caller's remaining path).
    double base = scope.caller ? m_templates[*scope.caller].critical_path - 1 : 0;
    for (auto it = order.rbegin(); it != order.rend(); ++it) {
      double longest = base;
      for (size_t j = first; j < first + jobs.size(); ++j)
        if (std::ranges::find(m_templates[j].needs, *it) != m_templates[j].needs.end())
          longest = std::max(longest, m_templates[j].critical_path);
      m_templates[*it].critical_path = 1 + longest;
    }
    return {};
  }

  // `-j ID`: only these top-level jobs and what they need.
  util::Expected<void> select_only_jobs() {
    if (m_options.only_jobs.empty()) return {};
    for (Template& t : m_templates)
      t.selected = false;
    std::function<void(size_t)> select = [&](size_t i) {
      if (m_templates[i].selected) return;
      m_templates[i].selected = true;
      for (size_t need : m_templates[i].needs)
        select(need);
    };
    for (const std::string& id : m_options.only_jobs) {
      auto found = find_job(id, 0);
      if (!found) return util::fail("job '" + id + "' not found in " + m_scopes[0].site.file);
      select(*found);
    }
    return {};
  }

  // The template of job `id` (ignoring case) in scope `s`.
  std::optional<size_t> find_job(std::string_view id, size_t s) const {
    const Scope& scope = m_scopes[s];
    for (size_t i = scope.first; i < scope.first + scope.count; ++i)
      if (lower(m_templates[i].job->id.value) == lower(std::string(id))) return i;
    return std::nullopt;
  }

  void loop() {
    std::unique_lock lock(m_mutex);
    while (true) {
      // A job that ends while this pass runs (reap_finished unlocks to join) must not
      // wait for the next poll: the wait below returns at once when one did.
      uint64_t finished_before = m_jobs_finished;
      check_cancel();
      reap_finished(lock);
      resolve_waiting();
      start_ready();
      if (all_done()) break;
      // The timeout notices cancellation and slots freed by other runs.
      m_cv.wait_for(lock, std::chrono::milliseconds(50),
                    [&] { return m_jobs_finished != finished_before; });
    }
  }

  bool all_done() const {
    for (const Template& t : m_templates)
      if (t.selected && t.state != TemplateState::done) return false;
    for (const auto& instance : m_instances)
      if (instance->started && !instance->reported) return false;
    return true;
  }

  void check_cancel() {
    int level = m_options.cancel ? static_cast<int>(m_options.cancel->level()) : 0;
    // A newer run of the workflow's concurrency group with cancel-in-progress cancels
    // this one as Ctrl-C would, saying so.
    if (m_options.run_ticket && level == 0 && m_cancel_level == 0) {
      TicketStatus held = m_options.run_ticket->status();
      if (held.cancel_requested) {
        level = 1;
        m_cancel_reason = held.reason;
      }
    }
    if (level <= m_cancel_level) return;
    m_cancel_level = level;
    for (auto& instance : m_instances) {
      if (!instance->started || instance->finished) continue;
      if (level >= 2)
        instance->control.request_kill();
      else
        instance->control.request_cancel();
    }
  }

  // --- templates becoming ready ---

  void resolve_waiting() {
    bool progress = true;
    while (progress) {
      progress = finish_calls();
      for (size_t i = 0; i < m_templates.size(); ++i) {
        Template& t = m_templates[i];
        if (!t.selected || t.state != TemplateState::waiting) continue;
        bool ready = std::ranges::all_of(
            t.needs, [&](size_t n) { return m_templates[n].state == TemplateState::done; });
        if (!ready) continue;
        activate(i);
        progress = true;
      }
    }
  }

  Value needs_value(const Template& t) const {
    Object needs;
    for (size_t n : t.needs) {
      Object entry;
      entry.set("result", Value(std::string(result_name(m_templates[n].result))));
      entry.set("outputs", Value(m_templates[n].outputs));
      needs.set(m_templates[n].job->id.value, Value(std::move(entry)));
    }
    return Value(std::move(needs));
  }

  // Whether any ancestor of `i` has `result`.
  bool ancestor_has(size_t i, Result result) const {
    for (size_t n : m_templates[i].needs)
      if (m_templates[n].result == result || ancestor_has(n, result)) return true;
    return false;
  }

  expr::EvalContext job_context(size_t i) const {
    const RunContext& run = m_scopes[m_templates[i].scope].run;
    expr::EvalContext ctx;
    ctx.set("github", run.github);
    ctx.set("needs", needs_value(m_templates[i]));
    ctx.set("vars", run.vars);
    ctx.set("inputs", run.inputs);
    bool cancelled = m_cancel_level > 0;
    ctx.set_status_hook([this, i, cancelled](expr::StatusFunction fn,
                                             const std::vector<std::string>& ids)
                            -> std::expected<bool, std::string> {
      std::vector<size_t> subjects;
      for (const std::string& id : ids) {
        auto found = find_job(id, m_templates[i].scope);
        if (!found) return std::unexpected("unknown job '" + id + "'");
        subjects.push_back(*found);
      }
      switch (fn) {
        case expr::StatusFunction::always:
          return true;
        case expr::StatusFunction::cancelled:
          return cancelled;
        case expr::StatusFunction::success: {
          if (cancelled) return false;
          const auto& list = subjects.empty() ? m_templates[i].needs : subjects;
          return std::ranges::all_of(list, [&](size_t n) {
            return m_templates[n].result == Result::success && !ancestor_has(n, Result::failure);
          });
        }
        case expr::StatusFunction::failure: {
          if (subjects.empty()) return ancestor_has(i, Result::failure);
          return std::ranges::any_of(subjects, [&](size_t n) {
            return m_templates[n].result == Result::failure || ancestor_has(n, Result::failure);
          });
        }
      }
      return false;
    });
    return ctx;
  }

  void finish_template_without_legs(size_t i, Result result, std::string reason) {
    Template& t = m_templates[i];
    t.state = TemplateState::done;
    t.result = result;
    JobInfo info =
        make_info(i,
                  m_scopes[t.scope].prefix +
                      (t.job->name.present() && !t.job->name.has_expressions() ? t.job->name.value
                                                                               : t.job->id.value),
                  "");
    info.job_id = t.job->id.value;
    m_run.sink->job_queued(info);
    JobEnd end;
    end.result = result;
    end.reason = m_run.masker->mask(reason);
    m_run.sink->job_finished(info, end);
  }

  // A job instance's identity as every sink shows it: its display name (which may
  // hold a matrix value or an expression's result) masked here, once.
  JobInfo make_info(size_t, const std::string& name, std::string matrix_json) {
    JobInfo info;
    info.instance = m_next_instance++;
    info.workflow_name = m_workflow_name;
    info.name = m_run.masker->mask(name);
    info.matrix_json = std::move(matrix_json);
    return info;
  }

  // Re-runs: the earlier result and outputs of template `i`, when carried over.
  const PriorJob* carried(size_t i) const {
    if (m_templates[i].scope != 0) return nullptr;
    for (const auto& [id, prior] : m_options.carried_over)
      if (expr::equals_ignore_case(id, m_templates[i].job->id.value)) return &prior;
    return nullptr;
  }

  void carry_over(size_t i, const PriorJob& prior) {
    Template& t = m_templates[i];
    t.state = TemplateState::done;
    t.result = prior.result;
    t.outputs = prior.outputs;
    JobInfo info =
        make_info(i,
                  t.job->name.present() && !t.job->name.has_expressions() ? t.job->name.value
                                                                          : t.job->id.value,
                  "");
    info.job_id = t.job->id.value;
    m_run.sink->job_queued(info);
    JobEnd end;
    end.result = prior.result;
    end.reason = "carried over from an earlier attempt";
    end.carried_over = true;
    if (!prior.outputs.empty())
      end.outputs_json = expr::to_json(Value(prior.outputs), expr::JsonStyle::compact);
    m_run.sink->job_finished(info, end);
  }

  void activate(size_t i) {
    const Template& t = m_templates[i];
    const workflow::Job& job = *t.job;
    if (const PriorJob* prior = carried(i)) return carry_over(i, *prior);
    expr::EvalContext ctx = job_context(i);
    // Job `if` (wrapped in success() unless it calls a status function).
    expr::ParseOptions options;
    options.allow_any_named_value = true;
    options.job_status_functions = true;
    auto condition =
        expr::parse_condition(job.if_condition.present() ? job.if_condition.value : "", options);
    if (!condition) return fail_template(i, condition.error().message);
    auto verdict = expr::evaluate(*condition, ctx);
    if (!verdict) return fail_template(i, verdict.error().message);
    if (!verdict->truthy()) {
      std::string reason;
      // An if: without a status function is `success() && (if)`: when the needs did not
      // all succeed, that is the reason, whatever the if: says.
      bool implicit = !job.if_condition.present() ||
                      !expr::calls_status_function(job.if_condition.value, options);
      auto needs_ok = expr::evaluate(*expr::parse_condition("", options), ctx);
      if (job.if_condition.present() && !(implicit && needs_ok && !needs_ok->truthy()))
        reason = "if: " + job.if_condition.value + " was false";
      else if (m_cancel_level > 0)
        reason = m_cancel_reason;
      else
        reason = "a job it needs did not succeed";
      return finish_template_without_legs(i, Result::skipped, reason);
    }
    if (m_cancel_level > 0 && !job.if_condition.present())
      return finish_template_without_legs(i, Result::cancelled, m_cancel_reason);
    if (m_scopes[t.scope].cancelled)
      return finish_template_without_legs(i, Result::cancelled,
                                          "fail-fast: a leg of the calling job's matrix failed");
    if (job.is_reusable_call()) return expand(i, ctx);
    if (job.container.present())
      return finish_template_without_legs(i, Result::skipped, container_skip_reason(job));
    expand(i, ctx);
  }

  void fail_template(size_t i, const std::string& message) {
    finish_template_without_legs(i, Result::failure, message);
  }

  void expand(size_t i, expr::EvalContext& ctx) {
    Template& t = m_templates[i];
    const workflow::Job& job = *t.job;
    plan::StrategySettings settings;
    if (job.strategy.fail_fast.present()) {
      if (job.strategy.fail_fast.value) {
        settings.fail_fast = *job.strategy.fail_fast.value;
      } else if (job.strategy.fail_fast.text.tmpl) {
        auto v = job.strategy.fail_fast.text.tmpl->evaluate(ctx);
        if (v) settings.fail_fast = v->truthy();
      }
    }
    if (job.strategy.max_parallel.value && *job.strategy.max_parallel.value >= 1)
      settings.max_parallel = static_cast<int>(*job.strategy.max_parallel.value);
    auto matrix = plan::evaluate_matrix(job.strategy, ctx, m_scopes[t.scope].site.file);
    if (!matrix) return fail_template(i, util::format_error(matrix.error()));
    auto legs = plan::expand_matrix(*matrix, settings);
    if (!legs) return fail_template(i, util::format_error(legs.error()));
    std::vector<plan::MatrixLeg> kept = m_options.matrix_filters.empty() || t.scope != 0
                                            ? *legs
                                            : plan::filter_legs(*legs, m_options.matrix_filters);
    if (kept.empty())
      return finish_template_without_legs(i, Result::skipped,
                                          "no matrix combination matches --matrix");
    t.fail_fast = settings.fail_fast;
    t.max_parallel = settings.max_parallel;
    t.state = TemplateState::active;
    t.legs = kept.size();
    Value needs = needs_value(t);
    if (job.is_reusable_call()) {
      t.pending_calls.assign(kept.begin(), kept.end());
      return start_calls(i);
    }
    for (const plan::MatrixLeg& leg : kept)
      add_leg(i, leg, needs);
  }

  // The display name of leg `leg` of template `i`: its scope's prefix, then `name:` (or
  // the id) with the matrix values unless the name is an expression.
  std::string leg_name(size_t i, const plan::MatrixLeg& leg, const expr::EvalContext& ctx) const {
    const workflow::Job& job = *m_templates[i].job;
    std::string base = job.id.value;
    bool named = false;
    if (job.name.present()) {
      auto name = job.name.tmpl ? job.name.tmpl->evaluate(ctx) : Value(job.name.value);
      if (name) {
        base = name->to_display_string();
        named = job.name.has_expressions();
      }
    }
    return m_scopes[m_templates[i].scope].prefix +
           (named ? base : plan::leg_display_name(base, leg));
  }

  void add_leg(size_t i, const plan::MatrixLeg& leg, const Value& needs) {
    Template& t = m_templates[i];
    const workflow::Job& job = *t.job;
    expr::EvalContext ctx = job_context(i);
    ctx.set("matrix", leg.values);
    ctx.set("strategy", leg.strategy);
    auto instance = std::make_unique<Instance>();
    instance->tmpl = i;
    instance->run = &m_scopes[t.scope].run;
    std::string display = leg_name(i, leg, ctx);
    bool has_matrix = leg.values.kind() == expr::Kind::object && !leg.values.as_object().empty();
    instance->job.info = make_info(
        i, display,
        has_matrix ? expr::to_json(mask_value(*m_run.masker, leg.values), expr::JsonStyle::compact)
                   : "");
    instance->job.info.job_id = job.id.value;
    instance->job.job = &job;
    instance->job.matrix = leg.values.kind() == expr::Kind::object ? leg.values : Value(Object{});
    instance->job.strategy = leg.strategy;
    instance->job.needs = needs;
    // timeout-minutes and cancel-timeout-minutes: a positive number, else the default.
    auto set_minutes = [&](const workflow::Number& number, std::chrono::milliseconds& out) {
      if (!number.present()) return;
      Value minutes = number.value ? Value(*number.value) : Value();
      if (!number.value && number.text.tmpl)
        minutes = number.text.tmpl->evaluate(ctx).value_or(Value());
      double m = minutes.to_number();
      if (std::isfinite(m) && m > 0)
        out = std::chrono::milliseconds(static_cast<int64_t>(m * 60000));
    };
    set_minutes(job.timeout_minutes, instance->job.timeout);
    set_minutes(job.cancel_timeout_minutes, instance->job.cancel_timeout);
    if (job.continue_on_error.present()) {
      if (job.continue_on_error.value)
        instance->continue_on_error = *job.continue_on_error.value;
      else if (job.continue_on_error.text.tmpl)
        instance->continue_on_error =
            job.continue_on_error.text.tmpl->evaluate(ctx).value_or(Value()).truthy();
    }
    m_run.sink->job_queued(instance->job.info);
    // runs-on, evaluated per leg (`runs-on: ${{ matrix.os }}`).
    std::vector<std::string> labels;
    for (const workflow::Text& label : job.runs_on.labels.items) {
      auto value = label.tmpl ? label.tmpl->evaluate(ctx) : Value(label.value);
      if (!value) continue;
      if (value->kind() == expr::Kind::array)
        for (const Value& v : value->as_array())
          labels.push_back(v.to_display_string());
      else
        labels.push_back(value->to_display_string());
    }
    std::string verdict = runs_on_verdict(labels, m_options.platforms);
    instance->job.runs_on = labels;
    Instance& ref = *instance;
    m_instances.push_back(std::move(instance));
    if (!verdict.empty()) {
      ref.started = ref.finished = true;
      ref.result.result = Result::skipped;
      ref.result.reason = verdict;
      return;
    }
    // The job's concurrency group (contexts: github, needs, strategy, matrix, inputs,
    // vars), entered now that it is queued: GitHub's order is the order of waiting.
    std::string label = m_options.run_label.empty() ? "this run" : m_options.run_label;
    auto request =
        evaluate_concurrency(job.concurrency, ctx, "job '" + ref.job.info.name + "' of " + label);
    if (!request) {
      ref.started = ref.finished = true;
      ref.result.result = Result::failure;
      ref.result.reason = util::format_error(request.error());
    } else if (*request && m_options.run_ticket &&
               expr::equals_ignore_case(m_options.run_ticket->group(), (*request)->group)) {
      // The run holds this group until its jobs end: the job would wait for ever.
      ref.started = ref.finished = true;
      ref.result.result = Result::cancelled;
      ref.superseded = deadlock_message((*request)->group, job.id.value);
      m_run.sink->annotation(ref.job.info, -1, Annotation{.message = ref.superseded});
    } else if (*request) {
      ConcurrencyGroups& groups = m_options.concurrency ? *m_options.concurrency : m_groups;
      ref.ticket = groups.enter(**request);
    }
  }

  // --- starting and finishing instances ---

  size_t running() const {
    size_t n = 0;
    for (const auto& instance : m_instances)
      n += instance->started && !instance->finished;
    return n;
  }

  // Job-level groups: a queued instance that a newer one replaced, or asked to cancel
  // before it started, ends cancelled; a running one asked to cancel is cancelled.
  void poll_groups() {
    for (auto& instance : m_instances) {
      if (instance->ticket.empty() || instance->finished || !instance->superseded.empty()) continue;
      TicketStatus held = instance->ticket.status();
      if (held.state != TicketState::cancelled && !held.cancel_requested) continue;
      instance->superseded = held.reason;
      Annotation note;
      note.message = held.reason;
      m_run.sink->annotation(instance->job.info, -1, note);
      if (instance->started) {
        instance->control.request_cancel();
        continue;
      }
      instance->started = instance->finished = true;
      instance->result.result = Result::cancelled;
      instance->result.reason = held.reason;
    }
  }

  // Reports why each queued instance that did not start waits, when that changed: its
  // concurrency group (naming the holder), max-parallel, a host port, or a free slot
  // (with its place among this run's instances waiting for one).
  void report_waiting(const std::function<bool(const Instance&)>& ports_taken) {
    std::vector<Instance*> for_slot;
    for (auto& instance : m_instances) {
      if (instance->started) continue;
      const Template& t = m_templates[instance->tmpl];
      std::string key, reason;
      if (TicketStatus held = instance->ticket.status(); held.state == TicketState::pending) {
        key = reason = held.reason;
      } else if (t.max_parallel && t.legs_running >= static_cast<size_t>(*t.max_parallel)) {
        key = "max-parallel";
        reason = "waiting: strategy.max-parallel is " + std::to_string(*t.max_parallel) +
                 " and that many legs of this matrix are running";
      } else if (ports_taken(*instance)) {
        key = "ports";
        reason = "waiting for a host port of its services that a running job holds";
      } else {
        for_slot.push_back(instance.get());
        continue;
      }
      if (key == instance->waiting) continue;
      instance->waiting = key;
      m_run.sink->job_waiting(instance->job.info, reason);
    }
    // Slots go by critical path, then queue order (as start_ready picks them).
    std::ranges::stable_sort(for_slot, [&](const Instance* a, const Instance* b) {
      return m_templates[a->tmpl].critical_path > m_templates[b->tmpl].critical_path;
    });
    size_t limit = m_options.slots ? std::min(m_options.slots->limit(), m_options.parallel)
                                   : m_options.parallel;
    for (size_t k = 0; k < for_slot.size(); ++k) {
      if (for_slot[k]->waiting == "slot") continue;
      for_slot[k]->waiting = "slot";
      m_run.sink->job_waiting(for_slot[k]->job.info,
                              "waiting for a free job slot (all " + std::to_string(limit) +
                                  " in use, -p); position " + std::to_string(k + 1) + " of " +
                                  std::to_string(for_slot.size()) + " in this run's queue");
    }
  }

  void start_ready() {
    poll_groups();
    // Without job network namespaces, the fixed host ports of a job's services
    // (`5432:5432`) are exclusive: a job waits until no running job holds one.
    auto host_ports = [this](const Instance& instance) {
      if (!instance.job.job || instance.job.job->services.empty() || job_networks_available())
        return std::vector<int>{};
      expr::EvalContext ctx = job_context(instance.tmpl);
      ctx.set("matrix", instance.job.matrix);
      ctx.set("strategy", instance.job.strategy);
      return service_host_ports(*instance.job.job, ctx);
    };
    auto ports_taken = [&](const Instance& candidate) {
      std::vector<int> wanted = host_ports(candidate);
      if (wanted.empty()) return false;
      for (const auto& other : m_instances) {
        if (!other->started || other->finished) continue;
        for (int port : host_ports(*other))
          if (std::ranges::find(wanted, port) != wanted.end()) return true;
      }
      return false;
    };
    // Chosen first, launched after the waiting reasons are out, so that those lines come
    // before anything the started jobs print.
    std::vector<Instance*> launch;
    auto choose = [&] {
      while (running() < m_options.parallel) {
        Instance* best = nullptr;
        for (auto& instance : m_instances) {
          if (instance->started) continue;
          const Template& t = m_templates[instance->tmpl];
          if (instance->ticket.status().state == TicketState::pending) continue;
          if (t.max_parallel && t.legs_running >= static_cast<size_t>(*t.max_parallel)) continue;
          if (m_cancel_level == 0 && !t.fail_fast_hit && ports_taken(*instance)) continue;
          if (!best || t.critical_path > m_templates[best->tmpl].critical_path)
            best = instance.get();
        }
        if (!best) return;
        Template& t = m_templates[best->tmpl];
        if (m_cancel_level > 0 || t.fail_fast_hit) {
          best->started = best->finished = true;
          best->result.result = Result::cancelled;
          best->result.reason =
              m_cancel_level > 0 ? m_cancel_reason : "fail-fast: a job of the same matrix failed";
          continue;
        }
        if (m_options.slots && !m_options.slots->try_acquire()) return;  // -p across runs
        best->started = true;
        ++t.legs_running;
        launch.push_back(best);
      }
    };
    choose();
    if (m_cancel_level == 0) report_waiting(ports_taken);
    for (Instance* chosen : launch) {
      chosen->start = SteadyClock::now();
      chosen->thread = std::thread([this, chosen] {
        JobRunResult result = m_executor.run_job(*chosen->run, chosen->job, chosen->control);
        if (m_options.slots) m_options.slots->release();
        std::lock_guard lock(m_mutex);
        chosen->result = std::move(result);
        chosen->finished = true;
        ++m_jobs_finished;
        m_cv.notify_all();
      });
    }
  }

  void reap_finished(std::unique_lock<std::mutex>& lock) {
    for (auto& instance : m_instances) {
      if (!instance->finished || instance->reported) continue;
      instance->reported = true;
      if (instance->thread.joinable()) {
        lock.unlock();
        instance->thread.join();
        lock.lock();
        --m_templates[instance->tmpl].legs_running;
      }
      finish_leg(*instance);
    }
  }

  void finish_leg(Instance& instance) {
    Template& t = m_templates[instance.tmpl];
    const JobRunResult& r = instance.result;
    instance.ticket.release();  // the group's next request may start
    JobEnd end;
    end.result = r.result;
    end.reason = m_run.masker->mask(r.reason);
    if (r.result == Result::cancelled && !instance.superseded.empty())
      end.reason = m_run.masker->mask(instance.superseded);
    if (r.result == Result::cancelled && t.fail_fast_hit && m_cancel_level == 0)
      end.reason = "fail-fast: a job of the same matrix failed";
    end.duration = instance.start == SteadyClock::time_point() ? std::chrono::milliseconds(0)
                                                               : since(instance.start);
    end.kept_workspace = r.kept_workspace;
    end.continue_on_error = instance.continue_on_error;
    if (!r.outputs.empty())
      end.outputs_json = expr::to_json(Value(r.outputs), expr::JsonStyle::compact);
    m_run.sink->job_finished(instance.job.info, end);
    for (const auto& [k, v] : r.outputs)
      t.outputs.set(k, v);
    if (r.result == Result::failure && !instance.continue_on_error) {
      t.any_failure = true;
      if (t.fail_fast && t.legs > 1 && !t.fail_fast_hit) {
        t.fail_fast_hit = true;
        for (auto& other : m_instances)
          if (other.get() != &instance && other->tmpl == instance.tmpl && other->started &&
              !other->finished)
            other->control.request_cancel();
      }
    }
    if (r.result == Result::cancelled) t.any_cancelled = true;
    if (++t.legs_done == t.legs) {
      t.state = TemplateState::done;
      bool all_skipped = true;
      for (const auto& other : m_instances)
        if (other->tmpl == instance.tmpl && other->result.result != Result::skipped)
          all_skipped = false;
      t.result = t.any_failure     ? Result::failure
                 : t.any_cancelled ? Result::cancelled
                 : all_skipped     ? Result::skipped
                                   : Result::success;
    }
  }

  // --- reusable-workflow callers (reusable_workflow.h) ---

  // Calls the pending legs of caller template `i` that its max-parallel allows.
  void start_calls(size_t i) {
    Template& t = m_templates[i];
    while (!t.pending_calls.empty() &&
           (!t.max_parallel || t.calls_active < static_cast<size_t>(*t.max_parallel))) {
      plan::MatrixLeg leg = std::move(t.pending_calls.front());
      t.pending_calls.pop_front();
      ++t.calls_active;
      call_leg(i, leg);
    }
  }

  // Starts one leg of caller template `i`: loads the called workflow, resolves its
  // inputs and secrets in the leg's context and adds its jobs as a new scope. A problem
  // ends the leg as a failed job named like the leg.
  void call_leg(size_t i, const plan::MatrixLeg& leg) {
    const Template& t = m_templates[i];
    const workflow::Job& job = *t.job;
    const Scope& parent = m_scopes[t.scope];
    expr::EvalContext ctx = job_context(i);
    ctx.set("matrix", leg.values);
    ctx.set("strategy", leg.strategy);
    std::string name = m_run.masker->mask(leg_name(i, leg, ctx));
    if (m_cancel_level > 0) return report_call(i, name, Result::cancelled, m_cancel_reason);
    if (parent.cancelled || t.fail_fast_hit)
      return report_call(i, name, Result::cancelled,
                         "fail-fast: a leg of the calling job's matrix failed");
    auto called = load_called_workflow(job, parent.site, parent.run.actions);
    if (!called) return report_call(i, name, Result::failure, util::format_error(called.error()));
    if (!m_called.contains(called->identity) && m_called.size() >= k_max_unique_workflows)
      return report_call(i, name, Result::failure,
                         util::format_error(util::Error{
                             "too many reusable workflows: GitHub allows " +
                                 std::to_string(k_max_unique_workflows) +
                                 " unique reusable workflows in the tree of one workflow",
                             job.uses.location, ""}));
    m_called.insert(called->identity);
    auto inputs = resolve_called_inputs(job, *called->call, ctx, parent.run.workflow->file);
    if (!inputs) return report_call(i, name, Result::failure, util::format_error(inputs.error()));
    ctx.set("secrets", parent.run.secrets);
    auto secrets = resolve_called_secrets(job, *called->call, ctx, parent.run.secrets);
    if (!secrets) return report_call(i, name, Result::failure, util::format_error(secrets.error()));
    for (const auto& [key, value] : secrets->as_object())
      if (value.kind() == expr::Kind::string && !value.as_string().empty())
        m_run.masker->add_secret(value.as_string());

    size_t s = m_scopes.size();
    Scope& scope = m_scopes.emplace_back();
    scope.run = parent.run;
    scope.run.workflow = called->workflow.get();
    scope.run.inputs = *inputs;
    scope.run.secrets = *secrets;
    scope.owned = called->workflow;
    scope.call = called->call;
    scope.site.repository_dir = called->repository_dir;
    scope.site.file = called->file;
    scope.site.chain = parent.site.chain;
    scope.site.chain.push_back(called->identity);
    scope.caller = i;
    scope.prefix = called_job_name(name, "");
    scope.first = m_templates.size();
    scope.count = called->workflow->jobs.size();
    m_templates.resize(scope.first + scope.count);
    for (size_t k = 0; k < scope.count; ++k) {
      m_templates[scope.first + k].job = &called->workflow->jobs[k];
      m_templates[scope.first + k].scope = s;
    }
    if (auto built = build_scope(s); !built) {
      scope.finished = true;
      for (size_t k = scope.first; k < scope.first + scope.count; ++k) {
        m_templates[k].state = TemplateState::done;
        m_templates[k].selected = false;
      }
      return report_call(i, name, Result::failure, util::format_error(built.error()));
    }
  }

  // Reports a leg of caller `i` that ran no job (as a job named like the leg) and ends it.
  void report_call(size_t i, const std::string& name, Result result, const std::string& reason) {
    JobInfo info = make_info(i, name, "");
    info.job_id = m_templates[i].job->id.value;
    m_run.sink->job_queued(info);
    JobEnd end;
    end.result = result;
    end.reason = m_run.masker->mask(reason);
    m_run.sink->job_finished(info, end);
    finish_call_leg(i, result, {});
  }

  // Ends every called workflow whose jobs are all done; whether any ended.
  bool finish_calls() {
    bool any = false;
    for (size_t s = 1; s < m_scopes.size(); ++s) {
      Scope& scope = m_scopes[s];
      if (scope.finished) continue;
      bool done = true;
      for (size_t k = scope.first; k < scope.first + scope.count && done; ++k)
        done = m_templates[k].state == TemplateState::done;
      if (!done) continue;
      scope.finished = true;
      any = true;
      finish_scope(s);
    }
    return any;
  }

  // The called workflow of scope `s` ended: its result and outputs go to its caller.
  void finish_scope(size_t s) {
    const Scope& scope = m_scopes[s];
    Object jobs;
    std::vector<Result> results;
    for (size_t k = scope.first; k < scope.first + scope.count; ++k) {
      const Template& t = m_templates[k];
      Object entry;
      entry.set("result", Value(std::string(result_name(t.result))));
      entry.set("outputs", Value(t.outputs));
      jobs.set(t.job->id.value, Value(std::move(entry)));
      results.push_back(t.result);
    }
    expr::EvalContext ctx;
    ctx.set("github", scope.run.github);
    ctx.set("inputs", scope.run.inputs);
    ctx.set("vars", scope.run.vars);
    ctx.set("jobs", Value(std::move(jobs)));
    auto outputs = evaluate_called_outputs(*scope.call, ctx);
    if (!outputs) {
      std::string name = scope.prefix.substr(0, scope.prefix.size() - 3);
      return report_call(*scope.caller, name, Result::failure, util::format_error(outputs.error()));
    }
    finish_call_leg(*scope.caller, called_workflow_result(results), *outputs);
  }

  // One leg of caller template `i` ended with `result`; the template ends with its last
  // leg, like a matrix of jobs (fail-fast cancels the other legs' called jobs).
  void finish_call_leg(size_t i, Result result, const Object& outputs) {
    Template& t = m_templates[i];
    for (const auto& [k, v] : outputs)
      t.outputs.set(k, v);
    if (result == Result::failure) {
      t.any_failure = true;
      if (t.fail_fast && t.legs > 1 && !t.fail_fast_hit) {
        t.fail_fast_hit = true;
        for (size_t s = 1; s < m_scopes.size(); ++s)
          if (m_scopes[s].caller == i && !m_scopes[s].finished) cancel_scope(s);
      }
    }
    if (result == Result::cancelled) t.any_cancelled = true;
    if (result == Result::skipped) ++t.legs_skipped;
    --t.calls_active;
    if (++t.legs_done == t.legs) {
      t.state = TemplateState::done;
      t.result = t.any_failure              ? Result::failure
                 : t.any_cancelled          ? Result::cancelled
                 : t.legs_skipped == t.legs ? Result::skipped
                                            : Result::success;
      return;
    }
    start_calls(i);
  }

  // Fail-fast reached the called workflow of scope `s`: its running jobs are cancelled,
  // queued ones never start, waiting ones end cancelled (and so on down nested calls).
  void cancel_scope(size_t s) {
    Scope& scope = m_scopes[s];
    scope.cancelled = true;
    for (size_t k = scope.first; k < scope.first + scope.count; ++k)
      m_templates[k].fail_fast_hit = true;
    for (auto& instance : m_instances)
      if (m_templates[instance->tmpl].scope == s && instance->started && !instance->finished)
        instance->control.request_cancel();
    for (size_t n = s + 1; n < m_scopes.size(); ++n)
      if (m_scopes[n].caller && m_templates[*m_scopes[n].caller].scope == s &&
          !m_scopes[n].finished)
        cancel_scope(n);
  }

  const RunContext& m_run;
  Executor& m_executor;
  const SchedulerOptions& m_options;
  std::string m_workflow_name = m_run.workflow_name;
  // Deques: templates and scopes are added while references to others are held (and
  // job threads hold their scope's RunContext).
  std::deque<Template> m_templates;
  std::deque<Scope> m_scopes;
  std::set<std::string> m_called;  // identities of the reusable workflows called so far
  // Job-level groups when none is shared; before the instances, whose tickets leave it.
  ConcurrencyGroups m_groups;
  std::vector<std::unique_ptr<Instance>> m_instances;
  std::mutex m_mutex;
  std::condition_variable m_cv;
  uint64_t m_jobs_finished = 0;  // counts job threads that ended (wakes the loop)
  int m_cancel_level = 0;
  std::string m_cancel_reason = "the run was cancelled";
  size_t m_next_instance = 0;
};

}  // namespace

std::string runs_on_verdict(const std::vector<std::string>& labels,
                            const std::map<std::string, std::string>& platforms) {
  std::vector<std::string> unsupported;
  for (const std::string& label : labels) {
    auto mapped = platforms.find(label);
    if (mapped != platforms.end()) {
      if (mapped->second == "skip") return "skipped by -P " + label + "=skip";
      continue;
    }
    if (!host_label(lower(label))) unsupported.push_back(label);
  }
  if (labels.empty()) return "unsupported on this host: runs-on is empty";
  if (unsupported.empty()) return "";
  std::string list;
  for (const std::string& label : unsupported)
    list += (list.empty() ? "" : ", ") + label;
  return "unsupported on this host: " + list + " (map it with -P " + unsupported.front() + "=host)";
}

std::string container_skip_reason(const workflow::Job& job) {
  return "unsupported: container: jobs (image '" + job.container.image.value +
         "') are not supported: pipewright runs steps natively on the host, not inside a "
         "container image; remove `container:` to run them here (services: are supported)";
}

std::string known_skip_reason(const workflow::Job& job,
                              const std::map<std::string, std::string>& platforms) {
  if (job.is_reusable_call()) return "";
  if (job.container.present()) return container_skip_reason(job);
  std::vector<std::string> labels;
  for (const workflow::Text& label : job.runs_on.labels.items) {
    if (label.has_expressions()) return "";  // known per leg only
    labels.push_back(label.value);
  }
  if (!job.runs_on.labels.present()) return "";
  return runs_on_verdict(labels, platforms);
}

util::Expected<ScheduleOutcome> schedule_run(const RunContext& run, Executor& executor,
                                             const SchedulerOptions& options) {
  Scheduler scheduler(run, executor, options);
  return scheduler.run();
}

}  // namespace pipewright::exec
