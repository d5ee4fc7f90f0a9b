#include "pipewright/exec/actions/action_runner.h"

#include <algorithm>
#include <filesystem>

#include <fmt/format.h>

#include "pipewright/exec/actions/action_cache.h"
#include "pipewright/exec/actions/action_run_eval.h"
#include "pipewright/exec/shells.h"
#include "pipewright/workflow/loader.h"

namespace pipewright::exec::actions {

namespace {

namespace fs = std::filesystem;

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

// runs.using → how the action runs (one row per value).
struct UsingRow {
  workflow::ActionUsing using_kind;
  ActionKind kind;
};
constexpr UsingRow k_using_rows[] = {
    {workflow::ActionUsing::composite, ActionKind::composite},
    {workflow::ActionUsing::node12, ActionKind::javascript},
    {workflow::ActionUsing::node16, ActionKind::javascript},
    {workflow::ActionUsing::node20, ActionKind::javascript},
    {workflow::ActionUsing::node24, ActionKind::javascript},
    {workflow::ActionUsing::docker, ActionKind::docker},
};

// The first error of a failed action.yml load, with its location.
util::Error load_error(const workflow::ActionLoadResult& loaded, const std::string& file) {
  std::vector<const util::Diagnostic*> errors;
  for (const util::Diagnostic& d : loaded.diagnostics)
    if (d.severity == util::Severity::error) errors.push_back(&d);
  if (errors.empty()) return util::Error{"cannot load " + file, {file, 0, 0}, {}};
  util::Error error{errors.front()->message, errors.front()->location, errors.front()->hint};
  if (error.location.file.empty()) error.location.file = file;
  if (errors.size() > 1)
    error.message +=
        " (and " + std::to_string(errors.size() - 1) + " more error(s) in " + file + ")";
  return error;
}

std::optional<std::string> find_metadata(const std::string& dir) {
  std::error_code ec;
  for (const char* name : {"action.yml", "action.yaml"})
    if (fs::is_regular_file(fs::path(dir) / name, ec)) return (fs::path(dir) / name).string();
  return std::nullopt;
}

std::string sanitize_id(std::string_view text) {
  std::string out;
  for (char c : text) {
    bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                c == '-' || c == '_';
    out += keep ? c : '_';
  }
  return out;
}

}  // namespace

std::string input_variable(std::string_view input_id) {
  std::string name = "INPUT_";
  for (char c : input_id)
    name += c == ' ' ? '_' : (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
  return name;
}

std::string unexpected_inputs_warning(const std::vector<std::string>& given,
                                      const std::vector<std::string>& valid) {
  std::vector<std::string> unexpected;
  for (const std::string& name : given) {
    bool known =
        std::ranges::any_of(valid, [&](const std::string& v) { return lower(v) == lower(name); });
    if (!known) unexpected.push_back(name);
  }
  if (unexpected.empty()) return "";
  std::string text = "Unexpected input(s) ";
  for (size_t i = 0; i < unexpected.size(); ++i)
    text += (i ? ", '" : "'") + unexpected[i] + "'";
  text += ", valid inputs are [";
  for (size_t i = 0; i < valid.size(); ++i)
    text += (i ? ", '" : "'") + valid[i] + "'";
  return text + "]";
}

std::string generated_action_id(const workflow::Step& step, std::map<std::string, int>& taken) {
  std::string base = "__run";
  if (step.kind == workflow::StepKind::uses) {
    auto ref = parse_action_ref(step.uses.value);
    if (!ref || ref->kind == RefKind::local_action || ref->kind == RefKind::local_workflow)
      base = "__self";
    else if (ref->kind == RefKind::docker)
      base = "__" + sanitize_id(ref->image);
    else
      base = "__" + sanitize_id(ref->slug() + (ref->path.empty() ? "" : "/" + ref->path));
  }
  int count = ++taken[base];
  return count == 1 ? base : base + "_" + std::to_string(count);
}

std::string docker_skip_reason(const ResolvedAction& action) {
  return "Docker actions are not supported yet (no container runtime): " + action.ref.text;
}

ActionRunner::ActionRunner(ActionHost& host, ActionJob job) : m_host(host), m_job(std::move(job)) {}

util::Expected<std::shared_ptr<const ResolvedAction>> ActionRunner::resolve(
    const workflow::Text& uses) {
  if (auto it = m_resolved.find(uses.value); it != m_resolved.end()) return it->second;
  auto ref = parse_action_ref(uses.value, UsesSite::step);
  if (!ref) return util::fail(ref.error().message, uses.location, ref.error().hint);
  auto resolved = std::make_shared<ResolvedAction>();
  resolved->ref = *ref;
  switch (ref->kind) {
    case RefKind::docker:
      resolved->kind = ActionKind::docker;
      m_resolved[uses.value] = resolved;
      return resolved;
    case RefKind::local_workflow:
    case RefKind::remote_workflow:
      return util::fail("'" + uses.value + "' is a reusable workflow: call it from a job's uses:",
                        uses.location);
    case RefKind::remote_action: {
      if (const BuiltinAction* builtin = find_builtin(*ref, *m_job.settings)) {
        resolved->kind = ActionKind::builtin;
        resolved->builtin = builtin;
        m_resolved[uses.value] = resolved;
        return resolved;
      }
      auto cache = action_cache();
      if (!cache) return util::fail(cache.error().message, uses.location);
      auto dir = cache->action_dir(*ref);
      if (!dir) return util::fail(dir.error().message, uses.location, dir.error().hint);
      resolved->dir = *dir;
      break;
    }
    case RefKind::local_action:
      resolved->dir = (fs::path(m_job.workspace) / ref->path).lexically_normal().string();
      if (!resolved->dir.empty() && resolved->dir.back() == '/') resolved->dir.pop_back();
      break;
  }

  auto metadata = find_metadata(resolved->dir);
  if (!metadata) {
    std::error_code ec;
    if (fs::is_regular_file(fs::path(resolved->dir) / "Dockerfile", ec)) {
      resolved->kind = ActionKind::docker;
      m_resolved[uses.value] = resolved;
      return resolved;
    }
    if (ref->kind == RefKind::local_action)
      return util::fail("Can't find 'action.yml', 'action.yaml' or 'Dockerfile' under '" +
                            resolved->dir +
                            "'. Did you forget to run actions/checkout before running your "
                            "local action?",
                        uses.location);
    return util::fail(
        "Can't find 'action.yml', 'action.yaml' or 'Dockerfile' for action '" + uses.value + "'.",
        uses.location);
  }
  // A local action is named by its path in the repository, not in the job's copy of it.
  std::string shown = *metadata;
  if (ref->kind == RefKind::local_action) {
    std::string relative = fs::path(*metadata).lexically_relative(m_job.workspace).string();
    if (!relative.empty() && !relative.starts_with("..")) shown = relative;
  }
  workflow::ActionLoadResult loaded = workflow::load_action(*metadata, shown);
  if (!loaded.ok() || !loaded.action) return std::unexpected(load_error(loaded, shown));
  resolved->action = std::make_shared<const workflow::Action>(std::move(*loaded.action));
  const workflow::ActionRuns& runs = resolved->action->runs;
  auto row = std::ranges::find(k_using_rows, runs.using_kind, &UsingRow::using_kind);
  if (row == std::end(k_using_rows))
    return util::fail("runs.using '" + runs.using_text.value +
                          "' is not supported (composite, node12..node24, docker)",
                      runs.using_text.location);
  resolved->kind = row->kind;
  m_resolved[uses.value] = resolved;
  return resolved;
}

util::Expected<ActionCache> ActionRunner::action_cache() const {
  ActionCacheOptions options;
  options.root = m_job.settings->action_cache_dir;
  if (options.root.empty()) {
    PW_TRY(root, default_action_cache_dir());
    options.root = root;
  }
  options.actions_url = m_job.settings->actions_url;
  options.offline = m_job.settings->offline;
  return ActionCache(options);
}

util::Expected<void> ActionRunner::prepare(const std::vector<workflow::Step>& steps) {
  return prepare_at_depth(steps, 0);
}

util::Expected<void> ActionRunner::prepare_at_depth(const std::vector<workflow::Step>& steps,
                                                    int depth) {
  for (const workflow::Step& step : steps) {
    if (step.kind != workflow::StepKind::uses) continue;
    auto ref = parse_action_ref(step.uses.value, UsesSite::step);
    if (!ref || ref->kind != RefKind::remote_action || find_builtin(*ref, *m_job.settings))
      continue;  // local actions may appear during the job (checkout); bad refs: the step
    PW_TRY(cache, action_cache());
    if (auto fetched = cache.repository_dir(*ref); !fetched) {
      util::Error error = fetched.error();
      error.location = step.uses.location;
      // git's lines, on the one line of a job's failure reason.
      for (size_t nl = error.message.find('\n'); nl != std::string::npos;
           nl = error.message.find('\n', nl))
        error.message.replace(nl, 1, "; ");
      if (error.message.starts_with("Unable to resolve action")) return std::unexpected(error);
      return util::fail(
          fmt::format("Unable to resolve action `{}`: {}", ref->cache_name(), error.message),
          error.location,
          m_job.settings->offline
              ? "fill the action cache with `pipewright actions pull` first, or give a mirror "
                "with --actions-url URL and run without --offline"
              : "check the repository name and the ref; give a mirror with --actions-url URL, "
                "or fill the action cache with `pipewright actions pull` and run with --offline");
    }
    // A composite's own remote actions are prepared too; errors in its action.yml are
    // the step's to report.
    auto resolved = resolve(step.uses);
    if (resolved && (*resolved)->kind == ActionKind::composite && depth < k_max_composite_depth)
      PW_TRY_VOID(prepare_at_depth((*resolved)->action->runs.steps, depth + 1));
  }
  return {};
}

util::Expected<EnvList> ActionRunner::resolve_inputs(const ResolvedAction& action,
                                                     const workflow::Step& step,
                                                     const expr::EvalContext& ctx,
                                                     const ActionOutput* out) {
  EnvList with;
  PW_TRY_VOID(eval_step_map(step.with, ctx, with));
  if (!action.action) return with;  // built-ins take `with:` as written
  EnvList inputs;
  std::vector<std::string> valid, given;
  for (const workflow::ActionInput& input : action.action->inputs) {
    valid.push_back(input.id.value);
    auto given_value = std::ranges::find_if(
        with, [&](const auto& entry) { return lower(entry.first) == lower(input.id.value); });
    if (given_value != with.end()) {
      inputs.emplace_back(input.id.value, given_value->second);
      continue;
    }
    PW_TRY(fallback, eval_step_text(input.default_value, ctx));
    inputs.emplace_back(input.id.value, std::move(fallback));
  }
  for (const auto& [name, value] : with) {
    given.push_back(name);
    bool declared =
        std::ranges::any_of(valid, [&](const auto& v) { return lower(v) == lower(name); });
    if (!declared) inputs.emplace_back(name, value);
  }
  if (std::string warning = unexpected_inputs_warning(given, valid); !warning.empty() && out)
    out->handlers.annotation(Annotation{AnnotationLevel::warning, warning});
  return inputs;
}

std::optional<ActionPhase> ActionRunner::pre_phase(const UsesStep& step,
                                                   const expr::EvalContext& ctx) {
  auto ref = parse_action_ref(step.step->uses.value);
  if (!ref || ref->kind != RefKind::remote_action) return std::nullopt;
  auto resolved = resolve(step.step->uses);
  if (!resolved || (*resolved)->kind != ActionKind::javascript) return std::nullopt;
  const workflow::ActionRuns& runs = (*resolved)->action->runs;
  if (!runs.pre.present() || runs.pre.value.empty()) return std::nullopt;
  auto inputs = resolve_inputs(**resolved, *step.step, ctx, nullptr);
  if (!inputs) return std::nullopt;
  ActionPhase phase;
  phase.name = "Pre " + step.display_name;
  phase.action = *resolved;
  phase.action_id = step.action_id;
  phase.state_key = step.action_id;
  phase.inputs = std::move(*inputs);
  phase.step_env = step.env;
  phase.condition = runs.pre_if;
  return phase;
}

ActionStepResult ActionRunner::run_main(const ResolvedAction& action, const UsesStep& step,
                                        const expr::EvalContext& ctx, const ActionOutput& out) {
  return run_at_depth(action, step, step.action_id, ctx, out, 0);
}

ActionStepResult ActionRunner::run_at_depth(const ResolvedAction& action, const UsesStep& step,
                                            const std::string& state_key,
                                            const expr::EvalContext& ctx, const ActionOutput& out,
                                            int depth) {
  if (action.kind == ActionKind::docker)
    return ActionStepResult{Result::skipped, docker_skip_reason(action), {}, false};
  auto inputs = resolve_inputs(action, *step.step, ctx, &out);
  if (!inputs) {
    std::string message = util::format_error(inputs.error());
    out.handlers.line("##[error]" + m_job.masker->mask(message));
    return ActionStepResult{Result::failure, inputs.error().message, {}, false};
  }
  auto queue_post = [&](EnvList state, workflow::Text condition) {
    ActionPhase post;
    post.name = "Post " + step.display_name;
    post.action = m_resolved.at(step.step->uses.value);
    post.action_id = step.action_id;
    post.state_key = state_key;
    post.inputs = *inputs;
    post.step_env = step.env;
    post.state = std::move(state);
    post.condition = std::move(condition);
    post.post = true;
    m_posts.push_back(std::move(post));
  };
  switch (action.kind) {
    case ActionKind::builtin: {
      BuiltinResult raw;
      ActionStepResult result = run_builtin(action, *inputs, step.env, {}, false, out, &raw);
      if (raw.run_post) queue_post(raw.state, {});
      return result;
    }
    case ActionKind::javascript: {
      const workflow::ActionRuns& runs = action.action->runs;
      ActionStepResult result = run_javascript(action, runs.main.value, step.action_id, state_key,
                                               *inputs, step.env, step.timeout, out);
      if (runs.post.present() && !runs.post.value.empty()) queue_post({}, runs.post_if);
      return result;
    }
    case ActionKind::composite:
      return run_composite(action, step, state_key, *inputs, ctx, out, depth);
    case ActionKind::docker:
      break;
  }
  return ActionStepResult{Result::skipped, docker_skip_reason(action), {}, false};
}

util::Expected<bool> ActionRunner::phase_condition(const ActionPhase& phase,
                                                   const expr::EvalContext& ctx) {
  return eval_phase_condition(phase.condition, ctx);
}

ActionStepResult ActionRunner::run_phase(const ActionPhase& phase, const ActionOutput& out) {
  const ResolvedAction& action = *phase.action;
  if (action.kind == ActionKind::builtin) {
    BuiltinResult raw;
    return run_builtin(action, phase.inputs, phase.step_env, phase.state, phase.post, out, &raw);
  }
  const workflow::ActionRuns& runs = action.action->runs;
  return run_javascript(action, phase.post ? runs.post.value : runs.pre.value, phase.action_id,
                        phase.state_key, phase.inputs, phase.step_env, std::nullopt, out);
}

std::vector<ActionPhase> ActionRunner::take_posts() {
  std::vector<ActionPhase> posts(m_posts.rbegin(), m_posts.rend());
  m_posts.clear();
  return posts;
}

ActionStepResult ActionRunner::run_javascript(
    const ResolvedAction& action, const std::string& entry, const std::string& action_id,
    const std::string& state_key, const EnvList& inputs, const EnvList& step_env,
    std::optional<std::chrono::milliseconds> timeout, const ActionOutput& out) {
  auto fail = [&](const std::string& message) {
    out.handlers.line("##[error]" + m_job.masker->mask(message));
    return ActionStepResult{Result::failure, message, {}, false};
  };
  ScriptStep process;
  process.env = m_host.process_env(step_env);
  for (const auto& [name, value] : inputs)
    env_set(process.env, input_variable(name), value);
  for (const auto& [name, value] : m_states[state_key])
    env_set(process.env, "STATE_" + name, value);
  env_set(process.env, "GITHUB_ACTION", action_id);
  env_set(process.env, "GITHUB_ACTION_PATH", action.dir);
  env_set(process.env, "GITHUB_ACTION_REPOSITORY", action.ref.remote() ? action.ref.slug() : "");
  env_set(process.env, "GITHUB_ACTION_REF", action.ref.remote() ? action.ref.ref : "");

  std::string path = env_lookup(process.env, "PATH").value_or("");
  std::string node = find_program("node", path);
  if (node.empty())
    return fail("Node.js is needed to run the JavaScript action " + action.ref.text +
                " (runs.using: " + action.action->runs.using_text.value +
                ") but `node` was not found on PATH; install it (Debian: apt-get install nodejs)");
  std::string script = (fs::path(action.dir) / entry).lexically_normal().string();
  std::error_code ec;
  if (!fs::is_regular_file(script, ec)) return fail("File not found: '" + script + "'");

  process.argv = {node, script};
  process.working_directory = m_job.workspace;
  process.workspace = m_job.workspace;
  process.timeout = timeout;
  ScriptResult result = m_host.run_process(process, out.handlers);
  m_host.apply_files(result.env, result.path_lines);
  for (auto& [name, value] : result.state)
    env_set(m_states[state_key], name, value);
  if (!result.summary.empty() && out.summary) out.summary(result.summary);
  return ActionStepResult{result.outcome, result.detail, result.outputs, result.timed_out};
}

ActionStepResult ActionRunner::run_builtin(const ResolvedAction& action, const EnvList& inputs,
                                           const EnvList& step_env, const EnvList& state, bool post,
                                           const ActionOutput& out, BuiltinResult* raw) {
  BuiltinCall call;
  call.ref = action.ref;
  for (const auto& [name, value] : inputs)
    call.inputs[name] = value;
  expr::EvalContext base = m_host.base_context();
  if (const expr::Value* github = base.find("github")) call.github = *github;
  call.workspace = m_job.workspace;
  call.runner_temp = m_job.runner_temp;
  call.source_dir = m_job.source_dir;
  call.env = m_host.process_env(step_env);
  for (const auto& [name, value] : state)
    call.state[name] = value;
  call.job_succeeded = m_host.job_succeeded();
  call.settings = m_job.settings;
  call.masker = m_job.masker;
  call.cancel = m_host.begin_in_process_step();
  call.line = [&](std::string_view line) { out.handlers.line(line); };
  call.annotation = [&](const Annotation& a) { out.handlers.annotation(a); };
  *raw = post ? action.builtin->post(call) : action.builtin->main(call);
  if (raw->outcome == Result::failure && !raw->detail.empty())
    out.handlers.line("##[error]" + m_job.masker->mask(raw->detail));
  m_host.apply_files(raw->env, raw->path_lines);
  return ActionStepResult{raw->outcome, raw->detail, raw->outputs, false};
}

}  // namespace pipewright::exec::actions
