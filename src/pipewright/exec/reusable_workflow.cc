#include "pipewright/exec/reusable_workflow.h"

#include <algorithm>
#include <filesystem>

#include "pipewright/exec/actions/action_cache.h"
#include "pipewright/exec/actions/action_ref.h"
#include "pipewright/os/file.h"
#include "pipewright/plan/matrix.h"
#include "pipewright/plan/triggers.h"
#include "pipewright/workflow/loader.h"

namespace pipewright::exec {

using expr::Object;
using expr::Value;

namespace {

constexpr size_t k_max_workflow_bytes = 1024 * 1024;

// GitHub's prefix for problems with a called workflow.
std::string called_error(const CallSite& site, const workflow::Text& uses, std::string_view what) {
  return "error parsing called workflow \"" + site.file + "\" -> \"" + uses.value +
         "\" : " + std::string(what);
}

std::string lower(std::string text) {
  std::ranges::transform(text, text.begin(), [](unsigned char c) { return std::tolower(c); });
  return text;
}

// The file a workflow reference points at, with the repository its `./` refs use.
struct Located {
  std::string path;
  std::string repository_dir;
  std::string file;  // display name
};

util::Expected<Located> locate(const workflow::Job& caller, const CallSite& site,
                               const actions::ActionSettings& settings) {
  auto ref = actions::parse_action_ref(caller.uses.value, actions::UsesSite::job);
  if (!ref) return util::fail(ref.error().message, caller.uses.location, ref.error().hint);
  if (ref->kind == actions::RefKind::local_workflow)
    return Located{site.repository_dir + "/" + ref->path, site.repository_dir, ref->path};
  actions::ActionCacheOptions options;
  options.root = settings.action_cache_dir;
  if (options.root.empty()) {
    auto root = actions::default_action_cache_dir();
    if (!root) return util::fail(root.error().message, caller.uses.location, root.error().hint);
    options.root = *root;
  }
  options.actions_url = settings.actions_url;
  options.offline = settings.offline;
  actions::ActionCache cache(std::move(options));
  auto dir = cache.repository_dir(*ref);
  if (!dir) return util::fail(dir.error().message, caller.uses.location, dir.error().hint);
  return Located{*dir + "/" + ref->path, *dir, ref->text};
}

// "Boolean", "Number", "String": GitHub's names in type errors.
std::string_view type_label(workflow::InputType type) {
  switch (type) {
    case workflow::InputType::boolean:
      return "Boolean";
    case workflow::InputType::number:
      return "Number";
    default:
      return "String";
  }
}

// `value` checked against an input's declared type the way GitHub checks a `with:`
// value: booleans and numbers must already have their type; strings take any scalar.
util::Expected<Value> check_type(const workflow::InputDefinition& def, const Value& value,
                                 const util::Location& location) {
  workflow::InputType type = def.input_type.value_or(workflow::InputType::string);
  bool ok = type == workflow::InputType::boolean  ? value.kind() == expr::Kind::boolean
            : type == workflow::InputType::number ? value.kind() == expr::Kind::number
                                                  : value.is_primitive();
  if (!ok) {
    std::string shown = value.is_primitive() ? value.to_display_string()
                                             : std::string(expr::kind_name(value.kind()));
    return util::fail("Unexpected type of value '" + shown +
                          "', expected type: " + std::string(type_label(type)) + ".",
                      location);
  }
  if (type == workflow::InputType::boolean || type == workflow::InputType::number) return value;
  return Value(value.to_display_string());
}

const workflow::InputDefinition* find_input(const workflow::Event& call, std::string_view id) {
  for (const workflow::InputDefinition& def : call.inputs)
    if (lower(def.id.value) == lower(std::string(id))) return &def;
  return nullptr;
}

const workflow::SecretDefinition* find_secret(const workflow::Event& call, std::string_view id) {
  for (const workflow::SecretDefinition& def : call.secrets)
    if (lower(def.id.value) == lower(std::string(id))) return &def;
  return nullptr;
}

}  // namespace

std::string workflow_identity(const std::string& path) {
  std::error_code ec;
  std::filesystem::path absolute = std::filesystem::weakly_canonical(path, ec);
  if (ec) absolute = std::filesystem::absolute(path, ec).lexically_normal();
  return absolute.string();
}

util::Expected<CalledWorkflow> load_called_workflow(const workflow::Job& caller,
                                                    const CallSite& site,
                                                    const actions::ActionSettings& settings) {
  PW_TRY(located, locate(caller, site, settings));
  CalledWorkflow called;
  called.identity = workflow_identity(located.path);
  called.file = located.file;
  called.repository_dir = located.repository_dir;
  if (std::ranges::find(site.chain, called.identity) != site.chain.end())
    return util::fail(called_error(site, caller.uses,
                                   "the workflow is already being called by a workflow that "
                                   "calls this one (a cycle of reusable workflows)"),
                      caller.uses.location);
  if (site.chain.size() + 1 > k_max_workflow_levels)
    return util::fail(
        called_error(site, caller.uses,
                     "too many levels of reusable workflows: this would be level " +
                         std::to_string(site.chain.size() + 1) + ", GitHub allows " +
                         std::to_string(k_max_workflow_levels) + " (the top-level caller and " +
                         std::to_string(k_max_workflow_levels - 1) + " nested levels)"),
        caller.uses.location);
  std::error_code ec;
  if (!std::filesystem::is_regular_file(located.path, ec))
    return util::fail(
        called_error(site, caller.uses, "failed to fetch workflow: workflow was not found."),
        caller.uses.location);
  PW_TRY(text, os::read_file(located.path, k_max_workflow_bytes));
  workflow::LoadResult loaded = workflow::load_workflow_text(text, called.file);
  if (!loaded.ok() || !loaded.workflow) {
    for (const util::Diagnostic& d : loaded.diagnostics)
      if (d.severity == util::Severity::error) return util::fail(d.message, d.location, d.hint);
    return util::fail(called_error(site, caller.uses, "the workflow could not be loaded"),
                      caller.uses.location);
  }
  called.workflow = std::make_shared<const workflow::Workflow>(std::move(*loaded.workflow));
  called.call = called.workflow->find_event("workflow_call");
  if (!called.call)
    return util::fail(called_error(site, caller.uses,
                                   "workflow is not reusable as it is missing a "
                                   "`on.workflow_call` trigger"),
                      caller.uses.location);
  return called;
}

util::Expected<Value> resolve_called_inputs(const workflow::Job& caller,
                                            const workflow::Event& call,
                                            const expr::EvalContext& context,
                                            const std::string& file) {
  Object given;
  auto add = [&](const std::string& key, const Value& value,
                 const util::Location& location) -> util::Expected<void> {
    const workflow::InputDefinition* def = find_input(call, key);
    if (!def) {
      given.set(key, value);  // resolve_call_inputs reports it with GitHub's text
      return {};
    }
    PW_TRY(checked, check_type(*def, value, location));
    given.set(def->id.value, std::move(checked));
    return {};
  };
  if (caller.with.expression.present()) {
    Value whole;
    if (caller.with.expression.tmpl) {
      auto value = caller.with.expression.tmpl->evaluate(context);
      if (!value) return util::fail(value.error().message, caller.with.expression.location);
      whole = *value;
    }
    if (whole.kind() != expr::Kind::object)
      return util::fail("with: must evaluate to a mapping of inputs",
                        caller.with.expression.location);
    for (const auto& [key, value] : whole.as_object())
      PW_TRY_VOID(add(key, value, caller.with.expression.location));
  }
  for (const auto& [key, text] : caller.with.entries) {
    Value value(text.value);
    if (text.node) {
      PW_TRY(typed, plan::yaml_to_value(*text.node, context, file));
      value = std::move(typed);
    } else if (text.tmpl) {
      auto evaluated = text.tmpl->evaluate(context);
      if (!evaluated) return util::fail(evaluated.error().message, text.location);
      value = *evaluated;
    }
    PW_TRY_VOID(add(key.value, value, text.location));
  }
  expr::EvalContext defaults;
  for (const char* name : {"github", "inputs", "vars"})
    if (const Value* v = context.find(name)) defaults.set(name, *v);
  auto resolved = plan::resolve_call_inputs(call, given, defaults);
  if (!resolved) {
    util::Error error = resolved.error();
    error.location = caller.uses.location;
    return std::unexpected(std::move(error));
  }
  return resolved->inputs;
}

util::Expected<Value> resolve_called_secrets(const workflow::Job& caller,
                                             const workflow::Event& call,
                                             const expr::EvalContext& context,
                                             const Value& caller_secrets) {
  Object secrets;
  if (caller.secrets_inherit) {
    if (caller_secrets.kind() == expr::Kind::object) secrets = caller_secrets.as_object();
  } else {
    std::vector<std::string> problems;
    for (const auto& [key, text] : caller.secrets.entries) {
      const workflow::SecretDefinition* def = find_secret(call, key.value);
      if (!def) {
        problems.push_back("Invalid secret, " + key.value +
                           " is not defined in the referenced workflow.");
        continue;
      }
      Value value(text.value);
      if (text.tmpl) {
        auto evaluated = text.tmpl->evaluate(context);
        if (!evaluated) return util::fail(evaluated.error().message, text.location);
        value = Value(evaluated->is_null() ? std::string() : evaluated->to_display_string());
      }
      secrets.set(def->id.value, std::move(value));
    }
    if (!problems.empty()) {
      std::string message;
      for (const std::string& p : problems)
        message += (message.empty() ? "" : "; ") + p;
      return util::fail(std::move(message), caller.secrets.location);
    }
  }
  std::vector<std::string> missing;
  for (const workflow::SecretDefinition& def : call.secrets)
    if (def.required.value_or(false) && !secrets.find(def.id.value))
      missing.push_back("Secret " + def.id.value + " is required, but not provided while calling.");
  if (!missing.empty()) {
    std::string message;
    for (const std::string& m : missing)
      message += (message.empty() ? "" : "; ") + m;
    return util::fail(std::move(message), caller.uses.location);
  }
  if (caller_secrets.kind() == expr::Kind::object)
    if (const Value* token = caller_secrets.as_object().find("GITHUB_TOKEN"))
      secrets.set("GITHUB_TOKEN", *token);
  return Value(std::move(secrets));
}

util::Expected<Object> evaluate_called_outputs(const workflow::Event& call,
                                               const expr::EvalContext& context) {
  Object outputs;
  for (const workflow::OutputDefinition& def : call.outputs) {
    if (!def.value.present()) continue;
    Value value(def.value.value);
    if (def.value.tmpl) {
      auto evaluated = def.value.tmpl->evaluate(context);
      if (!evaluated)
        return util::fail("output '" + def.id.value + "': " + evaluated.error().message,
                          def.value.location);
      value = *evaluated;
    }
    outputs.set(def.id.value, Value(value.is_null() ? std::string() : value.to_display_string()));
  }
  return outputs;
}

Result called_workflow_result(const std::vector<Result>& job_results) {
  auto any = [&](Result r) { return std::ranges::find(job_results, r) != job_results.end(); };
  if (any(Result::failure)) return Result::failure;
  if (any(Result::cancelled)) return Result::cancelled;
  if (!job_results.empty() &&
      std::ranges::all_of(job_results, [](Result r) { return r == Result::skipped; }))
    return Result::skipped;
  return Result::success;
}

std::string called_job_name(std::string_view caller, std::string_view callee) {
  return std::string(caller) + " / " + std::string(callee);
}

}  // namespace pipewright::exec
