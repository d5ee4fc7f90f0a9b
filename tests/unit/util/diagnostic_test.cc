#include "pipewright/util/diagnostic.h"

#include <gtest/gtest.h>

namespace pipewright::util {
namespace {

TEST(Diagnostic, RendersHeaderSourceLineAndCaret) {
  Diagnostic d{Severity::error,
               {"ci.yml", 2, 5},
               "unknown key \"runs_on\"",
               "unknown-key",
               "did you mean \"runs-on\"?"};
  std::string source = "jobs:\n    runs_on: x\n";
  EXPECT_EQ(render_diagnostic(d, source),
            "ci.yml:2:5: error: unknown key \"runs_on\" [unknown-key]\n"
            "      runs_on: x\n"
            "      ^\n"
            "  hint: did you mean \"runs-on\"?\n");
}

TEST(Diagnostic, CaretFollowsTabs) {
  Diagnostic d{Severity::warning, {"f", 1, 3}, "m", "r", ""};
  EXPECT_EQ(render_diagnostic(d, "\tab"), "f:1:3: warning: m [r]\n  \tab\n  \t ^\n");
}

TEST(Diagnostic, WithoutSourceOrLocationOnlyTheHeader) {
  Diagnostic d{Severity::error, {"f.yml"}, "cannot read", "", ""};
  EXPECT_EQ(render_diagnostic(d), "f.yml: error: cannot read\n");
}

TEST(Diagnostic, SourceLineHandlesCrlfAndOutOfRange) {
  EXPECT_EQ(source_line("a\r\nb\r\n", 1), "a");
  EXPECT_EQ(source_line("a\r\nb", 2), "b");
  EXPECT_EQ(source_line("a\nb", 3), "");
  EXPECT_EQ(source_line("a", 0), "");
}

TEST(Diagnostic, SortsByFileLineColumn) {
  std::vector<Diagnostic> ds{{Severity::error, {"b", 1, 1}, "3", "", ""},
                             {Severity::error, {"a", 2, 1}, "2", "", ""},
                             {Severity::error, {"a", 1, 9}, "1", "", ""}};
  sort_diagnostics(ds);
  EXPECT_EQ(ds[0].message, "1");
  EXPECT_EQ(ds[1].message, "2");
  EXPECT_EQ(ds[2].message, "3");
}

TEST(Error, FormatsLocationMessageAndHint) {
  EXPECT_EQ(format_error({"bad", {"x.yml", 3, 4}, "fix it"}), "x.yml:3:4: bad (fix it)");
  EXPECT_EQ(format_error({"bad", {}, ""}), "bad");
}

}  // namespace
}  // namespace pipewright::util
