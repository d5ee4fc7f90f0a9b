// Our schema tables (schema.h) and context table (contexts.h) against GitHub's workflow
// schema, read at test time from $PW_SHARED_DIR/reference/workflow-v1.0.json.
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "pipewright/workflow/contexts.h"
#include "pipewright/workflow/loader.h"
#include "pipewright/workflow/schema.h"

namespace pipewright::workflow {
namespace {

using nlohmann::json;

class SchemaCoverage : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* shared = std::getenv("PW_SHARED_DIR");
    if (!shared) GTEST_SKIP() << "PW_SHARED_DIR is not set";
    std::filesystem::path path = std::filesystem::path(shared) / "reference" / "workflow-v1.0.json";
    std::ifstream in(path);
    if (!in) GTEST_SKIP() << path << " is absent";
    m_definitions = json::parse(in).at("definitions");
  }

  // The definition names a definition refers to.
  static std::vector<std::string> references(const json& def) {
    std::vector<std::string> out;
    auto add = [&](const json& ref) {
      if (ref.is_string()) out.push_back(ref.get<std::string>());
      if (ref.is_object() && ref.contains("type")) out.push_back(ref["type"].get<std::string>());
    };
    if (def.contains("mapping")) {
      const json& m = def["mapping"];
      if (m.contains("properties"))
        for (const auto& [key, ref] : m["properties"].items())
          add(ref);
      if (m.contains("loose-key-type")) add(m["loose-key-type"]);
      if (m.contains("loose-value-type")) add(m["loose-value-type"]);
    }
    if (def.contains("sequence")) add(def["sequence"]["item-type"]);
    if (def.contains("one-of"))
      for (const json& alternative : def["one-of"])
        add(alternative);
    return out;
  }

  // Every definition reachable from `roots`.
  std::set<std::string> reachable(std::vector<std::string> roots) const {
    std::set<std::string> seen;
    while (!roots.empty()) {
      std::string name = roots.back();
      roots.pop_back();
      if (!m_definitions.contains(name) || !seen.insert(name).second) continue;
      for (std::string& ref : references(m_definitions[name]))
        roots.push_back(std::move(ref));
    }
    return seen;
  }

  json m_definitions;
};

std::set<std::string> keys_of(const schema::Def& def) {
  std::set<std::string> keys;
  for (const schema::Property& property : def.properties)
    keys.emplace(property.key);
  return keys;
}

TEST_F(SchemaCoverage, EveryMappingKeyIsInOurTables) {
  int checked = 0;
  for (const std::string& name : reachable({"workflow-root", "workflow-root-strict"})) {
    const json& def = m_definitions[name];
    if (!def.contains("mapping") || !def["mapping"].contains("properties")) continue;
    // Our `on-mapping` is GitHub's strict one (every event), used for both roots.
    std::string ours = name == "on-mapping-strict" ? "on-mapping" : name;
    ours = ours == "workflow-root-strict" ? "workflow-root" : ours;
    const schema::Def* mine = schema::find_definition(ours);
    ASSERT_NE(mine, nullptr) << "no table for " << name;
    std::set<std::string> expected;
    for (const auto& [key, ref] : def["mapping"]["properties"].items())
      expected.insert(key);
    std::set<std::string> have = keys_of(*mine);
    for (const std::string& key : expected)
      EXPECT_TRUE(have.contains(key)) << name << "." << key;
    if (name != "on-mapping" && name != "workflow-root") {
      EXPECT_EQ(have, expected) << name;
    }
    ++checked;
  }
  EXPECT_GT(checked, 50);
}

TEST_F(SchemaCoverage, ContextTableMatchesTheSchema) {
  int checked = 0;
  std::set<std::string> with_context;
  for (const auto& [name, def] : m_definitions.items()) {
    if (!def.contains("context")) continue;
    with_context.insert(name);
    DefinitionContext found = key_kind_for_definition(name);
    ASSERT_TRUE(found.found) << name;
    const ContextRule& rule = context_rule(found.key);
    std::set<std::string> contexts;
    std::set<std::string> functions;
    for (const json& entry : def["context"]) {
      std::string s = entry.get<std::string>();
      if (s.find('(') == std::string::npos)
        contexts.insert(s);
      else
        functions.insert(s);
    }
    std::set<std::string> our_contexts(rule.contexts.begin(), rule.contexts.end());
    std::set<std::string> our_functions;
    for (const FunctionSpec& f : rule.functions)
      our_functions.insert(std::string(f.name) + "(" + std::to_string(f.min_args) + "," +
                           (f.max_args == k_max_args ? "MAX" : std::to_string(f.max_args)) + ")");
    EXPECT_EQ(our_contexts, contexts) << name;
    EXPECT_EQ(our_functions, functions) << name;
    ++checked;
  }
  EXPECT_EQ(static_cast<size_t>(checked), context_definitions().size());
  for (std::string_view name : context_definitions())
    EXPECT_TRUE(with_context.contains(std::string(name))) << name;
}

// The `types` values of `event` in our tables (empty when it has none).
std::set<std::string> our_activity_types(std::string_view event) {
  std::set<std::string> out;
  const schema::Def* on = schema::find_definition("on-mapping");
  for (const schema::Property& property : on->properties) {
    if (property.key != event) continue;
    for (const schema::Def* alternative : property.def->alternatives) {
      if (alternative->shape != schema::Shape::mapping) continue;
      for (const schema::Property& p : alternative->properties) {
        if (p.key != "types") continue;
        for (const schema::Def* form : p.def->alternatives)
          if (form->shape == schema::Shape::allowed_values)
            out.insert(form->values.begin(), form->values.end());
      }
    }
  }
  return out;
}

TEST_F(SchemaCoverage, EventNamesAndActivityTypesMatch) {
  const json& events = m_definitions["on-mapping-strict"]["mapping"]["properties"];
  std::set<std::string> names;
  for (const auto& [event, ref] : events.items()) {
    names.insert(event);
    std::set<std::string> expected;
    for (const json& alternative :
         m_definitions[ref.get<std::string>()].value("one-of", json::array())) {
      const json& mapping = m_definitions[alternative.get<std::string>()];
      if (!mapping.contains("mapping") || !mapping["mapping"].contains("properties")) continue;
      const json& properties = mapping["mapping"]["properties"];
      if (!properties.contains("types")) continue;
      const json& activity = m_definitions[properties["types"].get<std::string>()];
      for (const json& form : activity.value("one-of", json::array())) {
        const json& type = m_definitions[form.get<std::string>()];
        if (type.contains("allowed-values"))
          for (const json& v : type["allowed-values"])
            expected.insert(v.get<std::string>());
      }
    }
    EXPECT_EQ(our_activity_types(event), expected) << event;
  }
  std::set<std::string> ours(schema::event_names().begin(), schema::event_names().end());
  EXPECT_EQ(ours, names);
}

TEST(ExampleWorkflows, LoadWithoutErrors) {
  // PW_SOURCE_DIR, or the checkout this test file lives in (tests/unit/workflow/).
  const char* source = std::getenv("PW_SOURCE_DIR");
  std::filesystem::path root = source ? std::filesystem::path(source)
                                      : std::filesystem::path(__FILE__).parent_path() / "../../..";
  std::filesystem::path examples = root / "examples";
  if (!std::filesystem::exists(examples)) GTEST_SKIP() << examples << " is absent";
  int loaded = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(examples)) {
    const std::filesystem::path& path = entry.path();
    if (path.extension() != ".yml" && path.extension() != ".yaml") continue;
    if (path.parent_path().filename() != "workflows" ||
        path.parent_path().parent_path().filename() != ".github")
      continue;
    LoadResult result = load_workflow(path.string());
    for (const util::Diagnostic& d : result.diagnostics)
      ADD_FAILURE() << util::render_diagnostic(d);
    EXPECT_TRUE(result.workflow) << path;
    ++loaded;
  }
  if (loaded == 0) GTEST_SKIP() << "no example workflows";
}

}  // namespace
}  // namespace pipewright::workflow
