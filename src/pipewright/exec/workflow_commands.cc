// Mirrors the runner's ActionCommand parsing and ActionCommandManager
// processing (actions/runner, src/Runner.Worker/ActionCommandManager.cs),
// including its messages, which users search for.
#include "pipewright/exec/workflow_commands.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <optional>

#include "pipewright/util/utf8.h"

namespace pipewright::exec {
namespace {

constexpr std::string_view k_v2_key = "::";
constexpr std::string_view k_legacy_prefix = "##[";
constexpr std::string_view k_stop_command = "stop-commands";
constexpr std::string_view k_whitespace = " \t\n\v\f\r";

char ascii_lower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), ascii_lower);
  return out;
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return ascii_lower(x) == ascii_lower(y);
         });
}

std::string_view trim(std::string_view text) {
  size_t first = text.find_first_not_of(k_whitespace);
  if (first == std::string_view::npos) return {};
  return text.substr(first, text.find_last_not_of(k_whitespace) - first + 1);
}

struct Escape {
  std::string_view escaped;
  std::string_view text;
};
// Applied in order, like the runner's sequential String.Replace calls.
constexpr std::array<Escape, 3> k_data_escapes = {{{"%0D", "\r"}, {"%0A", "\n"}, {"%25", "%"}}};
constexpr std::array<Escape, 5> k_property_escapes = {
    {{"%0D", "\r"}, {"%0A", "\n"}, {"%3A", ":"}, {"%2C", ","}, {"%25", "%"}}};
constexpr std::array<Escape, 5> k_legacy_escapes = {
    {{"%3B", ";"}, {"%0D", "\r"}, {"%0A", "\n"}, {"%5D", "]"}, {"%25", "%"}}};

template <size_t N>
std::string unescape(std::string_view text, const std::array<Escape, N>& escapes) {
  std::string out(text);
  for (const Escape& escape : escapes) {
    std::string next;
    size_t pos = 0;
    while (true) {
      size_t hit = out.find(escape.escaped, pos);
      if (hit == std::string::npos) break;
      next.append(out, pos, hit - pos);
      next.append(escape.text);
      pos = hit + escape.escaped.size();
    }
    next.append(out, pos);
    out = std::move(next);
  }
  return out;
}

// Splits on `separator`, skipping empty entries; each entry splits at its
// first '='; entries without a non-empty key and value are ignored.
template <size_t N>
void parse_properties(std::string_view text, char separator, const std::array<Escape, N>& escapes,
                      std::map<std::string, std::string>& properties) {
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t end = text.find(separator, pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view entry = text.substr(pos, end - pos);
    pos = end + 1;
    size_t equals = entry.find('=');
    if (equals == std::string_view::npos) continue;
    std::string_view key = entry.substr(0, equals);
    std::string_view value = entry.substr(equals + 1);
    if (key.empty() || value.empty()) continue;
    properties[lower(key)] = unescape(value, escapes);
  }
}

// int.TryParse with default styles: optional surrounding whitespace and sign.
std::optional<int> parse_int(const std::optional<std::string>& text) {
  if (!text) return std::nullopt;
  std::string_view digits = trim(*text);
  if (!digits.empty() && digits.front() == '+') digits.remove_prefix(1);
  int value = 0;
  auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (error != std::errc() || end != digits.data() + digits.size() || digits.empty()) {
    return std::nullopt;
  }
  return value;
}

// The runner's Issue line/column validation (IssueCommandExtension
// .ValidateLinesAndColumns), step by step, on the raw property strings.
void normalise_positions(const WorkflowCommand& command, Annotation& annotation) {
  std::optional<std::string> line = command.property("line");
  std::optional<std::string> end_line = command.property("endLine");
  std::optional<std::string> column = command.property("col");
  std::optional<std::string> end_column = command.property("endColumn");
  std::optional<int> line_number = parse_int(line);
  std::optional<int> end_line_number = parse_int(end_line);
  std::optional<int> column_number = parse_int(column);
  std::optional<int> end_column_number = parse_int(end_column);
  bool has_line = line_number.has_value();
  bool has_end_line = end_line_number.has_value();
  bool has_column = column_number.has_value();
  bool has_end_column = end_column_number.has_value();
  bool any_column = has_column || has_end_column;
  int line_value = line_number.value_or(0);  // TryParse leaves 0 on failure
  int column_value = column_number.value_or(0);

  if (has_end_line && !has_line) {  // a lone endLine is copied into line
    line = end_line;
    has_line = true;
  }
  if (has_end_column && !has_column) {
    column = end_column;
    has_column = true;
  }
  if (!has_line && any_column) {  // columns need a line
    column.reset();
    end_column.reset();
  }
  if (has_end_line && line != end_line && any_column) {  // columns only on one line
    column.reset();
    end_column.reset();
  }
  if (has_line && has_end_line && *end_line_number < line_value) {  // inverted lines
    line.reset();
    end_line.reset();
  }
  if (has_column && has_end_column && *end_column_number < column_value) {
    column.reset();
    end_column.reset();
  }
  annotation.line = parse_int(line);
  annotation.end_line = parse_int(end_line);
  annotation.column = parse_int(column);
  annotation.end_column = parse_int(end_column);
}

// IOUtil.MakeRelative: a path inside the workspace loses the workspace prefix.
std::string workspace_relative(const std::string& file, std::string_view workspace) {
  while (workspace.size() > 1 && workspace.back() == '/')
    workspace.remove_suffix(1);
  if (workspace.empty() || file.size() <= workspace.size() + 1) return file;
  if (file.compare(0, workspace.size(), workspace) != 0) return file;
  if (file[workspace.size()] != '/' && workspace != "/") return file;
  size_t skip = workspace == "/" ? 1 : workspace.size() + 1;
  return file.substr(skip);
}

bool env_true(const std::optional<std::string>& value) {
  return value && iequals(trim(*value), "true");
}

// ---- Command handlers: one row per command ------------------------------

Annotation make_annotation(AnnotationLevel level, std::string message) {
  Annotation annotation;
  annotation.level = level;
  annotation.message = std::move(message);
  return annotation;
}

struct HandlerContext {
  CommandSettings& settings;
  const MaskCallback& add_mask;
  std::vector<CommandEffect>& effects;
};

// A handler returns the failure reason when the command fails.
using Handler = std::optional<std::string> (*)(const WorkflowCommand&, HandlerContext&);
enum class Echo { allowed, omitted };

struct CommandSpec {
  std::string_view name;
  Echo echo;
  Handler handle;
};

std::optional<std::string> required_name(const WorkflowCommand& command, std::string_view which,
                                         std::string& name) {
  name = command.property("name").value_or("");
  if (name.empty()) {
    return "Required field 'name' is missing in ##[" + std::string(which) + "] command.";
  }
  return std::nullopt;
}

std::optional<std::string> handle_set_env(const WorkflowCommand& command, HandlerContext& ctx) {
  if (!ctx.settings.allow_unsecure_commands) {
    return unsupported_command_disabled_message("set-env");
  }
  std::string name;
  if (auto failure = required_name(command, "set-env", name)) return failure;
  if (iequals(name, "NODE_OPTIONS")) {
    ctx.effects.emplace_back(make_annotation(AnnotationLevel::error,
                                             "Can't update NODE_OPTIONS environment variable using "
                                             "::set-env:: command."));
    return std::nullopt;
  }
  ctx.effects.emplace_back(SetEnv{name, command.data});
  return std::nullopt;
}

template <class Effect>
std::optional<std::string> handle_deprecated(const WorkflowCommand& command, HandlerContext& ctx,
                                             std::string_view which) {
  if (!ctx.settings.allow_deprecated_output_commands) return deprecated_command_message(which);
  ctx.effects.emplace_back(
      make_annotation(AnnotationLevel::warning, deprecated_command_message(which)));
  std::string name;
  if (auto failure = required_name(command, which, name)) return failure;
  ctx.effects.emplace_back(Effect{name, command.data});
  return std::nullopt;
}

std::optional<std::string> handle_set_output(const WorkflowCommand& command, HandlerContext& ctx) {
  return handle_deprecated<SetOutput>(command, ctx, "set-output");
}

std::optional<std::string> handle_save_state(const WorkflowCommand& command, HandlerContext& ctx) {
  return handle_deprecated<SaveState>(command, ctx, "save-state");
}

std::optional<std::string> handle_add_mask(const WorkflowCommand& command, HandlerContext& ctx) {
  if (trim(command.data).empty()) {
    ctx.effects.emplace_back(
        make_annotation(AnnotationLevel::warning,
                        "Can't add secret mask for empty string in ##[add-mask] command."));
    return std::nullopt;
  }
  ctx.add_mask(command.data);
  if (ctx.settings.echo) ctx.effects.emplace_back(OutputLine{"::add-mask::***"});
  return std::nullopt;
}

std::optional<std::string> handle_add_path(const WorkflowCommand& command, HandlerContext& ctx) {
  if (!ctx.settings.allow_unsecure_commands) {
    return unsupported_command_disabled_message("add-path");
  }
  if (command.data.empty()) return "Value cannot be null. (Parameter 'path')";
  ctx.effects.emplace_back(AddPath{command.data});
  return std::nullopt;
}

std::optional<std::string> handle_add_matcher(const WorkflowCommand& command, HandlerContext& ctx) {
  if (command.data.empty()) {
    ctx.effects.emplace_back(
        make_annotation(AnnotationLevel::warning, "File path must be specified."));
    return std::nullopt;
  }
  ctx.effects.emplace_back(MatcherCommand{MatcherCommand::Action::add, command.data, ""});
  return std::nullopt;
}

std::optional<std::string> handle_remove_matcher(const WorkflowCommand& command,
                                                 HandlerContext& ctx) {
  std::string owner = command.property("owner").value_or("");
  if (!owner.empty() && !command.data.empty()) {
    ctx.effects.emplace_back(make_annotation(
        AnnotationLevel::warning,
        "Either specify an owner name or a file path in ##[remove-matcher] command. "
        "Both values cannot be set."));
  } else if (owner.empty() && command.data.empty()) {
    ctx.effects.emplace_back(make_annotation(
        AnnotationLevel::warning,
        "Either an owner name or a file path must be specified in ##[remove-matcher] "
        "command."));
  } else {
    ctx.effects.emplace_back(MatcherCommand{MatcherCommand::Action::remove, command.data, owner});
  }
  return std::nullopt;
}

std::optional<std::string> handle_debug(const WorkflowCommand& command, HandlerContext& ctx) {
  ctx.effects.emplace_back(DebugMessage{command.data});
  return std::nullopt;
}

template <AnnotationLevel level>
std::optional<std::string> handle_annotation(const WorkflowCommand& command, HandlerContext& ctx) {
  Annotation annotation = make_annotation(level, command.data);
  normalise_positions(command, annotation);
  if (auto file = command.property("file"); file && !file->empty()) {
    annotation.file = workspace_relative(*file, ctx.settings.workspace);
  }
  annotation.title = command.property("title");
  ctx.effects.emplace_back(std::move(annotation));
  return std::nullopt;
}

std::optional<std::string> handle_group(const WorkflowCommand& command, HandlerContext& ctx) {
  ctx.effects.emplace_back(GroupStart{command.data});
  return std::nullopt;
}

std::optional<std::string> handle_endgroup(const WorkflowCommand&, HandlerContext& ctx) {
  ctx.effects.emplace_back(GroupEnd{});
  return std::nullopt;
}

std::optional<std::string> handle_echo(const WorkflowCommand& command, HandlerContext& ctx) {
  if (command.data.empty()) return "Value cannot be null. (Parameter 'value')";
  std::string value = lower(trim(command.data));
  if (value != "on" && value != "off") {
    return "Invalid echo command value. Possible values can be: 'on', 'off'. Current value is: '" +
           command.data + "'.";
  }
  ctx.settings.echo = value == "on";
  ctx.effects.emplace_back(DebugMessage{"Setting echo command value to '" + value + "'"});
  return std::nullopt;
}

constexpr std::array<CommandSpec, 15> k_commands = {{
    {"set-env", Echo::allowed, handle_set_env},
    {"set-output", Echo::allowed, handle_set_output},
    {"save-state", Echo::allowed, handle_save_state},
    {"add-mask", Echo::omitted, handle_add_mask},
    {"add-path", Echo::allowed, handle_add_path},
    {"add-matcher", Echo::allowed, handle_add_matcher},
    {"remove-matcher", Echo::allowed, handle_remove_matcher},
    {"debug", Echo::omitted, handle_debug},
    {"warning", Echo::omitted, handle_annotation<AnnotationLevel::warning>},
    {"error", Echo::omitted, handle_annotation<AnnotationLevel::error>},
    {"notice", Echo::omitted, handle_annotation<AnnotationLevel::notice>},
    {"group", Echo::allowed, handle_group},
    {"endgroup", Echo::allowed, handle_endgroup},
    {"echo", Echo::allowed, handle_echo},
    {k_stop_command, Echo::allowed, nullptr},  // handled by the state itself
}};

const CommandSpec* find_command(std::string_view name) {
  for (const CommandSpec& spec : k_commands) {
    if (iequals(spec.name, name)) return &spec;
  }
  return nullptr;
}

std::string_view without_cr(std::string_view line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}

}  // namespace

const std::string_view k_stop_token_disabled_message =
    "You cannot use a endToken that is an empty string, the string 'pause-logging', or another "
    "workflow command. For more information see: "
    "https://docs.github.com/actions/learn-github-actions/"
    "workflow-commands-for-github-actions#example-stopping-and-starting-workflow-commands or opt "
    "into insecure command execution by setting the `ACTIONS_ALLOW_UNSECURE_STOPCOMMAND_TOKENS` "
    "environment variable to `true`.";

std::string unsupported_command_disabled_message(std::string_view command) {
  return "The `" + std::string(command) +
         "` command is disabled. Please upgrade to using Environment Files or opt into unsecure "
         "command execution by setting the `ACTIONS_ALLOW_UNSECURE_COMMANDS` environment "
         "variable to `true`. For more information see: "
         "https://github.blog/changelog/"
         "2020-10-01-github-actions-deprecating-set-env-and-add-path-commands/";
}

std::string deprecated_command_message(std::string_view command) {
  return "The `" + std::string(command) +
         "` command is deprecated and will be disabled soon. Please upgrade to using Environment "
         "Files. For more information see: "
         "https://github.blog/changelog/"
         "2022-10-11-github-actions-deprecating-save-state-and-set-output-commands/";
}

std::optional<std::string> WorkflowCommand::property(std::string_view key) const {
  auto it = properties.find(lower(key));
  if (it == properties.end()) return std::nullopt;
  return it->second;
}

std::string unescape_command_data(std::string_view text) {
  return unescape(text, k_data_escapes);
}

std::string unescape_command_property(std::string_view text) {
  return unescape(text, k_property_escapes);
}

WorkflowCommandParser::WorkflowCommandParser() {
  for (const CommandSpec& spec : k_commands)
    m_names.emplace_back(spec.name);
}

void WorkflowCommandParser::add_name(std::string_view name) {
  if (!has_name(name)) m_names.push_back(lower(name));
}

void WorkflowCommandParser::remove_name(std::string_view name) {
  std::erase(m_names, lower(name));
}

bool WorkflowCommandParser::has_name(std::string_view name) const {
  return std::find(m_names.begin(), m_names.end(), lower(name)) != m_names.end();
}

ParsedLine WorkflowCommandParser::parse(std::string_view raw) const {
  std::string_view line = without_cr(raw);
  // ::name k=v,k2=v2::data, after leading whitespace.
  std::string_view message =
      line.substr(std::min(line.size(), line.find_first_not_of(k_whitespace)));
  if (message.starts_with(k_v2_key)) {
    size_t end = message.find(k_v2_key, k_v2_key.size());
    if (end != std::string_view::npos) {
      std::string_view info = message.substr(k_v2_key.size(), end - k_v2_key.size());
      size_t space = info.find(' ');
      std::string_view name = info.substr(0, space);
      if (!name.empty() && has_name(name)) {
        WorkflowCommand command;
        command.name = std::string(name);
        if (space != std::string_view::npos && space > 0) {
          parse_properties(trim(info.substr(space + 1)), ',', k_property_escapes,
                           command.properties);
        }
        command.data = unescape(message.substr(end + k_v2_key.size()), k_data_escapes);
        return command;
      }
    }
  }
  // Legacy ##[name k=v;k2=v2]data, anywhere in the line.
  size_t prefix = line.find(k_legacy_prefix);
  if (prefix != std::string_view::npos) {
    size_t bracket = line.find(']', prefix);
    if (bracket != std::string_view::npos) {
      size_t start = prefix + k_legacy_prefix.size();
      std::string_view info = line.substr(start, bracket - start);
      size_t space = info.find(' ');
      std::string_view name = info.substr(0, space);
      if (!name.empty() && has_name(name)) {
        WorkflowCommand command;
        command.name = std::string(name);
        command.syntax = CommandSyntax::legacy;
        if (space != std::string_view::npos && space > 0) {
          parse_properties(info.substr(space + 1), ';', k_legacy_escapes, command.properties);
        }
        command.data = unescape(line.substr(bracket + 1), k_legacy_escapes);
        return command;
      }
    }
  }
  return PlainText{std::string(line)};
}

CommandSettings command_settings_from_env(
    const std::function<std::optional<std::string>(std::string_view)>& lookup) {
  CommandSettings settings;
  settings.allow_unsecure_commands = env_true(lookup("ACTIONS_ALLOW_UNSECURE_COMMANDS"));
  std::optional<std::string> stop = lookup("ACTIONS_ALLOW_UNSECURE_STOPCOMMAND_TOKENS");
  std::string stop_value = stop ? lower(*stop) : "";
  settings.allow_unsecure_stop_tokens =
      stop_value == "true" || stop_value == "1" || stop_value == "$true";
  settings.echo = env_true(lookup("ACTIONS_STEP_DEBUG"));
  return settings;
}

WorkflowCommandState::WorkflowCommandState(CommandSettings settings, MaskCallback add_mask)
    : m_settings(std::move(settings)), m_add_mask(std::move(add_mask)) {}

std::vector<CommandEffect> WorkflowCommandState::process_line(std::string_view raw) {
  std::string_view line = without_cr(raw);
  std::vector<CommandEffect> effects;
  ParsedLine parsed = m_parser.parse(line);
  auto* command = std::get_if<WorkflowCommand>(&parsed);
  if (command == nullptr) {
    effects.emplace_back(OutputLine{std::string(line)});
    return effects;
  }
  if (m_stop_token) {  // only the token resumes; everything else is text
    effects.emplace_back(OutputLine{std::string(line)});
    if (iequals(command->name, *m_stop_token)) {
      effects.emplace_back(DebugMessage{"Resume processing commands"});
      m_parser.remove_name(*m_stop_token);
      m_stop_token.reset();
    }
    return effects;
  }
  if (iequals(command->name, k_stop_command)) {
    process_stop(*command, line, effects);
    return effects;
  }
  const CommandSpec* spec = find_command(command->name);
  if (spec == nullptr) {  // a registered name that is no command: text
    effects.emplace_back(OutputLine{std::string(line)});
    return effects;
  }
  if (m_settings.echo && spec->echo == Echo::allowed) {
    effects.emplace_back(OutputLine{std::string(line)});
  }
  HandlerContext context{m_settings, m_add_mask, effects};
  if (std::optional<std::string> failure = spec->handle(*command, context)) {
    std::string shown = spec->echo == Echo::omitted ? std::string(spec->name) : std::string(line);
    effects.emplace_back(
        CommandFailed{"Unable to process command '" + shown + "' successfully.", *failure});
  }
  return effects;
}

// ::stop-commands::TOKEN. A token that is empty, `pause-logging` or a command
// name is refused unless allowed; a long token is itself masked.
void WorkflowCommandState::process_stop(const WorkflowCommand& command, std::string_view line,
                                        std::vector<CommandEffect>& effects) {
  const std::string& token = command.data;
  bool invalid = token.empty() || iequals(token, "pause-logging") || m_parser.has_name(token);
  if (invalid && !m_settings.allow_unsecure_stop_tokens) {
    effects.emplace_back(
        CommandFailed{"Unable to process command '" + std::string(line) + "' successfully.",
                      std::string(k_stop_token_disabled_message)});
    return;
  }
  if (util::utf16_length(token) > 6) m_add_mask(token);
  m_stop_token = token;
  m_parser.add_name(token);
  effects.emplace_back(OutputLine{std::string(line)});
  effects.emplace_back(
      DebugMessage{"Paused processing commands until the token you called ::stopCommands:: with is "
                   "received"});
}

}  // namespace pipewright::exec
