// Workflow commands in step output (gha-spec.md §10): the line parser and the
// per-step state machine that turns lines into typed effects. No I/O: the
// engine prints, records and applies the effects.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace pipewright::exec {

enum class CommandSyntax { v2, legacy };  // ::name k=v::data, ##[name k=v;]data

// One parsed command. Property keys are lower-cased (GitHub looks them up
// case-insensitively); values and data are unescaped.
struct WorkflowCommand {
  std::string name{};  // as written, e.g. "Warning"
  std::map<std::string, std::string> properties{};
  std::string data{};
  CommandSyntax syntax = CommandSyntax::v2;

  // The value of property `key` (any case), if present.
  std::optional<std::string> property(std::string_view key) const;
};

// A line that is not a command (or names no registered command).
struct PlainText {
  std::string text{};
};

using ParsedLine = std::variant<PlainText, WorkflowCommand>;

// Parses single output lines. Knows the built-in command names; the
// stop-commands token is registered while commands are stopped.
class WorkflowCommandParser {
 public:
  WorkflowCommandParser();

  // `line` (without its line break; a trailing CR is dropped) as a command
  // when it is `::name ...::data` after optional leading whitespace, or
  // contains `##[name ...]data`, and `name` is registered (ASCII
  // case-insensitive); otherwise the line as plain text.
  ParsedLine parse(std::string_view line) const;

  // Makes `name` a command name (case-insensitive); remove_name undoes it.
  void add_name(std::string_view name);
  void remove_name(std::string_view name);
  bool has_name(std::string_view name) const;

 private:
  std::vector<std::string> m_names;  // lower-case
};

// Data unescaping: %0D, %0A, then %25 (case-sensitive, like the runner).
std::string unescape_command_data(std::string_view text);
// Property unescaping: the data set plus %3A (:) and %2C (,).
std::string unescape_command_property(std::string_view text);

// ---- Effects of processing a line -------------------------------------

// Text for the step log, as is (plain lines, echoed commands).
struct OutputLine {
  std::string text{};
};
struct GroupStart {
  std::string title{};
};
struct GroupEnd {};
// Shown with --verbose or ACTIONS_STEP_DEBUG.
struct DebugMessage {
  std::string text{};
};

enum class AnnotationLevel { notice, warning, error };

// An annotation, positions normalised as the runner does (§10).
struct Annotation {
  AnnotationLevel level = AnnotationLevel::error;
  std::string message{};
  std::optional<std::string> file{};  // workspace-relative when inside it
  std::optional<std::string> title{};
  std::optional<int> line{};
  std::optional<int> end_line{};
  std::optional<int> column{};
  std::optional<int> end_column{};

  friend bool operator==(const Annotation&, const Annotation&) = default;
};

struct SetOutput {  // deprecated ::set-output name=N::V (honoured with a warning)
  std::string name{};
  std::string value{};
};
struct SaveState {  // deprecated ::save-state name=N::V (honoured with a warning)
  std::string name{};
  std::string value{};
};
struct SetEnv {  // ::set-env (only with ACTIONS_ALLOW_UNSECURE_COMMANDS)
  std::string name{};
  std::string value{};
};
struct AddPath {  // ::add-path (only with ACTIONS_ALLOW_UNSECURE_COMMANDS)
  std::string path{};
};
// ::add-matcher::FILE / ::remove-matcher owner=O::[FILE] (problem matchers).
struct MatcherCommand {
  enum class Action { add, remove };
  Action action = Action::add;
  std::string file{};
  std::string owner{};
};
// A command that failed: print `message` and `reason` as errors, and the
// step fails (the runner's CommandResult = Failed).
struct CommandFailed {
  std::string message{};  // "Unable to process command '...' successfully."
  std::string reason{};
};

using CommandEffect =
    std::variant<OutputLine, GroupStart, GroupEnd, DebugMessage, Annotation, SetOutput, SaveState,
                 SetEnv, AddPath, MatcherCommand, CommandFailed>;

// Options of a step's command processing (from its environment).
struct CommandSettings {
  bool allow_unsecure_commands = false;     // ACTIONS_ALLOW_UNSECURE_COMMANDS=true
  bool allow_unsecure_stop_tokens = false;  // ACTIONS_ALLOW_UNSECURE_STOPCOMMAND_TOKENS
  // GitHub still honours set-output/save-state (with a deprecation warning);
  // false refuses them as the runner's DisableSetOutputCommand feature does.
  bool allow_deprecated_output_commands = true;
  bool echo = false;        // echo commands from the start
  std::string workspace{};  // annotation files made relative to it
};

// Settings from an environment lookup (process env, then the step's env):
// ACTIONS_ALLOW_UNSECURE_COMMANDS ("true", any case),
// ACTIONS_ALLOW_UNSECURE_STOPCOMMAND_TOKENS
// ("true", "1" or "$true") and ACTIONS_STEP_DEBUG (echo on).
CommandSettings command_settings_from_env(
    const std::function<std::optional<std::string>(std::string_view)>& lookup);

// Receives every value to mask: ::add-mask:: data (the whole value; the
// masker adds its lines) and stop-commands tokens longer than 6 characters.
// Called before the effects of the same line are returned.
using MaskCallback = std::function<void(std::string_view)>;

// The command processing of one step: feed it every output line in order.
class WorkflowCommandState {
 public:
  WorkflowCommandState(CommandSettings settings, MaskCallback add_mask);

  // The effects of one output line (without its line break). A plain line
  // gives one OutputLine; a command gives what it does (often nothing shown).
  std::vector<CommandEffect> process_line(std::string_view line);

  bool stopped() const { return m_stop_token.has_value(); }
  bool echo() const { return m_settings.echo; }

 private:
  void process_stop(const WorkflowCommand& command, std::string_view line,
                    std::vector<CommandEffect>& effects);

  CommandSettings m_settings;
  MaskCallback m_add_mask;
  WorkflowCommandParser m_parser;
  std::optional<std::string> m_stop_token;
};

// GitHub's messages, for callers and tests.
std::string unsupported_command_disabled_message(std::string_view command);
std::string deprecated_command_message(std::string_view command);
extern const std::string_view k_stop_token_disabled_message;

}  // namespace pipewright::exec
