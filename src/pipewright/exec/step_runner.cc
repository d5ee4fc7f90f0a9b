#include "pipewright/exec/step_runner.h"

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <random>

#include "pipewright/exec/env_files.h"
#include "pipewright/exec/shells.h"
#include "pipewright/os/file.h"
#include "pipewright/os/process.h"

namespace pipewright::exec {

namespace {

namespace fs = std::filesystem;

// Lines longer than this are passed on in pieces (memory stays bounded).
constexpr size_t k_max_line = 64 * 1024;

std::string unique_name() {
  static std::atomic<uint64_t> counter{0};
  static const uint64_t seed = std::random_device{}();
  char buf[48];
  std::snprintf(buf, sizeof buf, "%016llx-%llu", static_cast<unsigned long long>(seed),
                static_cast<unsigned long long>(counter.fetch_add(1)));
  return buf;
}

struct FileCommands {
  std::string env, output, path, summary, state;
};

util::Expected<FileCommands> create_file_commands(const std::string& dir) {
  std::string id = unique_name();
  FileCommands files{dir + "/set_env_" + id, dir + "/set_output_" + id, dir + "/add_path_" + id,
                     dir + "/step_summary_" + id, dir + "/save_state_" + id};
  for (const std::string* path :
       {&files.env, &files.output, &files.path, &files.summary, &files.state}) {
    std::ofstream out(*path, std::ios::trunc);
    if (!out) return util::fail("cannot create " + *path);
  }
  return files;
}

std::string read_or_empty(const std::string& path) {
  auto text = os::read_file(path, 64 * 1024 * 1024);
  return text ? *text : std::string();
}

std::string describe_duration(std::chrono::milliseconds ms) {
  auto s = ms.count() / 1000;
  if (s >= 60 && s % 60 == 0) return std::to_string(s / 60) + "m";
  if (s >= 1) return std::to_string(s) + "s";
  return std::to_string(ms.count()) + "ms";
}

// Splits the child's output into lines and applies workflow commands to each.
class LineProcessor {
 public:
  LineProcessor(const StepEnvironment& environment, const StepOutputHandlers& handlers,
                CommandSettings settings, ScriptResult& result)
      : m_env(environment),
        m_handlers(handlers),
        m_result(result),
        m_commands(std::move(settings), [this](std::string_view value) {
          for (const MaskWarning& warning : m_env.masker->add_secret(value))
            m_handlers.line("warning: " + warning.message);
        }) {}

  // The whole lines of `chunk` go on as one block where they are plain text;
  // a line that may hold a command, and a line begun in an earlier chunk, go
  // through process() one by one. The effect is that of process() per line.
  void feed(std::string_view chunk) {
    size_t start = 0;
    if (!m_partial.empty()) {
      size_t nl = chunk.find('\n');
      if (nl == std::string_view::npos) return keep_partial(chunk);
      m_partial.append(chunk.substr(0, nl));
      flush_partial();
      start = nl + 1;
    }
    size_t last = chunk.rfind('\n');
    if (last != std::string_view::npos && last >= start) {
      process_lines(chunk.substr(start, last + 1 - start));
      start = last + 1;
    }
    if (start < chunk.size()) keep_partial(chunk.substr(start));
  }

  void finish() {
    if (!m_partial.empty()) flush_partial();
  }

  bool command_failed() const { return m_command_failed; }

 private:
  void keep_partial(std::string_view bytes) {
    m_partial.append(bytes);
    if (m_partial.size() >= k_max_line) flush_partial();
  }

  void flush_partial() {
    process(m_partial);
    m_partial.clear();
  }

  // `block`: whole lines, each ending in '\n'.
  void process_lines(std::string_view block) {
    while (!block.empty()) {
      size_t plain = plain_prefix(block);
      if (plain > 0) {
        emit_plain(block.substr(0, plain));
        block.remove_prefix(plain);
        if (block.empty()) return;
      }
      size_t nl = block.find('\n');
      process(block.substr(0, nl));
      block.remove_prefix(nl + 1);
    }
  }

  // The length of the leading lines of `block` that are surely plain text:
  // no "::" (a command), no "##[" (a legacy command), no '\r' (stripped from a
  // line's end). Such a line always parses to itself (WorkflowCommandParser).
  static size_t plain_prefix(std::string_view block) {
    size_t suspect = std::min({block.find("::"), block.find("##["), block.find('\r')});
    if (suspect == std::string_view::npos) return block.size();
    size_t nl = block.rfind('\n', suspect);
    return nl == std::string_view::npos ? 0 : nl + 1;
  }

  // Plain lines: masked in one pass and passed on as a block.
  void emit_plain(std::string_view lines) {
    m_masked.clear();
    m_env.masker->mask_lines(lines, m_masked);
    if (m_handlers.lines) return m_handlers.lines(m_masked);
    for_each_line(m_masked, m_handlers.line);
  }

  void process(std::string_view line) {
    for (CommandEffect& effect : m_commands.process_line(line))
      std::visit([this](auto& e) { apply(e); }, effect);
  }

  std::string mask(std::string_view text) const { return m_env.masker->mask(text); }

  void apply(OutputLine& e) { m_handlers.line(mask(e.text)); }
  void apply(GroupStart& e) {
    std::string title = mask(e.title);
    m_handlers.group(title);
  }
  void apply(GroupEnd&) {}
  void apply(DebugMessage& e) {
    if (m_handlers.show_debug) m_handlers.line("##[debug]" + mask(e.text));
  }
  void apply(Annotation& e) {
    Annotation masked = e;
    masked.message = mask(e.message);
    if (masked.title) masked.title = mask(*masked.title);
    m_handlers.annotation(masked);
  }
  void apply(SetOutput& e) { m_result.outputs.emplace_back(e.name, e.value); }
  void apply(SaveState&) {}
  void apply(SetEnv& e) { m_result.env.emplace_back(e.name, e.value); }
  void apply(AddPath& e) { m_result.path_lines.push_back(e.path); }
  void apply(MatcherCommand&) {}
  void apply(CommandFailed& e) {
    m_command_failed = true;
    m_handlers.line("##[error]" + mask(e.message));
    m_handlers.line("##[error]" + mask(e.reason));
  }

  const StepEnvironment& m_env;
  const StepOutputHandlers& m_handlers;
  ScriptResult& m_result;
  WorkflowCommandState m_commands;
  std::string m_partial;
  std::string m_masked;  // emit_plain's buffer, kept for its capacity
  bool m_command_failed = false;
};

// Reads GITHUB_ENV / GITHUB_OUTPUT into `into`; false (after reporting) on a format error.
bool apply_env_file(const std::string& path, EnvFileKind kind, EnvList& into,
                    const StepOutputHandlers& handlers, const Masker& masker) {
  EnvFileResult parsed = parse_env_file(read_or_empty(path), kind, NewlineMode::lf, path);
  for (EnvFileEntry& entry : parsed.entries)
    into.emplace_back(std::move(entry.name), std::move(entry.value));
  for (const EnvFileIssue& issue : parsed.issues)
    handlers.annotation(Annotation{AnnotationLevel::error, masker.mask(issue.message)});
  if (!parsed.error) return true;
  handlers.line("##[error]" + env_file_failure_message(kind));
  handlers.line("##[error]" + masker.mask(parsed.error->message));
  return false;
}

}  // namespace

std::optional<std::string> env_lookup(const EnvList& env, std::string_view name) {
  for (auto it = env.rbegin(); it != env.rend(); ++it)
    if (it->first == name) return it->second;
  return std::nullopt;
}

void env_set(EnvList& env, std::string name, std::string value) {
  std::erase_if(env, [&](const auto& entry) { return entry.first == name; });
  env.emplace_back(std::move(name), std::move(value));
}

ScriptResult run_script_step(const ScriptStep& step, const StepEnvironment& environment,
                             const StepOutputHandlers& handlers) {
  ScriptResult result;
  auto fail_early = [&](const std::string& message) {
    handlers.line("##[error]" + environment.masker->mask(message));
    result.outcome = Result::failure;
    result.detail = message;
    return result;
  };

  std::error_code ec;
  if (!fs::is_directory(step.working_directory, ec))
    return fail_early("working-directory '" + step.working_directory + "' does not exist");
  EnvList env = step.env;
  std::vector<std::string> command = step.argv;
  std::string script_path;  // '' when running `argv`
  if (command.empty()) {
    std::string path = env_lookup(env, "PATH").value_or("/usr/local/bin:/usr/bin:/bin");
    auto shell = resolve_shell(step.shell, path);
    if (!shell) return fail_early(shell.error().message);
    script_path = environment.runner_temp + "/" + unique_name() + shell->extension;
    if (auto written =
            os::write_file(script_path, shell->script_prefix + step.script + shell->script_suffix);
        !written)
      return fail_early(written.error().message);
    command = shell_argv(*shell, script_path);
  }

  auto files = create_file_commands(environment.runner_temp);
  if (!files) return fail_early(files.error().message);
  env_set(env, "GITHUB_ENV", files->env);
  env_set(env, "GITHUB_OUTPUT", files->output);
  env_set(env, "GITHUB_PATH", files->path);
  env_set(env, "GITHUB_STEP_SUMMARY", files->summary);
  env_set(env, "GITHUB_STATE", files->state);

  CommandSettings settings =
      command_settings_from_env([&](std::string_view name) { return env_lookup(env, name); });
  settings.workspace = step.workspace;
  LineProcessor lines(environment, handlers, settings, result);

  os::SpawnOptions spawn;
  spawn.argv = environment.argv_prefix;
  for (std::string& arg : command)
    spawn.argv.push_back(std::move(arg));
  for (const auto& [name, value] : env)
    spawn.env.push_back(name + "=" + value);
  spawn.cwd = step.working_directory;
  spawn.scope = environment.scope;
  os::RunOptions run;
  run.on_output = [&](std::string_view chunk) {
    lines.feed(chunk);
    if (handlers.flush) handlers.flush();
  };
  run.timeout = step.timeout;
  run.cancel = environment.cancel;
  run.grace = environment.grace;

  auto ran = os::run(spawn, run);
  lines.finish();
  if (!script_path.empty()) fs::remove(script_path, ec);
  if (!ran) {
    for (const std::string* file :
         {&files->env, &files->output, &files->path, &files->summary, &files->state})
      fs::remove(*file, ec);
    return fail_early(ran.error().message);
  }

  result.detail = os::describe(*ran);
  result.timed_out = ran->reason == os::TerminationReason::timed_out;
  result.cancelled = ran->reason == os::TerminationReason::cancelled;
  if (result.timed_out && step.timeout)
    result.detail = "timed out after " + describe_duration(*step.timeout);
  bool ok = ran->exit_code() == 0 && !result.timed_out && !result.cancelled;
  if (!ok && !result.cancelled)
    handlers.line("##[error]" + (ran->exit_code() && !result.timed_out
                                     ? "Process completed with exit code " +
                                           std::to_string(*ran->exit_code()) + "."
                                     : "The step " + result.detail + "."));

  // Environment files apply even when the step failed (as on GitHub).
  bool files_ok =
      apply_env_file(files->env, EnvFileKind::env, result.env, handlers, *environment.masker);
  files_ok &= apply_env_file(files->output, EnvFileKind::output, result.outputs, handlers,
                             *environment.masker);
  files_ok &=
      apply_env_file(files->state, EnvFileKind::state, result.state, handlers, *environment.masker);
  for (std::string& line : parse_path_file(read_or_empty(files->path)))
    result.path_lines.push_back(std::move(line));
  std::string summary = read_or_empty(files->summary);
  if (auto too_big = check_step_summary_size(summary.size())) {
    handlers.annotation(Annotation{AnnotationLevel::error, *too_big});
    summary.clear();
  }
  result.summary = environment.masker->mask(summary);
  for (const std::string* file :
       {&files->env, &files->output, &files->path, &files->summary, &files->state})
    fs::remove(*file, ec);

  if (result.cancelled)
    result.outcome = Result::cancelled;
  else if (!ok || !files_ok || lines.command_failed())
    result.outcome = Result::failure;
  if (ok && result.outcome == Result::failure && result.detail.starts_with("exited"))
    result.detail = "a workflow command or environment file failed";
  return result;
}

}  // namespace pipewright::exec
