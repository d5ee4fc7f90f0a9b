// `pipewright eval 'EXPR' [--context FILE.json] [--event FILE.json] [--format text|json]`:
// evaluates one ${{ }} expression the way the runner would in a `run:` step.
// Without --context the contexts are those of a push to the current repository.
// Exit codes: 0 evaluated, 2 an expression error or bad input.
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <string>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>
#include <sys/utsname.h>
#include <unistd.h>

#include "pipewright/cli/commands.h"
#include "pipewright/expr/evaluator.h"
#include "pipewright/expr/json.h"
#include "pipewright/expr/parser.h"
#include "pipewright/os/file.h"
#include "pipewright/os/hash_files.h"

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

// The first line of a command's output, or "" when it fails.
std::string command_output(const char* command) {
  std::FILE* pipe = ::popen(command, "r");
  if (!pipe) return {};
  std::string out;
  char buf[512];
  while (std::fgets(buf, sizeof buf, pipe))
    out += buf;
  int status = ::pclose(pipe);
  if (status != 0) return {};
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r'))
    out.pop_back();
  size_t nl = out.find('\n');
  return nl == std::string::npos ? out : out.substr(0, nl);
}

// "owner/repo" from a GitHub-style remote URL (https or scp form); "" when it has no path.
std::string repository_from_remote(std::string url) {
  if (url.ends_with(".git")) url.resize(url.size() - 4);
  while (!url.empty() && url.back() == '/')
    url.pop_back();
  size_t last = url.find_last_of("/:");
  if (last == std::string::npos) return {};
  size_t owner = url.find_last_of("/:", last - 1);
  if (owner == std::string::npos) return {};
  return url.substr(owner + 1);
}

std::string env_or(const char* name, std::string fallback) {
  const char* v = std::getenv(name);
  return v && *v ? std::string(v) : fallback;
}

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

// The contexts of a `run:` step of a push to the repository around the current directory.
Value default_github(const Value& event) {
  std::string cwd = fs::current_path().string();
  std::string sha = command_output("git rev-parse HEAD 2>/dev/null");
  std::string ref = command_output("git symbolic-ref -q HEAD 2>/dev/null");
  std::string repository =
      repository_from_remote(command_output("git config --get remote.origin.url 2>/dev/null"));
  if (repository.empty()) {
    std::string top = command_output("git rev-parse --show-toplevel 2>/dev/null");
    std::string dir = fs::path(top.empty() ? cwd : top).filename().string();
    repository = env_or("USER", "local") + "/" + dir;
  }
  // A push payload given with --event says which ref and commit were pushed.
  if (const Value* pushed = event.member("ref"); pushed && pushed->kind() == expr::Kind::string)
    ref = pushed->as_string();
  if (const Value* after = event.member("after"); after && after->kind() == expr::Kind::string)
    sha = after->as_string();
  std::string owner = repository.substr(0, repository.find('/'));
  bool tag = ref.starts_with("refs/tags/");
  std::string ref_name = ref.starts_with("refs/heads/") ? ref.substr(11)
                         : tag                          ? ref.substr(10)
                                                        : ref;
  Object github;
  github.set("event_name", Value("push"));
  github.set("event", event);
  github.set("sha", Value(sha));
  github.set("ref", Value(ref));
  github.set("ref_name", Value(ref_name));
  github.set("ref_type", Value(tag ? "tag" : "branch"));
  github.set("ref_protected", Value(false));
  github.set("base_ref", Value(""));
  github.set("head_ref", Value(""));
  github.set("repository", Value(repository));
  github.set("repository_owner", Value(owner));
  github.set("repositoryUrl", Value("git://github.com/" + repository + ".git"));
  github.set("actor", Value(env_or("USER", "pipewright")));
  github.set("triggering_actor", Value(env_or("USER", "pipewright")));
  github.set("workflow", Value("eval"));
  github.set("job", Value("eval"));
  github.set("action", Value("__run"));
  github.set("run_id", Value("1"));
  github.set("run_number", Value("1"));
  github.set("run_attempt", Value("1"));
  github.set("retention_days", Value("90"));
  github.set("server_url", Value("https://github.com"));
  github.set("api_url", Value("https://api.github.com"));
  github.set("graphql_url", Value("https://api.github.com/graphql"));
  github.set("workspace", Value(cwd));
  github.set("token", Value(""));
  return Value(std::move(github));
}

Value default_runner() {
  utsname u{};
  ::uname(&u);
  std::string machine = u.machine;
  std::string arch = machine == "aarch64" || machine == "arm64" ? "ARM64"
                     : machine.starts_with("arm")               ? "ARM"
                                                                : "X64";
  Object runner;
  runner.set("os", Value("Linux"));
  runner.set("arch", Value(arch));
  runner.set("name", Value(std::string(u.nodename)));
  runner.set("temp", Value(env_or("RUNNER_TEMP", fs::temp_directory_path().string())));
  runner.set("tool_cache", Value(env_or("RUNNER_TOOL_CACHE",
                                        env_or("HOME", "/tmp") + "/.cache/pipewright/tool-cache")));
  runner.set("environment", Value("self-hosted"));
  return Value(std::move(runner));
}

std::expected<Object, std::string> default_contexts(const std::string& event_file) {
  Value event = Value(Object());
  if (!event_file.empty()) {
    auto parsed = read_json_object(event_file, "--event");
    if (!parsed) return std::unexpected(parsed.error());
    event = *parsed;
  }
  Object contexts;
  contexts.set("github", default_github(event));
  Object job;
  job.set("status", Value("success"));
  contexts.set("job", Value(std::move(job)));
  contexts.set("runner", default_runner());
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
  cmd->add_option("expression", options->expression, "The expression, with or without ${{ }}")
      ->required();
  cmd->add_option(
      "--context", options->context_file,
      "JSON object whose top-level keys are the contexts (default: a push to this repository)");
  cmd->add_option("--event", options->event_file,
                  "JSON webhook payload for github.event (without --context)");
  cmd->add_option("--format", options->format, "Output format")
      ->check(CLI::IsMember({"text", "json"}));
  cmd->callback([options, &exit_code] { exit_code = run_eval(*options); });
}

}  // namespace pipewright::cli
