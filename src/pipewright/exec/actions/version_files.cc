#include "pipewright/exec/actions/version_files.h"

#include <cctype>
#include <filesystem>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "pipewright/os/file.h"

namespace pipewright::exec::actions {

namespace fs = std::filesystem;

namespace {

constexpr size_t k_max_version_file = 256 * 1024;
constexpr int k_max_volta_extends = 8;

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front())))
    s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())))
    s.remove_suffix(1);
  return s;
}

// The non-empty lines of `text` without '#' comment lines, trimmed.
std::vector<std::string_view> content_lines(std::string_view text) {
  std::vector<std::string_view> out;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = trim(text.substr(0, nl));
    text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
    if (!line.empty() && !line.starts_with('#')) out.push_back(line);
  }
  return out;
}

std::string drop_v(std::string_view v) {
  if (v.size() > 1 && (v[0] == 'v' || v[0] == 'V') &&
      std::isdigit(static_cast<unsigned char>(v[1])))
    v.remove_prefix(1);
  return std::string(v);
}

std::string first_word(std::string_view s) {
  s = trim(s);
  size_t end = 0;
  while (end < s.size() && !std::isspace(static_cast<unsigned char>(s[end])))
    ++end;
  return std::string(s.substr(0, end));
}

// `name` followed by whitespace at the start of `line`: the rest, else nullopt.
std::optional<std::string_view> after_word(std::string_view line, std::string_view name) {
  if (!line.starts_with(name) || line.size() <= name.size() ||
      !std::isspace(static_cast<unsigned char>(line[name.size()])))
    return std::nullopt;
  return trim(line.substr(name.size()));
}

// A TOML basic or literal string value ('"3.11"' → 3.11); nullopt for other values.
std::optional<std::string> toml_string(std::string_view value) {
  value = trim(value);
  if (value.size() < 2 || (value[0] != '"' && value[0] != '\'')) return std::nullopt;
  size_t end = value.find(value[0], 1);
  if (end == std::string_view::npos) return std::nullopt;
  return std::string(value.substr(1, end - 1));
}

// `key` in table `table` of a TOML file (a small reader: [table] headers and
// `key = "string"` lines, which is how these files spell it).
std::optional<std::string> toml_value(std::string_view text, std::string_view table,
                                      std::string_view key) {
  std::string_view current;
  for (std::string_view line : content_lines(text)) {
    if (line.starts_with('[')) {
      size_t end = line.find(']');
      current = trim(line.substr(1, end == std::string_view::npos ? 0 : end - 1));
      continue;
    }
    if (current != table) continue;
    size_t eq = line.find('=');
    if (eq == std::string_view::npos || trim(line.substr(0, eq)) != key) continue;
    return toml_string(line.substr(eq + 1));
  }
  return std::nullopt;
}

std::optional<std::string> json_string(const nlohmann::json& j, std::string_view a,
                                       std::string_view b) {
  if (!j.is_object()) return std::nullopt;
  auto outer = j.find(a);
  if (outer == j.end() || !outer->is_object()) return std::nullopt;
  auto inner = outer->find(b);
  if (inner == outer->end() || !inner->is_string() || inner->get<std::string>().empty())
    return std::nullopt;
  return inner->get<std::string>();
}

util::Expected<std::string> package_json_node(const std::string& path, const nlohmann::json& j,
                                              int depth) {
  if (auto v = json_string(j, "volta", "node")) return *v;
  if (auto dev = j.find("devEngines"); dev != j.end() && dev->is_object()) {
    if (auto runtime = dev->find("runtime"); runtime != dev->end()) {
      nlohmann::json list = runtime->is_array() ? *runtime : nlohmann::json::array({*runtime});
      for (const auto& entry : list) {
        if (!entry.is_object()) continue;
        auto name = entry.find("name");
        auto version = entry.find("version");
        if (name != entry.end() && name->is_string() && version != entry.end() &&
            version->is_string() && !version->get<std::string>().empty()) {
          std::string n = name->get<std::string>();
          for (char& c : n)
            c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
          if (n == "node") return version->get<std::string>();
        }
      }
    }
  }
  if (auto v = json_string(j, "engines", "node")) return *v;
  if (auto extends = json_string(j, "volta", "extends"); extends && depth < k_max_volta_extends) {
    std::string next = (fs::path(path).parent_path() / *extends).lexically_normal().string();
    PW_TRY(text, os::read_file(next, k_max_version_file));
    auto parsed = nlohmann::json::parse(text, nullptr, false);
    if (parsed.is_discarded()) return util::fail(next + " is not valid JSON");
    return package_json_node(next, parsed, depth + 1);
  }
  return util::fail(fmt::format(
      "{} names no Node.js version (volta.node, devEngines.runtime or engines.node)", path));
}

util::Expected<std::string> go_mod_version(std::string_view text) {
  std::string go;
  for (std::string_view line : content_lines(text)) {
    if (auto rest = after_word(line, "toolchain")) {
      std::string v = first_word(*rest);
      if (v.starts_with("go")) v.erase(0, 2);
      if (v != "default") return v;
    }
    if (auto rest = after_word(line, "go"); rest && go.empty()) go = first_word(*rest);
  }
  if (go.empty()) return util::fail("no go or toolchain directive");
  return go;
}

// `.tool-versions`: the line for one of `names` (asdf/mise plugin names).
std::optional<std::string> tool_versions(std::string_view text,
                                         std::initializer_list<std::string_view> names) {
  for (std::string_view line : content_lines(text))
    for (std::string_view name : names)
      if (auto rest = after_word(line, name)) return drop_v(first_word(*rest));
  return std::nullopt;
}

// "temurin-17.0.9+9" → "17.0.9+9", "17" → "17" (a distribution prefix dropped).
std::string java_without_distribution(std::string v) {
  size_t dash = v.rfind('-');
  if (dash != std::string::npos && dash + 1 < v.size() &&
      std::isdigit(static_cast<unsigned char>(v[dash + 1])))
    v.erase(0, dash + 1);
  return v;
}

util::Expected<std::string> read_for(Tool tool, const std::string& path, std::string_view text) {
  std::string name = fs::path(path).filename().string();
  if (name == ".tool-versions") {
    std::optional<std::string> v;
    switch (tool) {
      case Tool::node:
        v = tool_versions(text, {"nodejs", "node"});
        break;
      case Tool::python:
        v = tool_versions(text, {"python"});
        break;
      case Tool::go:
        v = tool_versions(text, {"golang", "go"});
        break;
      case Tool::java:
        v = tool_versions(text, {"java"});
        if (v) v = java_without_distribution(*v);
        break;
    }
    if (v) return *v;
  } else if (tool == Tool::node && name.ends_with(".json")) {
    auto j = nlohmann::json::parse(text, nullptr, false);
    if (j.is_discarded() || !j.is_object()) return util::fail(path + " is not a JSON object");
    return package_json_node(path, j, 0);
  } else if (tool == Tool::go && (name == "go.mod" || name == "go.work")) {
    auto v = go_mod_version(text);
    if (v) return *v;
  } else if (tool == Tool::python && name == "pyproject.toml") {
    auto v = toml_value(text, "project", "requires-python");
    if (!v) v = toml_value(text, "tool.poetry.dependencies", "python");
    if (v) return pep440_to_spec(*v);
  } else if (tool == Tool::python && name == "Pipfile") {
    auto v = toml_value(text, "requires", "python_full_version");
    if (!v) v = toml_value(text, "requires", "python_version");
    if (v) return *v;
  } else if (tool == Tool::java && name == ".sdkmanrc") {
    for (std::string_view line : content_lines(text))
      if (line.starts_with("java=")) {
        std::string v(trim(line.substr(5)));
        return v.substr(0, v.find('-'));
      }
  } else {
    auto lines = content_lines(text);
    if (!lines.empty()) {
      std::string_view line = lines.front();
      // `node 20` / `nodejs 20` in a .node-version is read as setup-node does.
      if (tool == Tool::node)
        for (std::string_view prefix : {"nodejs", "node"})
          if (auto rest = after_word(line, prefix)) line = *rest;
      std::string v = drop_v(first_word(line));
      if (tool == Tool::java) v = java_without_distribution(v);
      return v;
    }
  }
  return util::fail(fmt::format("{} names no {} version", path, tool_display(tool)));
}

}  // namespace

util::Expected<std::string> read_version_file(Tool tool, const std::string& path) {
  std::error_code ec;
  if (!fs::is_regular_file(path, ec))
    return util::fail(fmt::format("The specified {} version file at: {} does not exist",
                                  tool_display(tool), path));
  PW_TRY(text, os::read_file(path, k_max_version_file));
  return read_for(tool, path, text);
}

std::string pep440_to_spec(std::string_view specifier) {
  std::vector<std::string> out;
  std::string_view rest = specifier;
  while (!rest.empty()) {
    size_t comma = rest.find(',');
    std::string clause;
    for (char c : rest.substr(0, comma))
      if (!std::isspace(static_cast<unsigned char>(c))) clause += c;
    rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
    if (clause.empty() || clause.starts_with("!=")) continue;
    if (clause.starts_with("~=")) {
      // ~=3.9 is >=3.9 and 3.*; ~=3.9.1 is >=3.9.1 and 3.9.*.
      std::string v = clause.substr(2);
      auto parsed = parse_version(v);
      if (!parsed || parsed->parts.size() < 2) {
        out.push_back(v);
        continue;
      }
      Version upper = *parsed;
      upper.parts.pop_back();
      ++upper.parts.back();
      out.push_back(">=" + v);
      out.push_back("<" + upper.text());
      continue;
    }
    if (clause.starts_with("===")) clause.erase(0, 3);
    if (clause.starts_with("==")) clause.erase(0, 2);
    std::string v = clause;
    if (v.ends_with(".*")) v.replace(v.size() - 1, 1, "x");
    out.push_back(v);
  }
  std::string joined;
  for (const std::string& part : out)
    joined += (joined.empty() ? "" : " ") + part;
  return joined;
}

}  // namespace pipewright::exec::actions
