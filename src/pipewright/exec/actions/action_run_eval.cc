#include "pipewright/exec/actions/action_run_eval.h"

#include "pipewright/expr/template.h"

namespace pipewright::exec::actions {

using expr::Value;

util::Expected<std::string> eval_step_text(const workflow::Text& text,
                                           const expr::EvalContext& ctx) {
  if (!text.present()) return std::string();
  if (!text.tmpl) return text.value;
  auto value = text.tmpl->evaluate(ctx);
  if (!value) return util::fail(value.error().message, text.location);
  return value->to_display_string();
}

util::Expected<bool> eval_step_bool(const workflow::Bool& flag, const expr::EvalContext& ctx) {
  if (!flag.present()) return false;
  if (flag.value) return *flag.value;
  auto value = flag.text.tmpl ? flag.text.tmpl->evaluate(ctx) : Value(flag.text.value);
  if (!value) return util::fail(value.error().message, flag.text.location);
  return value->truthy();
}

util::Expected<std::optional<double>> eval_step_number(const workflow::Number& number,
                                                       const expr::EvalContext& ctx) {
  if (!number.present()) return std::optional<double>();
  if (number.value) return std::optional<double>(*number.value);
  auto value = number.text.tmpl ? number.text.tmpl->evaluate(ctx) : Value(number.text.value);
  if (!value) return util::fail(value.error().message, number.text.location);
  return std::optional<double>(value->to_number());
}

util::Expected<bool> eval_step_condition(const workflow::Text& condition,
                                         const expr::EvalContext& ctx) {
  expr::ParseOptions options;
  options.allow_any_named_value = true;
  auto parsed = expr::parse_condition(condition.present() ? condition.value : "", options);
  if (!parsed) return util::fail(parsed.error().message, condition.location);
  auto value = expr::evaluate(*parsed, ctx);
  if (!value) return util::fail(value.error().message, condition.location);
  return value->truthy();
}

bool calls_status_function(const workflow::Text& condition) {
  expr::ParseOptions options;
  options.allow_any_named_value = true;
  return condition.present() && expr::calls_status_function(condition.value, options);
}

util::Expected<bool> eval_phase_condition(const workflow::Text& condition,
                                          const expr::EvalContext& ctx) {
  std::string_view text = condition.present() ? std::string_view(condition.value) : "";
  auto trim = [](std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\n'))
      s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\n'))
      s.remove_suffix(1);
    return s;
  };
  text = trim(text);
  if (text.starts_with("${{") && text.ends_with("}}") && text.size() >= 5)
    text = trim(text.substr(3, text.size() - 5));
  if (text.empty()) return true;
  expr::ParseOptions options;
  options.allow_any_named_value = true;
  auto parsed = expr::parse(text, options);
  if (!parsed) return util::fail(parsed.error().message, condition.location);
  auto value = expr::evaluate(*parsed, ctx);
  if (!value) return util::fail(value.error().message, condition.location);
  return value->truthy();
}

util::Expected<void> eval_step_map(const workflow::TextMap& map, const expr::EvalContext& ctx,
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
    if (workflow::is_insert_directive(key.value)) {
      // `${{ insert }}: ${{ expr }}`: the mapping expr gives, merged in its place.
      auto value = text.tmpl ? text.tmpl->evaluate(ctx) : Value(text.value);
      if (!value) return util::fail(value.error().message, text.location);
      if (value->kind() != expr::Kind::object)
        return util::fail(
            "${{ insert }} needs a mapping, got " + std::string(expr::kind_name(value->kind())),
            text.location);
      for (const auto& [k, v] : value->as_object())
        env_set(into, k, v.to_display_string());
      continue;
    }
    PW_TRY(value, eval_step_text(text, ctx));
    env_set(into, key.value, std::move(value));
  }
  return {};
}

Value env_value(const EnvList& env) {
  expr::Object object;
  for (const auto& [name, value] : env)
    object.set(name, Value(value));
  return Value(std::move(object));
}

}  // namespace pipewright::exec::actions
