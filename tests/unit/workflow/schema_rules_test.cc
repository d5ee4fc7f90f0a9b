// Every `required` property and every boolean/number value of GitHub's workflow schema
// ($PW_SHARED_DIR/reference/workflow-v1.0.json, read at test time) is enforced by the
// loader, and the smallest valid instance of every definition loads without an error.
//
// Documents are generated from the schema itself: for each definition reachable from
// `workflow-root-strict`, the shortest path to it is filled with minimal valid values, then
// one property is dropped or given a value of the wrong type.
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "pipewright/workflow/loader.h"

namespace pipewright::workflow {
namespace {

using nlohmann::json;

// One step from a definition to a child: a property, a loose key, a sequence item, or the
// alternative a one-of takes.
struct Step {
  enum Kind { property, loose, item, alternative } kind;
  std::string key;
  std::string def;  // the child definition
};
using Path = std::vector<Step>;

// A scalar written without quotes (a plain YAML scalar) in the generated documents.
json plain(std::string text) {
  return json{{"$plain", std::move(text)}};
}

// Flow-style YAML: strings double-quoted (so always strings), plain() as written.
std::string emit(const json& value) {
  if (value.is_object() && value.size() == 1 && value.contains("$plain"))
    return value["$plain"].get<std::string>();
  if (value.is_object()) {
    std::string out = "{";
    for (const auto& [key, child] : value.items())
      out += (out.size() > 1 ? ", " : "") + json(key).dump() + ": " + emit(child);
    return out + "}";
  }
  if (value.is_array()) {
    std::string out = "[";
    for (const json& child : value)
      out += (out.size() > 1 ? ", " : "") + emit(child);
    return out + "]";
  }
  return value.dump();
}

class SchemaRules : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* shared = std::getenv("PW_SHARED_DIR");
    if (!shared) GTEST_SKIP() << "PW_SHARED_DIR is not set";
    std::filesystem::path path = std::filesystem::path(shared) / "reference" / "workflow-v1.0.json";
    std::ifstream in(path);
    if (!in) GTEST_SKIP() << path << " is absent";
    m_defs = json::parse(in).at("definitions");
    explore();
  }

  static std::string type_of(const json& property) {
    return property.is_string() ? property.get<std::string>()
                                : property.at("type").get<std::string>();
  }

  // The `properties` of a definition's mapping (an empty object when it has none).
  static const json& properties(const json& d) {
    static const json k_none = json::object();
    if (!d.contains("mapping") || !d["mapping"].contains("properties")) return k_none;
    return d["mapping"]["properties"];
  }

  const json* def(const std::string& name) const {
    return m_defs.contains(name) ? &m_defs[name] : nullptr;
  }

  // Keys GitHub's converter requires although the schema does not (job_rules.h).
  static std::vector<std::string> converter_required(const std::string& name) {
    if (name == "container-mapping" || name == "service-container-mapping") return {"image"};
    return {};
  }

  // The smallest value `name` accepts.
  json minimal(const std::string& name, int depth = 0) const {
    const json* d = def(name);
    if (!d || depth > 30) {
      if (name == "boolean") return true;
      if (name == "number") return 1;
      if (name == "null") return nullptr;
      if (name == "sequence") return json::array();
      if (name == "mapping") return json::object();
      return "x";
    }
    if (d->contains("string")) return (*d)["string"].value("constant", std::string("x"));
    if (d->contains("boolean")) return true;
    if (d->contains("number")) return 1;
    if (d->contains("null")) return nullptr;
    if (d->contains("allowed-values")) return (*d)["allowed-values"][0];
    if (d->contains("sequence")) return json::array();
    if (d->contains("one-of")) return minimal((*d)["one-of"][0].get<std::string>(), depth + 1);
    json out = json::object();
    const json& mapping = (*d)["mapping"];
    for (const auto& [key, property] : properties(*d).items())
      if (property.is_object() && property.value("required", false))
        out[key] = minimal(type_of(property), depth + 1);
    for (const std::string& key : converter_required(name))
      out[key] = minimal(type_of(mapping["properties"][key]), depth + 1);
    if (name == "jobs") out["k1"] = minimal("job", depth + 1);  // a workflow has a job
    return out;
  }

  // `name` with the rest of `path` filled in from `index`; `leaf` replaces its end.
  json instance(const std::string& name, const Path& path, size_t index,
                const std::optional<json>& leaf) const {
    if (index == path.size()) return leaf ? *leaf : minimal(name);
    const Step& step = path[index];
    json child = instance(step.def, path, index + 1, leaf);
    if (step.kind == Step::alternative) return child;
    if (step.kind == Step::item) return json::array({child});
    json base = minimal(name);
    base[step.key] = child;
    return base;
  }

  std::string document(const Path& path, const std::optional<json>& leaf = std::nullopt) const {
    return emit(instance("workflow-root-strict", path, 0, leaf)) + "\n";
  }

  // The shortest path to every definition reachable from the root (breadth first).
  void explore() {
    std::vector<std::pair<std::string, Path>> queue = {{"workflow-root-strict", {}}};
    for (size_t i = 0; i < queue.size(); ++i) {
      auto [name, path] = queue[i];
      if (!m_paths.emplace(name, path).second) continue;
      const json* d = def(name);
      if (!d) continue;
      auto visit = [&](Step step) {
        if (m_paths.contains(step.def)) return;
        Path next = path;
        next.push_back(step);
        queue.emplace_back(step.def, std::move(next));
      };
      if (d->contains("one-of"))
        for (const json& alternative : (*d)["one-of"])
          visit({Step::alternative, "", alternative.get<std::string>()});
      if (d->contains("sequence"))
        visit({Step::item, "", (*d)["sequence"]["item-type"].get<std::string>()});
      if (!d->contains("mapping")) continue;
      const json& mapping = (*d)["mapping"];
      for (const auto& [key, property] : properties(*d).items())
        visit({Step::property, key, type_of(property)});
      if (mapping.contains("loose-value-type"))
        visit({Step::loose, "k1", mapping["loose-value-type"].get<std::string>()});
    }
  }

  // The definition a path's last step leaves from.
  static std::string parent_of(const Path& path) {
    return path.size() >= 2 ? path[path.size() - 2].def : "workflow-root-strict";
  }

  std::vector<util::Diagnostic> errors(const std::string& text) const {
    std::vector<util::Diagnostic> out;
    for (const util::Diagnostic& d : load_workflow_text(text, "w.yml").diagnostics)
      if (d.severity == util::Severity::error) out.push_back(d);
    return out;
  }

  static std::string dump(const std::vector<util::Diagnostic>& diagnostics) {
    std::string out;
    for (const util::Diagnostic& d : diagnostics)
      out += "  " + d.message + " [" + d.rule + "]\n";
    return out;
  }

  json m_defs;
  std::map<std::string, Path> m_paths;
};

TEST_F(SchemaRules, TheMinimalInstanceOfEveryDefinitionLoadsWithoutErrors) {
  int checked = 0;
  for (const auto& [name, path] : m_paths) {
    std::string text = document(path);
    auto found = errors(text);
    EXPECT_TRUE(found.empty()) << name << ":\n" << text << dump(found);
    ++checked;
  }
  EXPECT_GT(checked, 200);
}

TEST_F(SchemaRules, EveryRequiredPropertyIsEnforced) {
  int checked = 0;
  for (const auto& [name, path] : m_paths) {
    const json* d = def(name);
    if (!d || !d->contains("mapping")) continue;
    std::vector<std::string> required = converter_required(name);
    for (const auto& [key, property] : properties(*d).items())
      if (property.is_object() && property.value("required", false)) required.push_back(key);
    for (const std::string& key : required) {
      json without = minimal(name);
      without.erase(key);
      std::string text = document(path, without);
      auto found = errors(text);
      // Without its key, an alternative of a one-of may read as another alternative (a job
      // without `uses` is a job with `runs-on`): the other's required key is then reported.
      std::set<std::string> keys = {key};
      if (!path.empty() && path.back().kind == Step::alternative)
        for (const json& sibling : def(parent_of(path))->at("one-of")) {
          const json* other_def = def(sibling.get<std::string>());
          if (!other_def) continue;
          for (const auto& [other, property] : properties(*other_def).items())
            if (property.is_object() && property.value("required", false)) keys.insert(other);
        }
      bool reported = false;
      for (const util::Diagnostic& d : found)
        for (const std::string& k : keys)
          reported = reported ||
                     (d.rule == "required" && (d.message.find("'" + k + "'") != std::string::npos ||
                                               d.message.find("`" + k + "`") != std::string::npos));
      EXPECT_TRUE(reported) << name << "." << key << " is not enforced:\n" << text << dump(found);
      ++checked;
    }
  }
  EXPECT_GT(checked, 10);
}

TEST_F(SchemaRules, EveryBooleanAndNumberValueRefusesOtherText) {
  int checked = 0;
  for (const auto& [name, path] : m_paths) {
    const json* d = def(name);
    if (!d || !d->contains("mapping")) continue;
    for (const auto& [key, property] : properties(*d).items()) {
      std::string type = type_of(property);
      const json* t = def(type);
      bool boolean = type == "boolean" || (t && t->contains("boolean"));
      bool number = type == "number" || (t && t->contains("number"));
      if (!boolean && !number) continue;
      Path site = path;
      site.push_back({Step::property, key, type});
      // Text that is not of the type, plain and quoted (GitHub types plain scalars only).
      std::vector<json> wrong = boolean ? std::vector<json>{plain("yes-please"), json("true")}
                                        : std::vector<json>{plain("1.2.3"), json("5")};
      for (const json& value : wrong) {
        std::string text = document(site, value);
        auto found = errors(text);
        bool reported = false;
        for (const util::Diagnostic& diagnostic : found)
          reported = reported || diagnostic.rule == "type";
        EXPECT_TRUE(reported) << name << "." << key << " accepts " << emit(value) << ":\n"
                              << text << dump(found);
        ++checked;
      }
      // And plain text of the type is accepted.
      std::string text = document(site, boolean ? plain("False") : plain("0x1F"));
      auto found = errors(text);
      EXPECT_TRUE(found.empty()) << name << "." << key << ":\n" << text << dump(found);
    }
  }
  EXPECT_GT(checked, 20);
}

}  // namespace
}  // namespace pipewright::workflow
