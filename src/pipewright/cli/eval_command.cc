// `pipewright eval 'EXPR' [--context FILE.json] [--event FILE.json] [--format text|json]`:
// evaluates one ${{ }} expression the way the runner would in a `run:` step.
// Without --context the contexts are those of a push to the current repository.
// Exit codes: 0 evaluated, 2 an expression error or bad input.
#include <cmath>
#include <filesystem>
#include <iostream>
#include <string>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "pipewright/cli/commands.h"
#include "pipewright/expr/evaluator.h"
#include "pipewright/expr/json.h"
#include "pipewright/expr/parser.h"
#include "pipewright/os/file.h"
#include "pipewright/os/hash_files.h"
#include "pipewright/plan/contexts.h"
#include "pipewright/plan/event.h"
#include "pipewright/plan/repository.h"
#include "pipewright/util/error.h"

namespace pipewright::cli {

namespace {

namespace fs = std::filesystem;
using expr::Object;
using expr::Value;

struct EvalOptions {
  std::string expression;
  std::string context_file;
  std::string event_file;
  std::string format = "text";
};

// The JSON object in `path`, or an error message.
std::expected<Value, std::string> read_json_object(const std::string& path, const char* option) {
  auto text = os::read_file(path, 64 * 1024 * 1024);
  if (!text) return std::unexpected(text.error().message);
  auto value = expr::parse_json(*text);
  if (!value) return std::unexpected(path + ": invalid JSON: " + value.error());
  if (value->kind() != expr::Kind::object)
    return std::unexpected(std::string(option) + " " + path + " must hold a JSON object");
  return *value;
}

// The contexts of a `run:` step of a push to the repository around the current
// directory: the github context `pipewright run` builds, from the same synthesized
// push payload (with --event merged over it).
std::expected<Object, std::string> default_contexts(const std::string& event_file) {
  auto repository = plan::Repository::open(fs::current_path().string());
  if (!repository) return std::unexpected(repository.error().message);
  plan::EventOptions event_options;
  event_options.event_path = event_file;
  auto event = plan::build_event(event_options, *repository);
  if (!event) return std::unexpected(util::format_error(event.error()));
  plan::RunInfo info;
  info.workflow = "eval";
  info.workspace = repository->info().root;
  plan::GithubOverrides overrides;
  overrides.job = "eval";
  overrides.action = "__run";
  Object contexts;
  contexts.set("github", plan::with_overrides(
                             plan::github_context(repository->info(), *event, info), overrides));
  Object job;
  job.set("status", Value("success"));
  contexts.set("job", Value(std::move(job)));
  contexts.set("runner", plan::runner_context(plan::detect_runner("", false)));
  for (const char* name :
       {"env", "vars", "secrets", "steps", "matrix", "needs", "strategy", "inputs"})
    contexts.set(name, Value(Object()));
  return contexts;
}

nlohmann::ordered_json to_nlohmann(const Value& v) {
  switch (v.kind()) {
    case expr::Kind::null:
      return nullptr;
    case expr::Kind::boolean:
      return v.as_bool();
    case expr::Kind::number: {
      double n = v.as_number();
      if (!std::isfinite(n)) return expr::format_number(n);  // NaN, Infinity, -Infinity
      if (n == std::floor(n) && std::fabs(n) < 9e15) return static_cast<int64_t>(n);
      return n;
    }
    case expr::Kind::string:
      return v.as_string();
    case expr::Kind::array: {
      nlohmann::ordered_json a = nlohmann::ordered_json::array();
      for (const Value& item : v.as_array())
        a.push_back(to_nlohmann(item));
      return a;
    }
    case expr::Kind::object: {
      nlohmann::ordered_json o = nlohmann::ordered_json::object();
      for (const auto& [key, value] : v.as_object())
        o[key] = to_nlohmann(value);
      return o;
    }
  }
  return nullptr;
}

// The expression's line holding column `position` (1-based, UTF-16 units as in
// GitHub's messages) and a caret under it (counted in code points).
void print_caret(std::ostream& out, const std::string& text, int position) {
  if (position <= 0) return;
  size_t line_start = 0;
  int column = 0;  // code points since line_start
  int units = 0;   // UTF-16 units before i
  for (size_t i = 0; i < text.size(); ++i) {
    auto b = static_cast<unsigned char>(text[i]);
    if ((b & 0xC0) == 0x80) continue;
    if (units + 1 >= position) break;
    units += b >= 0xF0 ? 2 : 1;
    if (b == '\n') {
      line_start = i + 1;
      column = 0;
    } else {
      ++column;
    }
  }
  size_t line_end = text.find('\n', line_start);
  std::string line = text.substr(
      line_start, line_end == std::string::npos ? std::string::npos : line_end - line_start);
  out << "  " << line << "\n  " << std::string(static_cast<size_t>(column), ' ') << "^\n";
}

int run_eval(const EvalOptions& options) {
  bool json = options.format == "json";
  // Contexts: the --context file's top-level keys, or a push event's run step.
  Object contexts;
  if (!options.context_file.empty()) {
    auto parsed = read_json_object(options.context_file, "--context");
    if (!parsed) {
      std::cerr << "pipewright eval: " << parsed.error() << "\n";
      return 2;
    }
    contexts = parsed->as_object();
  } else {
    auto made = default_contexts(options.event_file);
    if (!made) {
      std::cerr << "pipewright eval: " << made.error() << "\n";
      return 2;
    }
    contexts = std::move(*made);
  }

  // Accept the expression with or without its ${{ }}.
  std::string text = options.expression;
  std::string_view trimmed = text;
  while (!trimmed.empty() && std::isspace(static_cast<unsigned char>(trimmed.front())))
    trimmed.remove_prefix(1);
  while (!trimmed.empty() && std::isspace(static_cast<unsigned char>(trimmed.back())))
    trimmed.remove_suffix(1);
  if (trimmed.starts_with("${{") && trimmed.ends_with("}}") && trimmed.size() >= 5)
    text = std::string(trimmed.substr(3, trimmed.size() - 5));

  expr::ParseOptions parse_options;
  expr::EvalContext context;
  for (const auto& [name, value] : contexts) {
    parse_options.named_values.push_back(name);
    context.set(name, value);
  }
  std::string workspace = fs::current_path().string();
  context.set_hash_files_hook([workspace](const std::vector<std::string>& patterns,
                                          bool follow) -> std::expected<std::string, std::string> {
    auto digest = os::hash_files(workspace, patterns, follow);
    if (!digest) return std::unexpected(digest.error().message);
    return *digest;
  });

  auto result = [&]() -> std::expected<Value, expr::ExprError> {
    auto expression = expr::parse(text, parse_options);
    if (!expression) return std::unexpected(expression.error());
    return expr::evaluate(*expression, context);
  }();

  if (!result) {
    const expr::ExprError& e = result.error();
    if (json) {
      nlohmann::ordered_json out = {
          {"err", {{"kind", expr::error_kind_name(e.kind)}, {"value", e.message}}}};
      std::cout << out.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace)
                << "\n";
    } else {
      std::cerr << "pipewright eval: " << expr::error_kind_name(e.kind) << " error: " << e.message
                << "\n";
      print_caret(std::cerr, text, e.position);
    }
    return 2;
  }
  if (json) {
    nlohmann::ordered_json out = {{"kind", std::string(expr::kind_name(result->kind()))},
                                  {"value", to_nlohmann(*result)}};
    std::cout << out.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace) << "\n";
  } else if (result->is_primitive()) {
    std::cout << result->to_display_string() << "\n";
  } else {
    std::cout << expr::to_json(*result) << "\n";
  }
  return 0;
}

}  // namespace

void add_eval_command(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<EvalOptions>();
  auto* cmd = app.add_subcommand("eval", "Evaluate a ${{ }} expression");
  cmd->add_option("expression", options->expression, "The expression, with or without ${{ }}");
  // CLI11 takes '-.5' for an unknown short option: such a word is the expression.
  cmd->allow_extras();
  cmd->add_option(
      "--context", options->context_file,
      "JSON object whose top-level keys are the contexts (default: a push to this repository)");
  cmd->add_option("--event", options->event_file,
                  "JSON webhook payload for github.event (without --context)");
  cmd->add_option("--format", options->format, "Output format")
      ->check(CLI::IsMember({"text", "json"}));
  cmd->callback([options, cmd, &exit_code] {
    std::vector<std::string> extras = cmd->remaining();
    std::erase(extras, "--");  // allow_extras keeps the separator; it is no argument
    if (options->expression.empty() && extras.size() == 1 && !extras.front().starts_with("--")) {
      options->expression = extras.front();
      extras.clear();
    }
    if (!extras.empty()) throw CLI::ExtrasError(cmd->get_name(), extras);
    if (options->expression.empty() && cmd->count("expression") == 0)
      throw CLI::RequiredError("expression");
    exit_code = run_eval(*options);
  });
}

}  // namespace pipewright::cli
