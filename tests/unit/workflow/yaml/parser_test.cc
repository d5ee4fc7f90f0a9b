#include "pipewright/workflow/yaml/parser.h"

#include <string>

#include <gtest/gtest.h>

namespace pipewright::workflow::yaml {
namespace {

ParseResult parse_ok(std::string_view text) {
  ParseResult result = parse(text, "f.yml");
  EXPECT_NE(result.document, nullptr);
  return result;
}

// The single diagnostic of a failed parse.
util::Diagnostic parse_error(std::string_view text) {
  ParseResult result = parse(text, "f.yml");
  EXPECT_EQ(result.document, nullptr);
  EXPECT_EQ(result.diagnostics.size(), 1u);
  return result.diagnostics.empty() ? util::Diagnostic{} : result.diagnostics.front();
}

TEST(YamlParser, BuildsMappingsSequencesAndScalarsWithMarks) {
  auto result = parse_ok("a: plain\nlist:\n  - one\n  - [x, y]\n");
  const Node* root = result.document->root();
  ASSERT_TRUE(root->is_mapping());
  ASSERT_EQ(root->pairs.size(), 2u);
  EXPECT_EQ(root->pairs[0].key->value, "a");
  EXPECT_EQ(root->pairs[0].key->mark.line, 1);
  EXPECT_EQ(root->pairs[0].key->mark.column, 1);
  EXPECT_EQ(root->pairs[0].value->value, "plain");
  EXPECT_EQ(root->pairs[0].value->mark.column, 4);
  const Node* list = root->find("list");
  ASSERT_NE(list, nullptr);
  ASSERT_TRUE(list->is_sequence());
  ASSERT_EQ(list->items.size(), 2u);
  EXPECT_EQ(list->items[0]->value, "one");
  EXPECT_EQ(list->items[0]->mark.line, 3);
  EXPECT_EQ(list->items[0]->mark.column, 5);
  ASSERT_TRUE(list->items[1]->is_sequence());
  EXPECT_EQ(list->items[1]->items[1]->value, "y");
  EXPECT_EQ(list->items[1]->items[1]->mark.line, 4);
  EXPECT_EQ(list->items[1]->items[1]->mark.column, 9);
}

TEST(YamlParser, ColumnsCountBytes) {
  auto result = parse_ok("é: \"ü\"\n");
  EXPECT_EQ(result.document->root()->pairs[0].value->mark.column, 5);
}

TEST(YamlParser, RecordsScalarStylesAndTags) {
  auto result = parse_ok(
      "p: plain\ns: 'single'\nd: \"double\"\nl: |\n  lit\nf: >-\n  folded\n"
      "t: !!str 5\nc: !custom x\na: &anchor 'q'\nn:\n");
  const Node* root = result.document->root();
  EXPECT_EQ(root->find("p")->style, ScalarStyle::plain);
  EXPECT_EQ(root->find("s")->style, ScalarStyle::single_quoted);
  EXPECT_EQ(root->find("d")->style, ScalarStyle::double_quoted);
  EXPECT_EQ(root->find("l")->style, ScalarStyle::literal);
  EXPECT_EQ(root->find("l")->value, "lit\n");
  EXPECT_EQ(root->find("f")->style, ScalarStyle::folded);
  EXPECT_EQ(root->find("f")->value, "folded");
  EXPECT_EQ(root->find("t")->tag, "tag:yaml.org,2002:str");
  EXPECT_EQ(root->find("c")->tag, "!custom");
  EXPECT_EQ(root->find("p")->tag, "");
  EXPECT_EQ(root->find("a")->style, ScalarStyle::single_quoted);
  EXPECT_EQ(root->find("a")->anchor, "anchor");
  EXPECT_TRUE(root->find("n")->is_null());
  EXPECT_EQ(root->find("n")->mark.line, 11);  // at its key, not at the next token
  EXPECT_FALSE(root->find("s")->is_null());
}

TEST(YamlParser, AliasesShareTheAnchoredNode) {
  auto result = parse_ok("base: &b\n  k: v\nx: *b\ny: *b\n");
  const Node* root = result.document->root();
  EXPECT_EQ(root->find("x"), root->find("base"));
  EXPECT_EQ(root->find("y"), root->find("base"));
  EXPECT_EQ(root->find("x")->find("k")->value, "v");
}

TEST(YamlParser, KeepsAndReportsDuplicateKeys) {
  ParseResult result = parse("a: 1\nb: 2\na: 3\n", "f.yml");
  ASSERT_NE(result.document, nullptr);
  EXPECT_EQ(result.document->root()->pairs.size(), 3u);
  ASSERT_EQ(result.diagnostics.size(), 1u);
  EXPECT_EQ(result.diagnostics[0].message, "'a' is already defined");
  EXPECT_EQ(result.diagnostics[0].rule, "duplicate-key");
  EXPECT_EQ(result.diagnostics[0].location, (util::Location{"f.yml", 3, 1}));
}

TEST(YamlParser, DuplicateKeysInNestedMappingsAreReported) {
  ParseResult result = parse("x:\n  y: 1\n  y: 2\nz:\n  y: 3\n", "f.yml");
  ASSERT_EQ(result.diagnostics.size(), 1u);
  EXPECT_EQ(result.diagnostics[0].location, (util::Location{"f.yml", 3, 3}));
}

TEST(YamlParser, SyntaxErrorsUseYamlCppMarkAndMessage) {
  util::Diagnostic d = parse_error("a: [1, 2\nb: 3\n");
  EXPECT_EQ(d.rule, "syntax");
  EXPECT_NE(d.message.find("end of sequence flow not found"), std::string::npos) << d.message;
  EXPECT_EQ(d.location.file, "f.yml");
  EXPECT_GT(d.location.line, 0);
}

TEST(YamlParser, EmptyFileIsAnError) {
  EXPECT_EQ(parse_error("").message, "the file is empty (no YAML document)");
  EXPECT_EQ(parse_error("# only a comment\n\n").rule, "syntax");
}

TEST(YamlParser, MultipleDocumentsAreRejectedAtTheSecond) {
  util::Diagnostic d = parse_error("a: 1\n---\nb: 2\n");
  EXPECT_EQ(d.rule, "syntax");
  EXPECT_NE(d.message.find("several YAML documents"), std::string::npos);
  EXPECT_EQ(d.location.line, 2);
}

TEST(YamlParser, InvalidUtf8IsReportedAtTheBadByte) {
  util::Diagnostic d = parse_error("a: ok\nb: x\xC3\x28y\n");
  EXPECT_EQ(d.rule, "syntax");
  EXPECT_NE(d.message.find("invalid UTF-8"), std::string::npos);
  EXPECT_EQ(d.location, (util::Location{"f.yml", 2, 5}));
}

TEST(YamlParser, ControlCharactersAreRejected) {
  util::Diagnostic d = parse_error(std::string("a: x\0y\n", 7));
  EXPECT_EQ(d.location, (util::Location{"f.yml", 1, 5}));
}

TEST(YamlParser, HugeInputIsRejectedBySizeBeforeParsing) {
  std::string text = "a: " + std::string(100u << 20, 'x') + "\n";
  util::Diagnostic d = parse_error(text);
  EXPECT_EQ(d.rule, "limits");
  EXPECT_NE(d.message.find("the limit is 1048576"), std::string::npos) << d.message;
}

TEST(YamlParser, DeepFlowNestingIsBounded) {
  util::Diagnostic d = parse_error(std::string(100000, '['));
  EXPECT_EQ(d.rule, "limits");
  EXPECT_EQ(d.message, "nesting deeper than 64 levels");
  EXPECT_EQ(d.location, (util::Location{"f.yml", 1, 65}));  // found before yaml-cpp scans
}

TEST(YamlParser, DeepBlockNestingIsBounded) {
  std::string text;
  for (int i = 0; i < 100000; ++i)
    text += "- ";
  text += "x\n";
  util::Diagnostic d = parse_error(text);
  EXPECT_EQ(d.rule, "limits");
}

TEST(YamlParser, DeepIndentedMappingsAreBounded) {
  std::string text;
  for (int i = 0; i < 2000; ++i)
    text += std::string(static_cast<size_t>(i), ' ') + "k:\n";
  EXPECT_EQ(parse_error(text).rule, "limits");
}

TEST(YamlParser, DeepFlowMappingsAndBracketsInTextAreTellApart) {
  std::string deep;
  for (int i = 0; i < 100000; ++i)
    deep += "{a: ";
  EXPECT_EQ(parse_error(deep).location, (util::Location{"f.yml", 1, 257}));
  // Brackets inside scalars, quotes and comments are not nesting.
  std::string text = "a: echo " + std::string(100, '[') + "\nb: '" + std::string(100, '[') +
                     "'\n# " + std::string(100, '{') + "\nc: \"" + std::string(100, '[') + "\"\n";
  parse_ok(text);
}

TEST(YamlParser, NestingWithinTheLimitIsAccepted) {
  std::string text = std::string(60, '[') + std::string(60, ']') + "\n";
  parse_ok(text);
}

TEST(YamlParser, AliasBombIsRejected) {
  std::string text = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n";
  for (int i = 1; i < 10; ++i) {
    std::string prev = "*a" + std::to_string(i - 1);
    text += "a" + std::to_string(i) + ": &a" + std::to_string(i) + " [";
    for (int j = 0; j < 10; ++j)
      text += prev + (j < 9 ? ", " : "");
    text += "]\n";
  }
  util::Diagnostic d = parse_error(text);
  EXPECT_EQ(d.rule, "limits");
  EXPECT_NE(d.message.find("aliases expand to more than 100000 nodes"), std::string::npos);
}

TEST(YamlParser, ModestAliasUseIsAccepted) {
  auto result = parse_ok("a: &a [1, 2, 3]\nb: [*a, *a, *a]\n");
  // root + keys a, b + [1, 2, 3] + b's sequence holding three expansions of a's.
  EXPECT_EQ(result.document->root()->expanded_size, 1u + 2 + 4 + 1 + 3 * 4);
}

TEST(YamlParser, ManyPlainNodesAreNotAnAliasBudgetMatter) {
  std::string text = "[";
  for (int i = 0; i < 150000; ++i)
    text += "x,";
  text += "x]\n";
  auto result = parse_ok(text);
  EXPECT_EQ(result.document->root()->items.size(), 150001u);
}

TEST(YamlParser, NodeCountIsBounded) {
  std::string text = "[";
  for (int i = 0; i < 300000; ++i)
    text += "x,";
  text += "x]\n";
  util::Diagnostic d = parse_error(text);
  EXPECT_EQ(d.rule, "limits");
  EXPECT_EQ(d.message, "the document has more than 200000 nodes");
}

TEST(YamlParser, RecursiveAliasIsRejected) {
  EXPECT_EQ(parse_error("a: &a [*a]\n").rule, "limits");
}

TEST(YamlParser, ArbitraryBytesNeverThrow) {
  const char* inputs[] = {
      "{", "]",     "&",       "*x",  "? ? ?",           "a: *nope", "!<", "%YAML 9.9\n---\na",
      "'", "\"\\u", "- - - -", ":::", "{a: [b, {c: d}]", "\t- x"};
  for (const char* input : inputs) {
    ParseResult result = parse(input, "f.yml");
    if (!result.document) {
      EXPECT_FALSE(result.diagnostics.empty()) << input;
    }
  }
}

TEST(YamlParser, MarkAtCountsLinesAndBytes) {
  Mark m = mark_at("ab\ncd\n", 4);
  EXPECT_EQ(m.line, 2);
  EXPECT_EQ(m.column, 2);
}

}  // namespace
}  // namespace pipewright::workflow::yaml
