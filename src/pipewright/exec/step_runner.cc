#include "pipewright/exec/step_runner.h"

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <random>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pipewright/exec/env_files.h"
#include "pipewright/exec/output_limits.h"
#include "pipewright/exec/shells.h"
#include "pipewright/os/cpu_step_aside.h"
#include "pipewright/os/fd.h"
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

// The five file-command files, in StepReuse::FileSet order.
enum FileCommand : size_t { k_env, k_output, k_path, k_summary, k_state };
struct FileCommands {
  std::array<StepReuse::File, 5> files;
  const std::string& operator[](FileCommand which) const { return files[which].path; }
};

constexpr std::array<const char*, 5> k_file_prefixes = {"set_env_", "set_output_", "add_path_",
                                                        "step_summary_", "save_state_"};
constexpr std::array<std::string_view, 5> k_file_variables = {
    "GITHUB_ENV", "GITHUB_OUTPUT", "GITHUB_PATH", "GITHUB_STEP_SUMMARY", "GITHUB_STATE"};

// An empty file at a name no step had: the kept one renamed when there is one (a
// late write through the old name then goes to a file nobody reads, as on GitHub),
// else a new one.
util::Expected<StepReuse::File> fresh_file(const std::string& dir, const char* prefix,
                                           std::optional<StepReuse::File>& kept) {
  std::string path = dir + "/" + prefix + unique_name();
  if (kept) {
    StepReuse::File file = std::move(*kept);
    kept.reset();
    if (::rename(file.path.c_str(), path.c_str()) == 0) return StepReuse::File{path, file.inode};
    ::unlink(file.path.c_str());
  }
  os::Fd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666));
  struct stat st {};
  if (!fd || ::fstat(fd.get(), &st) != 0) return util::fail("cannot create " + path);
  return StepReuse::File{path, static_cast<uint64_t>(st.st_ino)};
}

// The step's five files: those made ready during the last step, else fresh ones.
util::Expected<FileCommands> prepare_file_commands(const std::string& dir, StepReuse* reuse) {
  FileCommands commands;
  StepReuse::FileSet none;
  for (size_t i = 0; i < commands.files.size(); ++i) {
    if (reuse && reuse->ready[i]) {
      StepReuse::File ready = std::move(*reuse->ready[i]);
      reuse->ready[i].reset();
      // A kept file is renamed while the previous step runs; a late write through its
      // old name that came before the rename is in it. Only a file still empty is used.
      struct stat st {};
      if (::stat(ready.path.c_str(), &st) == 0 && st.st_size == 0 &&
          static_cast<uint64_t>(st.st_ino) == ready.inode) {
        commands.files[i] = std::move(ready);
        continue;
      }
      ::unlink(ready.path.c_str());
    }
    PW_TRY(file, fresh_file(dir, k_file_prefixes[i], reuse ? reuse->kept[i] : none[i]));
    commands.files[i] = std::move(file);
  }
  return commands;
}

// Makes the next step's files ready (called while a step runs); a file that cannot be
// made now is made when the next step starts.
void prepare_next_file_commands(const std::string& dir, StepReuse& reuse) {
  for (size_t i = 0; i < reuse.ready.size(); ++i) {
    if (reuse.ready[i]) continue;
    if (auto file = fresh_file(dir, k_file_prefixes[i], reuse.kept[i])) reuse.ready[i] = *file;
  }
}

// What a step wrote to one file command.
struct FileText {
  std::string text;
  uint64_t size = 0;       // the file's size
  bool unread = false;     // larger than its limit, or unreadable: `text` is empty
  std::string read_error;  // why it could not be read, when it was not too large
};

// What the step wrote to `file` (nothing is read past `limit`). A file still empty and
// still the one we created is kept for the next step when `keep` is given; else it is
// removed.
FileText take_file(const StepReuse::File& file, uint64_t limit,
                   std::optional<StepReuse::File>* keep) {
  struct stat st {};
  if (::stat(file.path.c_str(), &st) != 0) return {};  // the step removed it
  if (st.st_size == 0 && static_cast<uint64_t>(st.st_ino) == file.inode && keep) {
    *keep = file;
    return {};
  }
  FileText taken;
  taken.size = static_cast<uint64_t>(st.st_size);
  if (taken.size > limit) {
    taken.unread = true;
  } else if (taken.size > 0) {
    auto read = os::read_file(file.path, limit);
    if (read) {
      taken.text = std::move(*read);
    } else {
      taken.unread = true;  // it grew past the limit while we read, or cannot be read
      taken.read_error = read.error().message;
    }
  }
  ::unlink(file.path.c_str());
  return taken;
}

// The content of each file command, in FileCommands order.
std::array<FileText, 5> take_file_commands(const FileCommands& commands, StepReuse* reuse) {
  std::array<FileText, 5> texts;
  for (size_t i = 0; i < texts.size(); ++i) {
    uint64_t limit = i == k_summary ? k_step_summary_limit : k_file_command_limit;
    texts[i] = take_file(commands.files[i], limit, reuse ? &reuse->kept[i] : nullptr);
  }
  return texts;
}

// Reports a file command that was not read (too large or unreadable) as the step's
// failure; false when it was not read.
bool check_read(const FileText& file, std::string_view variable, std::string_view context,
                const StepOutputHandlers& handlers, const Masker& masker) {
  if (!file.unread) return true;
  handlers.line("##[error]" + file_command_failure_message(context));
  std::string why = !file.read_error.empty()
                        ? file.read_error
                        : std::string(variable) + " is " + format_byte_count(file.size) +
                              " bytes, over the limit of " +
                              format_byte_count(k_file_command_limit) +
                              " bytes for a file command; nothing in it was applied";
  handlers.line("##[error]" + masker.mask(why));
  return false;
}

// The script made ready for this step if it is `content` with `extension` and still
// the file we wrote (the last step could have removed or replaced it), else '' (and a
// ready script that does not fit is removed).
std::string take_prepared_script(StepReuse* reuse, const std::string& content,
                                 const std::string& extension) {
  if (!reuse || !reuse->next_script) return "";
  StepReuse::Script ready = std::move(*reuse->next_script);
  reuse->next_script.reset();
  struct stat st {};
  if (ready.content == content && ready.extension == extension &&
      ::stat(ready.path.c_str(), &st) == 0 && static_cast<uint64_t>(st.st_ino) == ready.inode &&
      static_cast<size_t>(st.st_size) == content.size())
    return ready.path;
  ::unlink(ready.path.c_str());
  return "";
}

// Writes the next step's likely script (called while a step runs); on failure the
// next step writes its own.
void prepare_next_script(const std::string& dir, StepReuse& reuse, std::string content,
                         const std::string& extension) {
  if (reuse.next_script) ::unlink(reuse.next_script->path.c_str());
  reuse.next_script.reset();
  std::string path = dir + "/" + unique_name() + extension;
  struct stat st {};
  if (!os::create_file(path, content)) return;
  if (::stat(path.c_str(), &st) != 0) return;
  reuse.next_script = StepReuse::Script{std::move(path), std::move(content), extension,
                                        static_cast<uint64_t>(st.st_ino)};
}

// A finished step's script: removed now, or once the next step runs when reusing.
void retire_script(std::string path, StepReuse* reuse) {
  if (!reuse) {
    ::unlink(path.c_str());
    return;
  }
  if (!reuse->spent_script.empty()) ::unlink(reuse->spent_script.c_str());
  reuse->spent_script = std::move(path);
}

// resolve_shell, remembering what it found for the job's next steps; a remembered
// program is used only while it is still there.
util::Expected<ShellCommand> find_shell(const std::string& shell, const std::string& path,
                                        StepReuse* reuse) {
  if (!reuse) return resolve_shell(shell, path);
  auto key = std::make_pair(shell, path);
  if (auto it = reuse->shells.find(key); it != reuse->shells.end()) {
    const std::string& program = it->second.argv.front();
    if (program.starts_with('/') && ::access(program.c_str(), X_OK) == 0) return it->second;
  }
  PW_TRY(found, resolve_shell(shell, path));
  reuse->shells[key] = found;
  return found;
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
  void apply(SaveState& e) { m_result.state.emplace_back(e.name, e.value); }
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

// Applies `file`, the GITHUB_ENV / GITHUB_OUTPUT / GITHUB_STATE at `path`, to `into`;
// false (after reporting) when it was too large or malformed.
bool apply_env_file(const FileText& file, const std::string& path, EnvFileKind kind, EnvList& into,
                    const StepOutputHandlers& handlers, const Masker& masker) {
  if (!check_read(file, env_file_variable(kind), env_file_context(kind), handlers, masker))
    return false;
  EnvFileResult parsed = parse_env_file(file.text, kind, NewlineMode::lf, path);
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

StepReuse::~StepReuse() {
  for (const FileSet* set : {&kept, &ready})
    for (const std::optional<File>& file : *set)
      if (file) ::unlink(file->path.c_str());
  if (next_script) ::unlink(next_script->path.c_str());
  if (!spent_script.empty()) ::unlink(spent_script.c_str());
}

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
  std::vector<std::string> command = step.argv;
  std::string script_path;                  // '' when running `argv`
  std::optional<std::string> next_content;  // the next step's script, when known now
  std::string next_extension;
  if (command.empty()) {
    std::string path = env_lookup(step.env, "PATH").value_or("/usr/local/bin:/usr/bin:/bin");
    auto shell = find_shell(step.shell, path, environment.reuse);
    if (!shell) return fail_early(shell.error().message);
    std::string content = shell->script_prefix + step.script + shell->script_suffix;
    script_path = take_prepared_script(environment.reuse, content, shell->extension);
    if (script_path.empty()) {
      script_path = environment.scratch_dir + "/" + unique_name() + shell->extension;
      if (auto written = os::create_file(script_path, content); !written)
        return fail_early(written.error().message);
    }
    if (environment.reuse && environment.next_script) {
      next_content = shell->script_prefix + *environment.next_script + shell->script_suffix;
      next_extension = shell->extension;
    }
    command = shell_argv(*shell, script_path);
  }

  auto files = prepare_file_commands(environment.scratch_dir, environment.reuse);
  if (!files) {
    if (!script_path.empty()) ::unlink(script_path.c_str());
    return fail_early(files.error().message);
  }
  CommandSettings settings =
      command_settings_from_env([&](std::string_view name) { return env_lookup(step.env, name); });
  settings.workspace = step.workspace;
  LineProcessor lines(environment, handlers, settings, result);

  os::SpawnOptions spawn;
  spawn.argv = environment.argv_prefix;
  for (std::string& arg : command)
    spawn.argv.push_back(std::move(arg));
  // The step's environment with its own file-command files.
  spawn.env.reserve(step.env.size() + k_file_variables.size());
  for (const auto& [name, value] : step.env) {
    if (std::find(k_file_variables.begin(), k_file_variables.end(), name) == k_file_variables.end())
      spawn.env.push_back(name + "=" + value);
  }
  for (size_t i = 0; i < k_file_variables.size(); ++i)
    spawn.env.push_back(std::string(k_file_variables[i]) + "=" + files->files[i].path);
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

  auto run_it = [&]() -> util::Expected<os::ProcessResult> {
    PW_TRY(process, os::spawn(spawn));
    {
      // While the step runs, on another CPU than the step's: its held events, and the
      // last step's script goes and the next step's files come.
      os::CpuStepAside aside;
      if (environment.spawned) environment.spawned();
      if (StepReuse* reuse = environment.reuse) {
        if (!reuse->spent_script.empty()) ::unlink(reuse->spent_script.c_str());
        reuse->spent_script.clear();
        prepare_next_file_commands(environment.scratch_dir, *reuse);
        if (next_content)
          prepare_next_script(environment.scratch_dir, *reuse, std::move(*next_content),
                              next_extension);
      }
    }
    return os::run_process(process, run);
  };
  auto ran = run_it();
  lines.finish();
  if (!script_path.empty()) retire_script(std::move(script_path), environment.reuse);
  // Read back (and kept or removed) whatever happened, so that no file is left over.
  std::array<FileText, 5> texts = take_file_commands(*files, environment.reuse);
  if (!ran) return fail_early(ran.error().message);

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
  const Masker& masker = *environment.masker;
  bool files_ok =
      apply_env_file(texts[k_env], (*files)[k_env], EnvFileKind::env, result.env, handlers, masker);
  files_ok &= apply_env_file(texts[k_output], (*files)[k_output], EnvFileKind::output,
                             result.outputs, handlers, masker);
  files_ok &= apply_env_file(texts[k_state], (*files)[k_state], EnvFileKind::state, result.state,
                             handlers, masker);
  if (check_read(texts[k_path], "GITHUB_PATH", "path", handlers, masker)) {
    for (std::string& line : parse_path_file(texts[k_path].text))
      result.path_lines.push_back(std::move(line));
  } else {
    files_ok = false;
  }
  // A summary over its limit is not read; the annotation says how large it was.
  if (auto too_big = check_step_summary_size(texts[k_summary].size))
    handlers.annotation(Annotation{AnnotationLevel::error, *too_big});
  else
    result.summary = masker.mask(texts[k_summary].text);
  // The step's outputs count against the run's (output_limits.h).
  if (environment.outputs && !result.outputs.empty()) {
    uint64_t size = 0;
    for (const auto& [name, value] : result.outputs)
      size += output_size(name) + output_size(value);
    if (!environment.outputs->take(size)) {
      handlers.line("##[error]" + run_outputs_too_large_message());
      result.outputs.clear();
      files_ok = false;
    }
  }

  if (result.cancelled)
    result.outcome = Result::cancelled;
  else if (!ok || !files_ok || lines.command_failed())
    result.outcome = Result::failure;
  if (ok && result.outcome == Result::failure && result.detail.starts_with("exited"))
    result.detail = "a workflow command or environment file failed";
  return result;
}

}  // namespace pipewright::exec
