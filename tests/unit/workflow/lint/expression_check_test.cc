#include "pipewright/workflow/lint/expression_check.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace pipewright::workflow::lint {
namespace {

using util::Diagnostic;

// Column = offset + 1 on line 1, so expectations read as positions in the scalar.
std::vector<Diagnostic> check(std::string_view scalar, const ExpressionScope& scope) {
  std::vector<Diagnostic> out;
  check_expressions(
      scalar, scope,
      [](size_t offset) {
        return util::Location{"f.yml", 1, int(offset) + 1};
      },
      out);
  return out;
}

ExpressionScope step_scope() {
  ExpressionScope s;
  s.key = "jobs.<job_id>.steps.run";
  s.contexts = {"github",  "env",      "vars",   "job",   "steps", "runner",
                "secrets", "strategy", "matrix", "needs", "inputs"};
  s.hash_files = true;
  s.step_ids = std::vector<std::string>{"build"};
  s.needs = std::vector<std::string>{"setup"};
  s.matrix_keys = std::vector<std::string>{"os", "node"};
  s.inputs = std::vector<std::string>{"level"};
  return s;
}

TEST(ExpressionCheckTest, CleanExpressionsGiveNothing) {
  auto d = check(
      "echo ${{ github.event_name }} ${{ steps.build.outputs.x }} ${{ needs.setup.result }} "
      "${{ matrix.os }} ${{ inputs.level }} ${{ hashFiles('a') }} ${{ github.event.anything }}",
      step_scope());
  EXPECT_TRUE(d.empty()) << d[0].message;
}

TEST(ExpressionCheckTest, UnknownGithubPropertyPointsAtProperty) {
  auto d = check("x ${{ github.event_nam }}", step_scope());
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].message, "unknown property 'event_nam' of 'github'");
  EXPECT_EQ(d[0].hint, "did you mean 'event_name'?");
  EXPECT_EQ(d[0].location.column, 14);  // the "e" of event_nam
  EXPECT_EQ(d[0].rule, "expression-reference");
}

TEST(ExpressionCheckTest, UndefinedStepNeedsMatrixInput) {
  auto d = check(
      "${{ steps.bild.outputs.x }}${{ needs.setp.result }}${{ matrix.oss }}"
      "${{ inputs.levl }}${{ steps.build.output }}${{ needs.setup.outputs.v }}",
      step_scope());
  ASSERT_EQ(d.size(), 5u);
  EXPECT_EQ(d[0].message, "step 'bild' is not defined (no earlier step has that id)");
  EXPECT_EQ(d[0].hint, "did you mean 'build'?");
  EXPECT_EQ(d[0].location.column, 11);
  EXPECT_NE(d[1].message.find("job 'setp' is not defined in this job's 'needs'"),
            std::string::npos);
  EXPECT_NE(d[2].message.find("matrix key 'oss'"), std::string::npos);
  EXPECT_NE(d[3].message.find("input 'levl'"), std::string::npos);
  EXPECT_EQ(d[4].message, "unknown property 'output' of 'steps.build'");
  EXPECT_EQ(d[4].hint, "did you mean 'outputs'?");
}

TEST(ExpressionCheckTest, UnknownShapesAreNotChecked) {
  ExpressionScope s = step_scope();
  s.matrix_keys.reset();
  EXPECT_TRUE(check("${{ matrix.anything }}", s).empty());
}

TEST(ExpressionCheckTest, ContextNotAvailableHere) {
  ExpressionScope s;
  s.key = "jobs.<job_id>.if";
  s.contexts = {"github", "inputs", "vars", "needs"};
  s.status_functions = true;
  s.condition = true;
  auto d = check("success() && matrix.os == 'x'", s);
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].message, "context 'matrix' is not available at 'jobs.<job_id>.if'");
  EXPECT_EQ(d[0].hint, "available here: github, inputs, vars, needs");
  EXPECT_EQ(d[0].location.column, 14);
}

TEST(ExpressionCheckTest, UnknownContextGetsSuggestion) {
  auto d = check("${{ githb.sha }}", step_scope());
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].message, "unknown context 'githb'");
  EXPECT_EQ(d[0].hint, "did you mean 'github'?");
  EXPECT_EQ(d[0].location.column, 5);
}

TEST(ExpressionCheckTest, StatusFunctionsOnlyInConditions) {
  auto d = check("${{ always() }}", step_scope());
  ASSERT_EQ(d.size(), 1u);
  EXPECT_NE(d[0].message.find("status function 'always()' is not allowed"), std::string::npos);
  ExpressionScope s = step_scope();
  s.status_functions = true;
  s.condition = true;
  EXPECT_TRUE(check("always()", s).empty());
}

TEST(ExpressionCheckTest, HashFilesOnlyInSteps) {
  ExpressionScope s = step_scope();
  s.hash_files = false;
  s.key = "jobs.<job_id>.runs-on";
  auto d = check("${{ hashFiles('x') }}", s);
  ASSERT_EQ(d.size(), 1u);
  EXPECT_NE(d[0].message.find("hashFiles()"), std::string::npos);
}

TEST(ExpressionCheckTest, ScriptInjectionInRun) {
  ExpressionScope s = step_scope();
  s.injection_sink = true;
  auto d = check("echo \"${{ github.event.issue.title }}\" ${{ github.event.issue.number }}", s);
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].severity, util::Severity::warning);
  EXPECT_EQ(d[0].rule, "script-injection");
  EXPECT_EQ(d[0].location.column, 11);
  EXPECT_NE(d[0].hint.find("env:"), std::string::npos);
  auto head = check("git checkout ${{ github.head_ref }}", s);
  ASSERT_EQ(head.size(), 1u);
  s.injection_sink = false;
  EXPECT_TRUE(check("echo ${{ github.event.issue.title }}", s).empty());
}

TEST(ExpressionCheckTest, SyntaxErrorsAreLeftToTheLoader) {
  EXPECT_TRUE(check("${{ github. }}", step_scope()).empty());
}

TEST(ExpressionCheckTest, PositionsAfterNonAsciiTextAreBytes) {
  // 'é' is 2 bytes but one UTF-16 unit, '😀' 4 bytes but two units.
  auto d = check("${{ format('\xc3\xa9\xf0\x9f\x98\x80{0}', github.event_nam) }}", step_scope());
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].location.column, 32);  // byte 31: the "e" of event_nam
}

TEST(ExpressionCheckTest, PropertyOffsets) {
  EXPECT_EQ(property_offset("github.event.x", 1, 0), 7u);
  EXPECT_EQ(property_offset("github.event.x", 1, 1), 13u);
  EXPECT_EQ(property_offset(" a && github['event'] . y", 7, 0), 14u);
  EXPECT_EQ(property_offset(" a && github['event'] . y", 7, 1), 24u);
  EXPECT_EQ(property_offset("github", 1, 0), 0u);
}

}  // namespace
}  // namespace pipewright::workflow::lint
