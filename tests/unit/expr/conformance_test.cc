// Runs every case of GitHub's shared expression vectors (gha-spec.md §1.1) from
// $PW_SHARED_DIR/conformance/expressions/*.json, including the C#-only ones.
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "pipewright/expr/evaluator.h"
#include "pipewright/expr/json.h"
#include "pipewright/expr/parser.h"

namespace pipewright::expr {
namespace {

using nlohmann::ordered_json;

bool same(const Value& v, const ordered_json& j) {
  switch (v.kind()) {
    case Kind::null:
      return j.is_null();
    case Kind::boolean:
      return j.is_boolean() && j.get<bool>() == v.as_bool();
    case Kind::number:
      return j.is_number() && j.get<double>() == v.as_number();
    case Kind::string:
      return j.is_string() && j.get<std::string>() == v.as_string();
    case Kind::array: {
      if (!j.is_array() || j.size() != v.as_array().size()) return false;
      for (size_t i = 0; i < j.size(); ++i)
        if (!same(v.as_array()[i], j[i])) return false;
      return true;
    }
    case Kind::object: {
      if (!j.is_object() || j.size() != v.as_object().size()) return false;
      for (const auto& [key, value] : v.as_object())
        if (!j.contains(key) || !same(value, j[key])) return false;
      return true;
    }
  }
  return false;
}

std::string describe(const Value& v) {
  if (v.kind() == Kind::number) return "Number " + format_number(v.as_number());
  return std::string(kind_name(v.kind())) + " " + to_json(v);
}

// Runs one case; returns "" when it passes, otherwise what went wrong.
std::string run_case(const ordered_json& c) {
  std::string text = c.at("expr").get<std::string>();
  ParseOptions options;
  EvalContext context;
  if (c.contains("contexts")) {
    for (const auto& [name, value] : c["contexts"].items()) {
      options.named_values.push_back(name);
      auto parsed = parse_json(value.dump());
      if (!parsed) return "bad context JSON: " + parsed.error();
      context.set(name, *parsed);
    }
  }
  std::string actual;
  std::string actual_kind;
  Value result;
  auto expression = parse(text, options);
  if (expression) {
    auto value = evaluate(*expression, context);
    if (value) {
      result = *value;
    } else {
      actual_kind = error_kind_name(value.error().kind);
      actual = value.error().message;
    }
  } else {
    actual_kind = error_kind_name(expression.error().kind);
    actual = expression.error().message;
  }
  if (c.contains("err")) {
    std::string kind = c["err"]["kind"].get<std::string>();
    std::string message = c["err"]["value"].get<std::string>();
    if (actual_kind.empty()) return "expected error, got " + describe(result);
    if (actual_kind != kind || actual.find(message) == std::string::npos)
      return "expected " + kind + " error containing \"" + message + "\", got " + actual_kind +
             " error \"" + actual + "\"";
    return "";
  }
  const auto& expected = c.at("result");
  if (!actual_kind.empty()) return "unexpected " + actual_kind + " error: " + actual;
  std::string kind = expected["kind"].get<std::string>();
  if (kind_name(result.kind()) != kind || !same(result, expected["value"]))
    return "expected " + kind + " " + expected["value"].dump() + ", got " + describe(result);
  return "";
}

TEST(Conformance, AllExpressionVectors) {
  const char* shared = std::getenv("PW_SHARED_DIR");
  if (!shared) GTEST_SKIP() << "PW_SHARED_DIR is not set";
  std::filesystem::path dir = std::filesystem::path(shared) / "conformance" / "expressions";
  if (!std::filesystem::is_directory(dir)) GTEST_SKIP() << dir << " is absent";
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir))
    if (entry.path().extension() == ".json") files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  int total = 0;
  int passed = 0;
  for (const auto& file : files) {
    std::ifstream in(file);
    ordered_json doc = ordered_json::parse(in);
    for (const auto& [group, cases] : doc.items()) {
      for (size_t i = 0; i < cases.size(); ++i) {
        ++total;
        std::string problem = run_case(cases[i]);
        if (problem.empty()) {
          ++passed;
          continue;
        }
        ADD_FAILURE() << file.filename().string() << " [" << group << "] #" << i
                      << "\n  expr: " << cases[i]["expr"].get<std::string>() << "\n  " << problem;
      }
    }
  }
  std::printf("conformance: %d/%d cases passed (%zu files)\n", passed, total, files.size());
  EXPECT_GT(total, 0);
  EXPECT_EQ(passed, total);
}

}  // namespace
}  // namespace pipewright::expr
