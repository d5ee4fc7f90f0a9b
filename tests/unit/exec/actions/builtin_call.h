// Test helpers for the native built-ins: a BuiltinCall with a github context, the
// lines and annotations it emitted, and a shell runner.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <unistd.h>

#include "pipewright/exec/actions/builtin.h"

namespace pipewright::exec::actions::testing {

// Runs `command` with sh; expects success; returns its output without trailing newlines.
inline std::string sh(const std::string& command) {
  std::string out_file = "/tmp/pw-builtin-sh-" + std::to_string(::getpid()) + ".out";
  int rc = std::system(("(" + command + ") >" + out_file + " 2>&1").c_str());
  std::ifstream in(out_file);
  std::stringstream ss;
  ss << in.rdbuf();
  std::filesystem::remove(out_file);
  EXPECT_EQ(rc, 0) << command << "\n" << ss.str();
  std::string s = ss.str();
  while (!s.empty() && s.back() == '\n')
    s.pop_back();
  return s;
}

// A call recorder: build a call, run an action, look at what it logged.
struct CallHarness {
  ActionSettings settings;
  std::map<std::string, std::string> github = {{"repository", "octo/app"},
                                               {"ref", "refs/heads/main"},
                                               {"sha", std::string(40, 'a')},
                                               {"run_id", "1"}};
  std::vector<std::string> lines;
  std::vector<Annotation> annotations;

  BuiltinCall call(const std::string& uses, std::map<std::string, std::string> inputs) {
    BuiltinCall c;
    c.ref = *parse_action_ref(uses);
    c.inputs = std::move(inputs);
    expr::Object object;
    for (const auto& [k, v] : github)
      object.set(k, expr::Value(v));
    c.github = expr::Value(std::move(object));
    c.settings = &settings;
    c.line = [this](std::string_view l) { lines.emplace_back(l); };
    c.annotation = [this](const Annotation& a) { annotations.push_back(a); };
    return c;
  }
  std::string log() const {
    std::string all;
    for (const auto& l : lines)
      all += l + "\n";
    for (const auto& a : annotations)
      all += "annotation: " + a.message + "\n";
    return all;
  }
};

// The value of `name` in a result's outputs ('' when absent).
inline std::string output(const BuiltinResult& result, const std::string& name) {
  for (const auto& [k, v] : result.outputs)
    if (k == name) return v;
  return {};
}

}  // namespace pipewright::exec::actions::testing
