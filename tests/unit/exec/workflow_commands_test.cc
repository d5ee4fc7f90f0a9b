#include "pipewright/exec/workflow_commands.h"

#include <map>

#include <gtest/gtest.h>

namespace pipewright::exec {
namespace {

WorkflowCommand parse_command(std::string_view line) {
  WorkflowCommandParser parser;
  ParsedLine parsed = parser.parse(line);
  EXPECT_TRUE(std::holds_alternative<WorkflowCommand>(parsed)) << line;
  if (auto* command = std::get_if<WorkflowCommand>(&parsed)) return *command;
  return {};
}

bool is_plain(std::string_view line) {
  WorkflowCommandParser parser;
  return std::holds_alternative<PlainText>(parser.parse(line));
}

template <class Edit>
CommandSettings settings_with(Edit edit) {
  CommandSettings settings;
  edit(settings);
  return settings;
}

// A state with a recording mask callback.
struct Harness {
  explicit Harness(CommandSettings settings = {})
      : state(std::move(settings), [this](std::string_view v) { masks.emplace_back(v); }) {}
  std::vector<std::string> masks;
  WorkflowCommandState state;

  std::vector<CommandEffect> run(std::string_view line) { return state.process_line(line); }
};

// The one effect of a line, which must be a T (a default T otherwise).
template <class T>
T only(const std::vector<CommandEffect>& effects) {
  EXPECT_EQ(effects.size(), 1u);
  if (effects.size() != 1 || !std::holds_alternative<T>(effects[0])) {
    ADD_FAILURE() << "unexpected effect kind";
    return T{};
  }
  return std::get<T>(effects[0]);
}

TEST(WorkflowCommandParser, ParsesNamePropertiesAndData) {
  WorkflowCommand command = parse_command("::warning file=app.js,line=1,col=5::Missing semicolon");
  EXPECT_EQ(command.name, "warning");
  EXPECT_EQ(command.syntax, CommandSyntax::v2);
  EXPECT_EQ(command.data, "Missing semicolon");
  EXPECT_EQ(command.properties,
            (std::map<std::string, std::string>{{"file", "app.js"}, {"line", "1"}, {"col", "5"}}));
  EXPECT_EQ(command.property("FILE"), "app.js");
}

TEST(WorkflowCommandParser, AllowsLeadingWhitespaceAndAnyCase) {
  EXPECT_EQ(parse_command("   \t::DeBuG::hi").name, "DeBuG");
  EXPECT_EQ(parse_command("::Group::title").data, "title");
  EXPECT_EQ(parse_command("::endgroup::\r").data, "");
}

TEST(WorkflowCommandParser, UnknownOrMalformedCommandsArePlainText) {
  EXPECT_TRUE(is_plain("::unknown::data"));
  EXPECT_TRUE(is_plain("::warning missing end"));
  EXPECT_TRUE(is_plain("text ::warning::not at start"));
  EXPECT_TRUE(is_plain(":: warning::space before name"));
  EXPECT_TRUE(is_plain("plain"));
  EXPECT_TRUE(is_plain(""));
  WorkflowCommandParser parser;
  EXPECT_EQ(std::get<PlainText>(parser.parse("  ::nope::x\r")).text, "  ::nope::x");
}

TEST(WorkflowCommandParser, UnescapesDataAndProperties) {
  WorkflowCommand command =
      parse_command("::error title=a%3Ab%2Cc%25%0A,file=x%0D::100%25 done%0Aline 2%0D%3A%2C");
  EXPECT_EQ(command.property("title"), "a:b,c%\n");
  EXPECT_EQ(command.property("file"), "x\r");
  EXPECT_EQ(command.data, "100% done\nline 2\r%3A%2C");  // data does not unescape : and ,
  EXPECT_EQ(unescape_command_data("%250A"), "%0A");      // %25 last, like the runner
  EXPECT_EQ(unescape_command_data("%0a"), "%0a");        // case-sensitive
  EXPECT_EQ(unescape_command_property("%3a%3A"), "%3a:");
}

TEST(WorkflowCommandParser, SplitsPropertiesOnCommaThenFirstEquals) {
  WorkflowCommand command = parse_command("::notice title=a=b,,=skip,novalue,empty=,LINE=3::m");
  EXPECT_EQ(command.properties,
            (std::map<std::string, std::string>{{"title", "a=b"}, {"line", "3"}}));
}

TEST(WorkflowCommandParser, ParsesTheLegacySyntaxAnywhereInTheLine) {
  WorkflowCommand command = parse_command("prefix ##[warning file=a%3Bb;line=2]msg%5D%3B");
  EXPECT_EQ(command.syntax, CommandSyntax::legacy);
  EXPECT_EQ(command.name, "warning");
  EXPECT_EQ(command.property("file"), "a;b");
  EXPECT_EQ(command.property("line"), "2");
  EXPECT_EQ(command.data, "msg];");
  EXPECT_TRUE(is_plain("##[unknown]x"));
  EXPECT_TRUE(is_plain("##[warning no bracket"));
}

TEST(WorkflowCommandParser, RegisteredNamesCanBeAddedAndRemoved) {
  WorkflowCommandParser parser;
  EXPECT_TRUE(std::holds_alternative<PlainText>(parser.parse("::MyToken::")));
  parser.add_name("mytoken");
  EXPECT_TRUE(std::holds_alternative<WorkflowCommand>(parser.parse("::MyToken::")));
  parser.remove_name("MYTOKEN");
  EXPECT_TRUE(std::holds_alternative<PlainText>(parser.parse("::MyToken::")));
}

TEST(WorkflowCommandState, PlainLinesAreOutput) {
  Harness h;
  EXPECT_EQ(only<OutputLine>(h.run("hello world")).text, "hello world");
  EXPECT_EQ(only<OutputLine>(h.run("::unknown::x")).text, "::unknown::x");
}

TEST(WorkflowCommandState, GroupsDebugAndEcho) {
  Harness h;
  EXPECT_EQ(only<GroupStart>(h.run("::group::Build step")).title, "Build step");
  only<GroupEnd>(h.run("::endgroup::"));
  EXPECT_EQ(only<DebugMessage>(h.run("::debug::details%0Amore")).text, "details\nmore");

  // echo::on echoes commands (not debug/annotations/add-mask, which omit echo).
  EXPECT_FALSE(h.state.echo());
  EXPECT_EQ(only<DebugMessage>(h.run("::echo::on")).text, "Setting echo command value to 'on'");
  EXPECT_TRUE(h.state.echo());
  std::vector<CommandEffect> group = h.run("::group::G");
  ASSERT_EQ(group.size(), 2u);
  EXPECT_EQ(std::get<OutputLine>(group[0]).text, "::group::G");
  EXPECT_EQ(only<DebugMessage>(h.run("::debug::d")).text, "d");
  std::vector<CommandEffect> masked = h.run("::add-mask::value-to-hide");
  EXPECT_EQ(only<OutputLine>(masked).text, "::add-mask::***");
  std::vector<CommandEffect> off = h.run("::echo:: OFF ");
  ASSERT_EQ(off.size(), 2u);
  EXPECT_EQ(std::get<OutputLine>(off[0]).text, "::echo:: OFF ");
  EXPECT_FALSE(h.state.echo());

  CommandFailed bad = only<CommandFailed>(h.run("::echo::maybe"));
  EXPECT_EQ(bad.message, "Unable to process command '::echo::maybe' successfully.");
  EXPECT_EQ(bad.reason,
            "Invalid echo command value. Possible values can be: 'on', 'off'. Current value is: "
            "'maybe'.");
  EXPECT_EQ(only<CommandFailed>(h.run("::echo::")).reason,
            "Value cannot be null. (Parameter 'value')");
}

TEST(WorkflowCommandState, EchoCanStartOn) {
  Harness h(settings_with([](CommandSettings& s) { s.echo = true; }));
  EXPECT_EQ(h.run("::endgroup::").size(), 2u);
}

TEST(WorkflowCommandState, AnnotationsCarryTheirProperties) {
  Harness h(settings_with([](CommandSettings& s) { s.workspace = "/work/repo/"; }));
  Annotation a = only<Annotation>(
      h.run("::error file=/work/repo/src/app.cc,line=10,endLine=10,col=4,endColumn=9,"
            "title=Bad thing::It broke"));
  EXPECT_EQ(a.level, AnnotationLevel::error);
  EXPECT_EQ(a.message, "It broke");
  EXPECT_EQ(a.file, "src/app.cc");
  EXPECT_EQ(a.title, "Bad thing");
  EXPECT_EQ(a.line, 10);
  EXPECT_EQ(a.end_line, 10);
  EXPECT_EQ(a.column, 4);
  EXPECT_EQ(a.end_column, 9);

  EXPECT_EQ(only<Annotation>(h.run("::warning::w")).level, AnnotationLevel::warning);
  EXPECT_EQ(only<Annotation>(h.run("::notice::n")).level, AnnotationLevel::notice);
  EXPECT_EQ(only<Annotation>(h.run("::notice file=/elsewhere/x.c::n")).file, "/elsewhere/x.c");
  EXPECT_EQ(only<Annotation>(h.run("::notice file=/work/repository/x.c::n")).file,
            "/work/repository/x.c");
  EXPECT_EQ(only<Annotation>(h.run("::notice file=rel/x.c::n")).file, "rel/x.c");
  EXPECT_FALSE(only<Annotation>(h.run("::notice file=::n")).file.has_value());
}

Annotation annotate(std::string_view properties) {
  Harness h;
  std::vector<CommandEffect> effects = h.run("::error " + std::string(properties) + "::m");
  return only<Annotation>(effects);
}

TEST(WorkflowCommandState, AnnotationPositionsAreNormalised) {
  Annotation lone_end_line = annotate("endLine=7");  // copied into line
  EXPECT_EQ(lone_end_line.line, 7);
  EXPECT_EQ(lone_end_line.end_line, 7);

  Annotation lone_end_column = annotate("line=2,endColumn=5");
  EXPECT_EQ(lone_end_column.column, 5);
  EXPECT_EQ(lone_end_column.end_column, 5);

  Annotation no_line = annotate("col=3,endColumn=4");  // columns need a line
  EXPECT_FALSE(no_line.column.has_value());
  EXPECT_FALSE(no_line.end_column.has_value());

  Annotation multi_line = annotate("line=2,endLine=5,col=1,endColumn=3");
  EXPECT_EQ(multi_line.line, 2);
  EXPECT_EQ(multi_line.end_line, 5);
  EXPECT_FALSE(multi_line.column.has_value());

  Annotation inverted_lines = annotate("line=9,endLine=3");
  EXPECT_FALSE(inverted_lines.line.has_value());
  EXPECT_FALSE(inverted_lines.end_line.has_value());

  Annotation inverted_columns = annotate("line=4,col=8,endColumn=2");
  EXPECT_EQ(inverted_columns.line, 4);
  EXPECT_FALSE(inverted_columns.column.has_value());

  Annotation not_numbers = annotate("line=abc,col= 5 ");
  EXPECT_FALSE(not_numbers.line.has_value());
  EXPECT_FALSE(not_numbers.column.has_value());

  Annotation spaced = annotate("line= +12 ");
  EXPECT_EQ(spaced.line, 12);
}

TEST(WorkflowCommandState, AddMaskRegistersTheValue) {
  Harness h;
  EXPECT_TRUE(h.run("::add-mask::my secret%0Asecond line").empty());
  EXPECT_EQ(h.masks, (std::vector<std::string>{"my secret\nsecond line"}));
  Annotation empty = only<Annotation>(h.run("::add-mask::   "));
  EXPECT_EQ(empty.level, AnnotationLevel::warning);
  EXPECT_EQ(empty.message, "Can't add secret mask for empty string in ##[add-mask] command.");
  EXPECT_EQ(h.masks.size(), 1u);
}

TEST(WorkflowCommandState, StopCommandsUntilTheToken) {
  Harness h;
  std::vector<CommandEffect> stop = h.run("::stop-commands::pause-token-123");
  ASSERT_EQ(stop.size(), 2u);
  EXPECT_EQ(std::get<OutputLine>(stop[0]).text, "::stop-commands::pause-token-123");
  EXPECT_EQ(h.masks, (std::vector<std::string>{"pause-token-123"}));  // > 6 characters
  EXPECT_TRUE(h.state.stopped());
  EXPECT_EQ(only<OutputLine>(h.run("::warning::not processed")).text, "::warning::not processed");
  EXPECT_EQ(only<OutputLine>(h.run("::add-mask::nope")).text, "::add-mask::nope");
  std::vector<CommandEffect> resume = h.run("::PAUSE-TOKEN-123::");
  ASSERT_EQ(resume.size(), 2u);
  EXPECT_EQ(std::get<OutputLine>(resume[0]).text, "::PAUSE-TOKEN-123::");
  EXPECT_FALSE(h.state.stopped());
  EXPECT_EQ(only<Annotation>(h.run("::warning::processed")).message, "processed");
  EXPECT_EQ(only<OutputLine>(h.run("::pause-token-123::")).text, "::pause-token-123::");

  Harness short_token;
  short_token.run("::stop-commands::abc123");
  EXPECT_TRUE(short_token.masks.empty());  // 6 characters: not masked
  EXPECT_TRUE(short_token.state.stopped());
}

TEST(WorkflowCommandState, StopTokenRules) {
  for (const char* token :
       {"", "pause-logging", "Pause-Logging", "warning", "ADD-MASK", "stop-commands"}) {
    Harness h;
    std::string line = "::stop-commands::" + std::string(token);
    CommandFailed failed = only<CommandFailed>(h.run(line));
    EXPECT_EQ(failed.message, "Unable to process command '" + line + "' successfully.");
    EXPECT_EQ(failed.reason, k_stop_token_disabled_message);
    EXPECT_FALSE(h.state.stopped()) << token;
  }
  Harness allowed(settings_with([](CommandSettings& s) { s.allow_unsecure_stop_tokens = true; }));
  allowed.run("::stop-commands::warning");
  EXPECT_TRUE(allowed.state.stopped());
  EXPECT_EQ(only<OutputLine>(allowed.run("::error::x")).text, "::error::x");
  allowed.run("::warning::resume");
  EXPECT_FALSE(allowed.state.stopped());
}

// GitHub still sets the output/state and warns; only an explicit opt-out refuses.
TEST(WorkflowCommandState, DeprecatedOutputCommandsWarnAndStillWork) {
  Harness h;
  std::vector<CommandEffect> set = h.run("::set-output name=result::4%0A2");
  ASSERT_EQ(set.size(), 2u);
  EXPECT_EQ(std::get<Annotation>(set[0]).level, AnnotationLevel::warning);
  EXPECT_EQ(std::get<Annotation>(set[0]).message,
            "The `set-output` command is deprecated and will be disabled soon. Please upgrade to "
            "using Environment Files. For more information see: "
            "https://github.blog/changelog/"
            "2022-10-11-github-actions-deprecating-save-state-and-set-output-commands/");
  EXPECT_EQ(std::get<SetOutput>(set[1]).name, "result");
  EXPECT_EQ(std::get<SetOutput>(set[1]).value, "4\n2");
  std::vector<CommandEffect> state = h.run("::save-state name=pid::42");
  EXPECT_EQ(std::get<SaveState>(state.at(1)).value, "42");
  std::vector<CommandEffect> nameless = h.run("::set-output::v");
  EXPECT_EQ(std::get<CommandFailed>(nameless.at(1)).reason,
            "Required field 'name' is missing in ##[set-output] command.");

  Harness refused(
      settings_with([](CommandSettings& s) { s.allow_deprecated_output_commands = false; }));
  CommandFailed output = only<CommandFailed>(refused.run("::set-output name=x::1"));
  EXPECT_EQ(output.message, "Unable to process command '::set-output name=x::1' successfully.");
  EXPECT_EQ(output.reason, deprecated_command_message("set-output"));
  EXPECT_EQ(only<CommandFailed>(refused.run("::save-state name=s::v")).reason,
            deprecated_command_message("save-state"));
}

TEST(WorkflowCommandState, SetEnvAndAddPathNeedTheUnsecureOptIn) {
  Harness h;
  CommandFailed env = only<CommandFailed>(h.run("::set-env name=A::b"));
  EXPECT_EQ(env.reason,
            "The `set-env` command is disabled. Please upgrade to using Environment Files or opt "
            "into unsecure command execution by setting the `ACTIONS_ALLOW_UNSECURE_COMMANDS` "
            "environment variable to `true`. For more information see: "
            "https://github.blog/changelog/"
            "2020-10-01-github-actions-deprecating-set-env-and-add-path-commands/");
  EXPECT_EQ(only<CommandFailed>(h.run("::add-path::/opt/bin")).reason,
            unsupported_command_disabled_message("add-path"));

  Harness allowed(settings_with([](CommandSettings& s) { s.allow_unsecure_commands = true; }));
  SetEnv set = only<SetEnv>(allowed.run("::set-env name=A::b%25"));
  EXPECT_EQ(set.name, "A");
  EXPECT_EQ(set.value, "b%");
  EXPECT_EQ(only<Annotation>(allowed.run("::set-env name=node_options::x")).message,
            "Can't update NODE_OPTIONS environment variable using ::set-env:: command.");
  EXPECT_EQ(only<CommandFailed>(allowed.run("::set-env::x")).reason,
            "Required field 'name' is missing in ##[set-env] command.");
  EXPECT_EQ(only<AddPath>(allowed.run("::add-path::/opt/bin")).path, "/opt/bin");
  EXPECT_EQ(only<CommandFailed>(allowed.run("::add-path::")).reason,
            "Value cannot be null. (Parameter 'path')");
}

TEST(WorkflowCommandState, ProblemMatcherCommands) {
  Harness h;
  MatcherCommand add = only<MatcherCommand>(h.run("::add-matcher::.github/m.json"));
  EXPECT_EQ(add.action, MatcherCommand::Action::add);
  EXPECT_EQ(add.file, ".github/m.json");
  MatcherCommand remove = only<MatcherCommand>(h.run("::remove-matcher owner=eslint::"));
  EXPECT_EQ(remove.action, MatcherCommand::Action::remove);
  EXPECT_EQ(remove.owner, "eslint");
  EXPECT_EQ(only<Annotation>(h.run("::remove-matcher owner=o::f.json")).level,
            AnnotationLevel::warning);
  EXPECT_EQ(only<Annotation>(h.run("::remove-matcher::")).level, AnnotationLevel::warning);
  EXPECT_EQ(only<Annotation>(h.run("::add-matcher::")).message, "File path must be specified.");
}

TEST(WorkflowCommandState, LegacyCommandsAreProcessed) {
  Harness h;
  Annotation a = only<Annotation>(h.run("##[warning file=a.c;line=3]careful"));
  EXPECT_EQ(a.message, "careful");
  EXPECT_EQ(a.line, 3);
}

TEST(CommandSettings, ReadFromTheEnvironment) {
  std::map<std::string, std::string, std::less<>> env = {
      {"ACTIONS_ALLOW_UNSECURE_COMMANDS", " TRUE "},
      {"ACTIONS_ALLOW_UNSECURE_STOPCOMMAND_TOKENS", "1"},
      {"ACTIONS_STEP_DEBUG", "true"}};
  auto lookup = [&](std::string_view name) -> std::optional<std::string> {
    auto it = env.find(name);
    if (it == env.end()) return std::nullopt;
    return it->second;
  };
  CommandSettings settings = command_settings_from_env(lookup);
  EXPECT_TRUE(settings.allow_unsecure_commands);
  EXPECT_TRUE(settings.allow_deprecated_output_commands);
  EXPECT_TRUE(settings.allow_unsecure_stop_tokens);
  EXPECT_TRUE(settings.echo);
  env.clear();
  env["ACTIONS_ALLOW_UNSECURE_COMMANDS"] = "yes";
  settings = command_settings_from_env(lookup);
  EXPECT_FALSE(settings.allow_unsecure_commands);
  EXPECT_FALSE(settings.allow_unsecure_stop_tokens);
  EXPECT_FALSE(settings.echo);
}

}  // namespace
}  // namespace pipewright::exec
