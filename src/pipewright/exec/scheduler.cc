#include "pipewright/exec/scheduler.h"

#include <algorithm>
#include <cmath>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

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
};

struct Instance {
  size_t tmpl = 0;
  JobInstance job;
  bool continue_on_error = false;
  JobControl control;
  std::thread thread;
  bool started = false, finished = false, reported = false;
  JobRunResult result;
  SteadyClock::time_point start;
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
    PW_TRY_VOID(build_templates());
    loop();
    ScheduleOutcome outcome;
    outcome.cancelled = m_cancel_level > 0;
    for (const Template& t : m_templates) {
      if (!t.selected) continue;
      if (t.result == Result::failure) outcome.result = Result::failure;
    }
    if (outcome.cancelled && outcome.result == Result::success) outcome.result = Result::cancelled;
    return outcome;
  }

 private:
  util::Expected<void> build_templates() {
    const auto& jobs = m_run.workflow->jobs;
    m_templates.resize(jobs.size());
    for (size_t i = 0; i < jobs.size(); ++i) {
      m_templates[i].job = &jobs[i];
      for (const workflow::Text& need : jobs[i].needs.items) {
        auto found = find_job(need.value);
        if (!found)
          return util::fail(
              "Job '" + jobs[i].id.value + "' depends on unknown job '" + need.value + "'.",
              need.location);
        m_templates[i].needs.push_back(*found);
      }
    }
    // Topological order (Kahn); a leftover means a cycle.
    std::vector<size_t> order, indegree(jobs.size());
    for (size_t i = 0; i < jobs.size(); ++i)
      indegree[i] = m_templates[i].needs.size();
    for (size_t i = 0; i < jobs.size(); ++i)
      if (indegree[i] == 0) order.push_back(i);
    for (size_t k = 0; k < order.size(); ++k)
      for (size_t j = 0; j < jobs.size(); ++j)
        for (size_t need : m_templates[j].needs)
          if (need == order[k] && --indegree[j] == 0) order.push_back(j);
    if (order.size() != jobs.size()) {
      std::string names;
      for (size_t i = 0; i < jobs.size(); ++i)
        if (indegree[i] > 0) names += (names.empty() ? "'" : ", '") + jobs[i].id.value + "'";
      return util::fail("The workflow's jobs depend on each other in a cycle: " + names,
                        m_run.workflow->jobs.front().location);
    }
    // Longest remaining path: own weight + the longest chain of dependents.
    for (auto it = order.rbegin(); it != order.rend(); ++it) {
      double longest = 0;
      for (size_t j = 0; j < jobs.size(); ++j)
        if (std::ranges::find(m_templates[j].needs, *it) != m_templates[j].needs.end())
          longest = std::max(longest, m_templates[j].critical_path);
      m_templates[*it].critical_path = 1 + longest;
    }
    if (!m_options.only_jobs.empty()) {
      for (Template& t : m_templates)
        t.selected = false;
      std::function<void(size_t)> select = [&](size_t i) {
        if (m_templates[i].selected) return;
        m_templates[i].selected = true;
        for (size_t need : m_templates[i].needs)
          select(need);
      };
      for (const std::string& id : m_options.only_jobs) {
        auto found = find_job(id);
        if (!found) return util::fail("job '" + id + "' not found in " + m_run.workflow->file);
        select(*found);
      }
    }
    return {};
  }

  std::optional<size_t> find_job(std::string_view id) const {
    for (size_t i = 0; i < m_run.workflow->jobs.size(); ++i)
      if (lower(m_run.workflow->jobs[i].id.value) == lower(std::string(id))) return i;
    return std::nullopt;
  }

  void loop() {
    std::unique_lock lock(m_mutex);
    while (true) {
      check_cancel();
      reap_finished(lock);
      resolve_waiting();
      start_ready();
      if (all_done()) break;
      m_cv.wait_for(lock, std::chrono::milliseconds(50));
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
    if (!m_options.cancel) return;
    int level = static_cast<int>(m_options.cancel->level());
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
      progress = false;
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
    expr::EvalContext ctx;
    ctx.set("github", m_run.github);
    ctx.set("needs", needs_value(m_templates[i]));
    ctx.set("vars", m_run.vars);
    ctx.set("inputs", m_run.inputs);
    bool cancelled = m_cancel_level > 0;
    ctx.set_status_hook([this, i, cancelled](expr::StatusFunction fn,
                                             const std::vector<std::string>& ids)
                            -> std::expected<bool, std::string> {
      std::vector<size_t> subjects;
      for (const std::string& id : ids) {
        auto found = find_job(id);
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
                  t.job->name.present() && !t.job->name.has_expressions() ? t.job->name.value
                                                                          : t.job->id.value,
                  "");
    info.job_id = t.job->id.value;
    m_run.sink->job_queued(info);
    JobEnd end;
    end.result = result;
    end.reason = m_run.masker->mask(reason);
    m_run.sink->job_finished(info, end);
  }

  JobInfo make_info(size_t, std::string name, std::string matrix_json) {
    JobInfo info;
    info.instance = m_next_instance++;
    info.workflow_name = m_workflow_name;
    info.name = std::move(name);
    info.matrix_json = std::move(matrix_json);
    return info;
  }

  void activate(size_t i) {
    Template& t = m_templates[i];
    const workflow::Job& job = *t.job;
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
      if (job.if_condition.present())
        reason = "if: " + job.if_condition.value + " was false";
      else if (m_cancel_level > 0)
        reason = "the run was cancelled";
      else
        reason = "a job it needs did not succeed";
      return finish_template_without_legs(i, Result::skipped, reason);
    }
    if (m_cancel_level > 0 && !job.if_condition.present())
      return finish_template_without_legs(i, Result::cancelled, "the run was cancelled");
    if (job.is_reusable_call())
      return finish_template_without_legs(
          i, Result::skipped,
          "reusable workflows (uses: " + job.uses.value + ") are not supported yet");
    if (!job.services.empty())
      return finish_template_without_legs(
          i, Result::skipped, "services need the native service providers (not yet supported)");
    if (job.container.present())
      return finish_template_without_legs(i, Result::skipped,
                                          "container: jobs are not supported on this host yet");
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
    auto matrix = plan::evaluate_matrix(job.strategy, ctx, m_run.workflow->file);
    if (!matrix) return fail_template(i, util::format_error(matrix.error()));
    auto legs = plan::expand_matrix(*matrix, settings);
    if (!legs) return fail_template(i, util::format_error(legs.error()));
    std::vector<plan::MatrixLeg> kept = m_options.matrix_filters.empty()
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
    for (const plan::MatrixLeg& leg : kept)
      add_leg(i, leg, needs);
  }

  void add_leg(size_t i, const plan::MatrixLeg& leg, const Value& needs) {
    Template& t = m_templates[i];
    const workflow::Job& job = *t.job;
    expr::EvalContext ctx = job_context(i);
    ctx.set("matrix", leg.values);
    ctx.set("strategy", leg.strategy);
    auto instance = std::make_unique<Instance>();
    instance->tmpl = i;
    std::string base = job.id.value;
    bool named = false;
    if (job.name.present()) {
      auto name = job.name.tmpl ? job.name.tmpl->evaluate(ctx) : Value(job.name.value);
      if (name) {
        base = name->to_display_string();
        named = job.name.has_expressions();
      }
    }
    std::string display = named ? base : plan::leg_display_name(base, leg);
    bool has_matrix = leg.values.kind() == expr::Kind::object && !leg.values.as_object().empty();
    instance->job.info =
        make_info(i, m_run.masker->mask(display), has_matrix ? expr::to_json(leg.values) : "");
    instance->job.info.job_id = job.id.value;
    instance->job.job = &job;
    instance->job.matrix = leg.values.kind() == expr::Kind::object ? leg.values : Value(Object{});
    instance->job.strategy = leg.strategy;
    instance->job.needs = needs;
    if (job.timeout_minutes.present()) {
      Value minutes = job.timeout_minutes.value ? Value(*job.timeout_minutes.value) : Value();
      if (!job.timeout_minutes.value && job.timeout_minutes.text.tmpl)
        minutes = job.timeout_minutes.text.tmpl->evaluate(ctx).value_or(Value());
      double m = minutes.to_number();
      if (std::isfinite(m) && m > 0)
        instance->job.timeout = std::chrono::milliseconds(static_cast<int64_t>(m * 60000));
    }
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
    Instance& ref = *instance;
    m_instances.push_back(std::move(instance));
    if (!verdict.empty()) {
      ref.started = ref.finished = true;
      ref.result.result = Result::skipped;
      ref.result.reason = verdict;
    }
  }

  // --- starting and finishing instances ---

  size_t running() const {
    size_t n = 0;
    for (const auto& instance : m_instances)
      n += instance->started && !instance->finished;
    return n;
  }

  void start_ready() {
    while (running() < m_options.parallel) {
      Instance* best = nullptr;
      for (auto& instance : m_instances) {
        if (instance->started) continue;
        const Template& t = m_templates[instance->tmpl];
        if (t.max_parallel && t.legs_running >= static_cast<size_t>(*t.max_parallel)) continue;
        if (!best || t.critical_path > m_templates[best->tmpl].critical_path) best = instance.get();
      }
      if (!best) return;
      Template& t = m_templates[best->tmpl];
      if (m_cancel_level > 0 || t.fail_fast_hit) {
        best->started = best->finished = true;
        best->result.result = Result::cancelled;
        best->result.reason = m_cancel_level > 0 ? "the run was cancelled"
                                                 : "fail-fast: a job of the same matrix failed";
        continue;
      }
      best->started = true;
      best->start = SteadyClock::now();
      ++t.legs_running;
      best->thread = std::thread([this, best] {
        JobRunResult result = m_executor.run_job(m_run, best->job, best->control);
        std::lock_guard lock(m_mutex);
        best->result = std::move(result);
        best->finished = true;
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
    JobEnd end;
    end.result = r.result;
    end.reason = m_run.masker->mask(r.reason);
    if (r.result == Result::cancelled && t.fail_fast_hit && m_cancel_level == 0)
      end.reason = "fail-fast: a job of the same matrix failed";
    end.duration = instance.start == SteadyClock::time_point() ? std::chrono::milliseconds(0)
                                                               : since(instance.start);
    end.kept_workspace = r.kept_workspace;
    end.continue_on_error = instance.continue_on_error;
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

  const RunContext& m_run;
  Executor& m_executor;
  const SchedulerOptions& m_options;
  std::string m_workflow_name = m_run.workflow_name;
  std::vector<Template> m_templates;
  std::vector<std::unique_ptr<Instance>> m_instances;
  std::mutex m_mutex;
  std::condition_variable m_cv;
  int m_cancel_level = 0;
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

util::Expected<ScheduleOutcome> schedule_run(const RunContext& run, Executor& executor,
                                             const SchedulerOptions& options) {
  Scheduler scheduler(run, executor, options);
  return scheduler.run();
}

}  // namespace pipewright::exec
