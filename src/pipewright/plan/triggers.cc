#include "pipewright/plan/triggers.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "pipewright/util/glob.h"

namespace pipewright::plan {
namespace {

using util::FilterMode;
using util::GlobPattern;
using workflow::TextList;

constexpr size_t k_max_filtered_files = 300;

TriggerResult no(std::string reason) {
  return {false, std::move(reason)};
}
TriggerResult yes(std::string reason) {
  return {true, std::move(reason)};
}

// "[a, b]" of a list as written.
std::string show_list(const TextList& list) {
  std::string out = "[";
  for (size_t i = 0; i < list.items.size(); ++i) {
    if (i) out += ", ";
    out += list.items[i].value;
  }
  return out + "]";
}

util::Expected<std::vector<GlobPattern>> compile(const TextList& list, std::string_view key) {
  std::vector<GlobPattern> out;
  for (const workflow::Text& item : list.items) {
    auto pattern = GlobPattern::compile(item.value);
    if (!pattern) {
      return util::fail(
          fmt::format("invalid pattern '{}' in {}: {}", item.value, key, pattern.error().message),
          item.location);
    }
    out.push_back(std::move(*pattern));
  }
  return out;
}

// Applies `list` (named `key`) to one name; nullopt when it passes, else the reason.
util::Expected<std::optional<std::string>> check_names(const TextList& list, std::string_view key,
                                                       FilterMode mode, std::string_view what,
                                                       const std::string& name) {
  PW_TRY(patterns, compile(list, key));
  std::string inputs[] = {name};
  if (util::filter_passes(patterns, inputs, mode)) return std::optional<std::string>();
  return std::optional<std::string>(
      mode == FilterMode::positive
          ? fmt::format("{} '{}' does not match {}: {}", what, name, key, show_list(list))
          : fmt::format("{} '{}' is ignored by {}: {}", what, name, key, show_list(list)));
}

// Branch filters (`branches` / `branches-ignore`) or tag filters on `name`.
util::Expected<std::optional<std::string>> check_ref_filters(const TextList& positive,
                                                             const TextList& ignore,
                                                             std::string_view key,
                                                             std::string_view what,
                                                             const std::string& name) {
  if (positive.present()) return check_names(positive, key, FilterMode::positive, what, name);
  if (ignore.present()) {
    return check_names(ignore, std::string(key) + "-ignore", FilterMode::ignore, what, name);
  }
  return std::optional<std::string>();
}

// paths / paths-ignore against the event's changed files.
util::Expected<std::optional<std::string>> check_paths(const workflow::Event& def,
                                                       const Event& event) {
  if (!def.paths.present() && !def.paths_ignore.present()) return std::optional<std::string>();
  if (!event.changed_files) return std::optional<std::string>();  // unknown: runs (like GitHub)
  const std::vector<std::string>& all = event.changed_files->files;
  if (all.empty()) return std::optional<std::string>("no changed files to match paths filters");
  std::span<const std::string> files(all.data(), std::min(all.size(), k_max_filtered_files));
  bool positive = def.paths.present();
  const TextList& list = positive ? def.paths : def.paths_ignore;
  std::string_view key = positive ? "paths" : "paths-ignore";
  PW_TRY(patterns, compile(list, key));
  FilterMode mode = positive ? FilterMode::positive : FilterMode::ignore;
  if (util::filter_passes(patterns, files, mode)) return std::optional<std::string>();
  return std::optional<std::string>(
      positive ? fmt::format("no changed file ({} checked) matches paths: {}", files.size(),
                             show_list(list))
               : fmt::format("every changed file ({} checked) is ignored by paths-ignore: {}",
                             files.size(), show_list(list)));
}

util::Expected<TriggerResult> match_push(const workflow::Event& def, const Event& event) {
  bool branch_filters = def.branches.present() || def.branches_ignore.present();
  bool tag_filters = def.tags.present() || def.tags_ignore.present();
  std::string name = event.ref_name();
  if (event.ref_type() == RefType::tag) {
    if (!tag_filters && branch_filters) {
      return no(fmt::format("tag '{}' pushed, but push has only branch filters", name));
    }
    PW_TRY(why, check_ref_filters(def.tags, def.tags_ignore, "tags", "tag", name));
    if (why) return no(*why);
    return yes(fmt::format("push of tag '{}'", name));  // paths are ignored for tags
  }
  if (!branch_filters && tag_filters) {
    return no(fmt::format("branch '{}' pushed, but push has only tag filters", name));
  }
  PW_TRY(why, check_ref_filters(def.branches, def.branches_ignore, "branches", "branch", name));
  if (why) return no(*why);
  PW_TRY(paths_why, check_paths(def, event));
  if (paths_why) return no(*paths_why);
  return yes(fmt::format("push to branch '{}'", name));
}

bool in_list(const TextList& list, std::string_view value) {
  return std::any_of(list.items.begin(), list.items.end(),
                     [&](const workflow::Text& t) { return t.value == value; });
}

// `types`, with the pull_request defaults.
std::optional<std::string> check_types(const workflow::Event& def, const Event& event) {
  static const std::vector<std::string_view> k_pr_defaults = {"opened", "synchronize", "reopened"};
  bool is_pr = event.name == "pull_request" || event.name == "pull_request_target";
  if (def.types.present()) {
    if (event.action.empty() || in_list(def.types, event.action)) return std::nullopt;
    return fmt::format("activity type '{}' is not in types: {}", event.action,
                       show_list(def.types));
  }
  if (is_pr && !event.action.empty() &&
      std::find(k_pr_defaults.begin(), k_pr_defaults.end(), event.action) == k_pr_defaults.end()) {
    return fmt::format(
        "activity type '{}' is not one of the defaults for {} (opened, synchronize, reopened)",
        event.action, event.name);
  }
  return std::nullopt;
}

std::string payload_string(const Event& event, std::initializer_list<std::string_view> keys) {
  const expr::Value* v = &event.payload;
  for (std::string_view key : keys) {
    v = v->member(key);
    if (!v) return {};
  }
  return v->kind() == expr::Kind::string ? v->as_string() : std::string();
}

std::string list_events(const workflow::Workflow& workflow) {
  std::string out;
  for (const workflow::Event& e : workflow.on) {
    if (!out.empty()) out += ", ";
    out += e.name.value;
  }
  return out.empty() ? std::string("nothing") : out;
}

}  // namespace

util::Expected<TriggerResult> match_triggers(const workflow::Workflow& workflow,
                                             const Event& event) {
  const workflow::Event* def = workflow.find_event(event.name);
  if (!def) {
    return no(fmt::format("not triggered by {} (on: {})", event.name, list_events(workflow)));
  }
  if (auto why = check_types(*def, event)) return no(*why);
  if (event.name == "push") return match_push(*def, event);
  if (event.name == "pull_request" || event.name == "pull_request_target") {
    PW_TRY(why, check_ref_filters(def->branches, def->branches_ignore, "branches", "base branch",
                                  event.base_ref));
    if (why) return no(*why);
    PW_TRY(paths_why, check_paths(*def, event));
    if (paths_why) return no(*paths_why);
    return yes(fmt::format("{} from '{}' into '{}'", event.name, event.head_ref, event.base_ref));
  }
  if (event.name == "workflow_run") {
    std::string source = payload_string(event, {"workflow_run", "name"});
    if (def->workflows.present() && !source.empty() && !in_list(def->workflows, source)) {
      return no(
          fmt::format("workflow '{}' is not in workflows: {}", source, show_list(def->workflows)));
    }
    std::string branch = payload_string(event, {"workflow_run", "head_branch"});
    if (!branch.empty()) {
      PW_TRY(why,
             check_ref_filters(def->branches, def->branches_ignore, "branches", "branch", branch));
      if (why) return no(*why);
    }
  }
  return yes(event.name);
}

// Inputs -------------------------------------------------------------------------------

namespace {

enum class InputFlavor { dispatch, call };

std::string_view type_name(std::optional<workflow::InputType> type) {
  using T = workflow::InputType;
  switch (type.value_or(T::string)) {
    case T::boolean:
      return "boolean";
    case T::number:
      return "number";
    case T::choice:
      return "choice";
    case T::environment:
      return "environment";
    case T::string:
      break;
  }
  return "string";
}

// `value` converted to the input's type, or a problem description.
std::expected<expr::Value, std::string> convert(const workflow::InputDefinition& def,
                                                const expr::Value& value) {
  using T = workflow::InputType;
  const std::string& id = def.id.value;
  T type = def.input_type.value_or(T::string);
  if (type == T::boolean) {
    if (value.kind() == expr::Kind::boolean) return value;
    std::string text = value.kind() == expr::Kind::string ? value.as_string() : std::string();
    std::string lower = text;
    std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
    if (lower == "true") return expr::Value(true);
    if (lower == "false") return expr::Value(false);
    return std::unexpected(fmt::format("input '{}' must be a boolean (true or false), got '{}'", id,
                                       value.to_display_string()));
  }
  if (type == T::number) {
    double n = value.kind() == expr::Kind::number ? value.as_number()
               : value.kind() == expr::Kind::string && !value.as_string().empty()
                   ? expr::parse_number(value.as_string())
                   : std::nan("");
    if (std::isnan(n)) {
      return std::unexpected(
          fmt::format("input '{}' must be a number, got '{}'", id, value.to_display_string()));
    }
    return expr::Value(n);
  }
  if (value.kind() == expr::Kind::array || value.kind() == expr::Kind::object) {
    return std::unexpected(fmt::format("input '{}' must be a {}, got {}", id, type_name(type),
                                       expr::kind_name(value.kind())));
  }
  std::string text = value.to_display_string();
  if (type == T::choice && !in_list(def.options, text)) {
    return std::unexpected(
        fmt::format("input '{}' must be one of {}, got '{}'", id, show_list(def.options), text));
  }
  return expr::Value(text);
}

// The value of an absent input without a default.
expr::Value zero_value(const workflow::InputDefinition& def) {
  using T = workflow::InputType;
  switch (def.input_type.value_or(T::string)) {
    case T::boolean:
      return expr::Value(false);
    case T::number:
      return expr::Value(0);
    default:
      return expr::Value("");
  }
}

util::Expected<ResolvedInputs> resolve(const workflow::Event& definition, const expr::Object& given,
                                       const expr::EvalContext* context, InputFlavor flavor) {
  std::vector<std::string> problems;
  for (const auto& [key, value] : given) {
    bool known = std::any_of(definition.inputs.begin(), definition.inputs.end(),
                             [&](const auto& in) { return in.id.value == key; });
    if (!known) {
      problems.push_back(
          flavor == InputFlavor::call
              ? fmt::format("Invalid input, {} is not defined in the referenced workflow.", key)
              : fmt::format("unexpected input '{}' (not defined under "
                            "on.workflow_dispatch.inputs)",
                            key));
    }
  }
  std::vector<std::string> missing;
  expr::Object inputs, event_inputs;
  for (const workflow::InputDefinition& def : definition.inputs) {
    const std::string& id = def.id.value;
    std::optional<expr::Value> raw;
    if (const expr::Value* v = given.find(id)) {
      raw = *v;
    } else if (def.default_value.present()) {
      if (def.default_value.has_expressions() && context) {
        auto evaluated = def.default_value.tmpl->evaluate(*context);
        if (!evaluated) {
          problems.push_back(
              fmt::format("default of input '{}': {}", id, evaluated.error().message));
          continue;
        }
        raw = *evaluated;
      } else {
        raw = expr::Value(def.default_value.value);
      }
    }
    if (!raw) {
      if (def.required.value_or(false)) {
        missing.push_back(id);
        continue;
      }
      raw = zero_value(def);
      inputs.set(id, *raw);
      event_inputs.set(id, raw->to_display_string());
      continue;
    }
    auto value = convert(def, *raw);
    if (!value) {
      problems.push_back(value.error());
      continue;
    }
    inputs.set(id, *value);
    event_inputs.set(id, value->to_display_string());
  }
  if (!missing.empty()) {
    if (flavor == InputFlavor::call) {
      for (const std::string& id : missing) {
        problems.push_back(
            fmt::format("Input {} is required, but not provided while calling.", id));
      }
    } else {
      std::string list;
      for (const std::string& id : missing)
        list += (list.empty() ? "" : ", ") + id;
      problems.insert(problems.begin(), fmt::format("missing required input{}: {}",
                                                    missing.size() > 1 ? "s" : "", list));
    }
  }
  if (!problems.empty()) {
    std::string message;
    for (const std::string& p : problems)
      message += (message.empty() ? "" : "; ") + p;
    return util::fail(std::move(message), definition.location,
                      flavor == InputFlavor::dispatch
                          ? "give inputs with --input NAME=VALUE or in -e event.json's \"inputs\""
                          : "");
  }
  return ResolvedInputs{expr::Value(std::move(inputs)), expr::Value(std::move(event_inputs))};
}

}  // namespace

util::Expected<ResolvedInputs> resolve_dispatch_inputs(const workflow::Event& definition,
                                                       const expr::Object& given) {
  return resolve(definition, given, nullptr, InputFlavor::dispatch);
}

util::Expected<ResolvedInputs> resolve_call_inputs(const workflow::Event& definition,
                                                   const expr::Object& with,
                                                   const expr::EvalContext& context) {
  return resolve(definition, with, &context, InputFlavor::call);
}

}  // namespace pipewright::plan
