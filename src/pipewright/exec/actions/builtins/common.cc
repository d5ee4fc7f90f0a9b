#include "pipewright/exec/actions/builtins/common.h"

#include <algorithm>
#include <cstdlib>

#include <fmt/format.h>

#include "pipewright/os/process.h"

namespace pipewright::exec::actions::builtins {

BuiltinResult failure(const BuiltinCall& call, std::string detail) {
  if (call.annotation)
    call.annotation(Annotation{.level = AnnotationLevel::error, .message = detail});
  BuiltinResult result;
  result.outcome = Result::failure;
  result.detail = std::move(detail);
  return result;
}

void log(const BuiltinCall& call, std::string_view text) {
  if (call.line) call.line(text);
}

void warn(const BuiltinCall& call, std::string_view text) {
  if (call.annotation) {
    call.annotation(Annotation{.level = AnnotationLevel::warning, .message = std::string(text)});
  } else {
    log(call, fmt::format("Warning: {}", text));
  }
}

util::Expected<bool> bool_input(const BuiltinCall& call, std::string_view name, bool fallback) {
  std::string value = trim(call.input(name));
  if (value.empty()) return fallback;
  static constexpr std::string_view k_true[] = {"true", "True", "TRUE"};
  static constexpr std::string_view k_false[] = {"false", "False", "FALSE"};
  for (auto t : k_true)
    if (value == t) return true;
  for (auto f : k_false)
    if (value == f) return false;
  return util::fail(fmt::format(
      "Input does not meet YAML 1.2 \"Core Schema\" specification: {}\nSupport boolean input "
      "list: `true | True | TRUE | false | False | FALSE`",
      name));
}

std::vector<std::string> lines_input(const BuiltinCall& call, std::string_view name) {
  std::vector<std::string> lines;
  std::string value = call.input(name);
  size_t start = 0;
  while (start <= value.size()) {
    size_t end = value.find('\n', start);
    if (end == std::string::npos) end = value.size();
    std::string line = trim(std::string_view(value).substr(start, end - start));
    if (!line.empty()) lines.push_back(std::move(line));
    start = end + 1;
  }
  return lines;
}

std::string github_string(const BuiltinCall& call, std::string_view key) {
  const expr::Value* v = call.github.member(key);
  if (v == nullptr || v->kind() != expr::Kind::string) return {};
  return v->as_string();
}

std::optional<std::string> env_value(const BuiltinCall& call, std::string_view name) {
  // Later entries win, as when a KEY=VALUE list is applied in order.
  std::optional<std::string> found;
  for (const auto& [k, v] : call.env)
    if (k == name) found = v;
  return found;
}

std::string home_dir(const BuiltinCall& call) {
  if (auto home = env_value(call, "HOME"); home && !home->empty()) return *home;
  const char* home = std::getenv("HOME");
  return home != nullptr ? home : "";
}

std::vector<std::string> env_strings(const BuiltinCall& call) {
  std::vector<std::string> out;
  out.reserve(call.env.size());
  for (const auto& [k, v] : call.env)
    out.push_back(k + "=" + v);
  return out;
}

CommandOutput run_command(const BuiltinCall& call, std::vector<std::string> argv,
                          std::vector<std::string> env, const std::string& cwd) {
  os::SpawnOptions spawn;
  spawn.argv = std::move(argv);
  spawn.env = std::move(env);
  spawn.cwd = cwd;
  CommandOutput out;
  os::RunOptions run;
  run.on_output = [&out](std::string_view chunk) { out.output.append(chunk); };
  run.cancel = call.cancel;
  auto done = os::run(spawn, run);
  if (!done) {
    out.output = util::format_error(done.error());
    return out;
  }
  out.ok = done->exit_code() == 0;
  while (!out.output.empty() && (out.output.back() == '\n' || out.output.back() == '\r'))
    out.output.pop_back();
  return out;
}

GitOutput run_git(const BuiltinCall& call, const std::vector<std::string>& args,
                  const std::string& cwd) {
  std::vector<std::string> argv{"git"};
  argv.insert(argv.end(), args.begin(), args.end());
  std::string path = env_value(call, "PATH").value_or("");
  if (path.empty()) {
    const char* p = std::getenv("PATH");
    path = p != nullptr ? p : "/usr/local/bin:/usr/bin:/bin";
  }
  return run_command(
      call, std::move(argv),
      {"PATH=" + path, "HOME=" + home_dir(call), "GIT_TERMINAL_PROMPT=0", "LC_ALL=C"}, cwd);
}

std::string store_dir(const std::string& configured, std::string_view name) {
  if (!configured.empty()) return configured;
  const char* xdg = std::getenv("XDG_DATA_HOME");
  if (xdg != nullptr && xdg[0] == '/') return fmt::format("{}/pipewright/{}", xdg, name);
  const char* home = std::getenv("HOME");
  return fmt::format("{}/.local/share/pipewright/{}", home != nullptr ? home : "/tmp", name);
}

std::vector<std::string> cache_scopes(const BuiltinCall& call) {
  std::vector<std::string> scopes;
  auto add = [&scopes](std::string scope) {
    if (!scope.empty() && std::find(scopes.begin(), scopes.end(), scope) == scopes.end())
      scopes.push_back(std::move(scope));
  };
  add(github_string(call, "ref"));
  if (std::string base = github_string(call, "base_ref"); !base.empty())
    add(base.starts_with("refs/") ? base : "refs/heads/" + base);
  const expr::Value* event = call.github.member("event");
  const expr::Value* repo = event != nullptr ? event->member("repository") : nullptr;
  const expr::Value* branch = repo != nullptr ? repo->member("default_branch") : nullptr;
  if (branch != nullptr && branch->kind() == expr::Kind::string && !branch->as_string().empty())
    add("refs/heads/" + branch->as_string());
  return scopes;
}

int ref_major(const BuiltinCall& call, int fallback) {
  std::string_view ref = call.ref.ref;
  if (ref.starts_with('v') || ref.starts_with('V')) ref.remove_prefix(1);
  int major = 0;
  size_t digits = 0;
  while (digits < ref.size() && digits < 6 && ref[digits] >= '0' && ref[digits] <= '9')
    major = major * 10 + (ref[digits++] - '0');
  if (digits == 0 || (digits < ref.size() && ref[digits] != '.')) return fallback;
  return major;
}

std::string trim(std::string_view text) {
  size_t b = 0, e = text.size();
  while (b < e && (text[b] == ' ' || text[b] == '\t' || text[b] == '\r' || text[b] == '\n'))
    ++b;
  while (e > b &&
         (text[e - 1] == ' ' || text[e - 1] == '\t' || text[e - 1] == '\r' || text[e - 1] == '\n'))
    --e;
  return std::string(text.substr(b, e - b));
}

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

}  // namespace pipewright::exec::actions::builtins
