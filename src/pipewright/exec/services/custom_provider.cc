// .pipewright/services.yml: parsing with locations, and the provider it describes.
#include "pipewright/exec/services/custom_provider.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <filesystem>
#include <optional>

#include "pipewright/exec/services/providers.h"
#include "pipewright/exec/services/service_util.h"
#include "pipewright/os/file.h"
#include "pipewright/util/suggest.h"
#include "pipewright/workflow/yaml/parser.h"

namespace pipewright::exec::services {
namespace {

namespace yaml = workflow::yaml;

constexpr std::array<std::string_view, 6> k_keys = {"command", "port",          "env",
                                                    "ready",   "data-dir-flag", "user"};

class Parser {
 public:
  explicit Parser(std::string file) : m_file(std::move(file)) {}

  util::Location at(const yaml::Node* node) const {
    return node ? util::Location{m_file, node->mark.line, node->mark.column}
                : util::Location{m_file, 1, 1};
  }

  util::Expected<std::string> scalar(const yaml::Node* node, std::string_view what) const {
    if (!node->is_scalar())
      return util::fail(std::string(what) + " must be a string, not a " +
                            std::string(yaml::node_kind_name(node->kind)),
                        at(node));
    PW_TRY_VOID(check_placeholders(node->value, node));
    return node->value;
  }

  // Every {name} must be port, data_dir or env.NAME.
  util::Expected<void> check_placeholders(const std::string& text, const yaml::Node* node) const {
    for (size_t open = text.find('{'); open != std::string::npos; open = text.find('{', open + 1)) {
      size_t close = text.find('}', open);
      if (close == std::string::npos) break;
      std::string name = text.substr(open + 1, close - open - 1);
      if (name == "port" || name == "data_dir" || (name.starts_with("env.") && name.size() > 4))
        continue;
      return util::fail("unknown placeholder {" + name + "} in '" + text + "'", at(node),
                        "use {port}, {data_dir} or {env.NAME}");
    }
    return {};
  }

  util::Expected<CustomProviderDef> provider(const yaml::Node* key, const yaml::Node* body) const {
    CustomProviderDef def;
    def.image = key->value;
    def.location = at(key);
    if (def.image.empty() || def.image.find(':') != std::string::npos)
      return util::fail(
          "provider key '" + def.image + "' must be an image repository without a tag", at(key),
          "e.g. example/echo or neo4j");
    if (!body->is_mapping())
      return util::fail("provider '" + def.image + "' must be a mapping", at(body));
    for (const yaml::Pair& pair : body->pairs) {
      std::string name = pair.key->value;
      const yaml::Node* value = pair.value;
      if (name == "command") {
        if (value->is_sequence()) {
          for (const yaml::Node* item : value->items) {
            PW_TRY(word, scalar(item, "a command word"));
            def.command.push_back(std::move(word));
          }
        } else {
          PW_TRY(text, scalar(value, "command"));
          auto words = split_shell_words(text);
          if (!words) return util::fail(words.error().message, at(value));
          def.command = std::move(*words);
        }
        if (def.command.empty()) return util::fail("command is empty", at(value));
      } else if (name == "port") {
        int port = 0;
        const std::string& text = value->value;
        auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), port);
        if (!value->is_scalar() || ec != std::errc() || ptr != text.data() + text.size() ||
            port <= 0 || port > 65535)
          return util::fail("port must be a number from 1 to 65535", at(value));
        def.port = port;
      } else if (name == "env") {
        if (!value->is_mapping()) return util::fail("env must be a mapping", at(value));
        for (const yaml::Pair& entry : value->pairs) {
          PW_TRY(text, scalar(entry.value, "env." + entry.key->value));
          def.env.emplace_back(entry.key->value, std::move(text));
        }
      } else if (name == "ready") {
        PW_TRY(text, scalar(value, "ready"));
        def.ready = std::move(text);
      } else if (name == "data-dir-flag") {
        PW_TRY(text, scalar(value, "data-dir-flag"));
        def.data_dir_flag = std::move(text);
      } else if (name == "user") {
        PW_TRY(text, scalar(value, "user"));
        def.user = std::move(text);
      } else {
        std::string hint = util::closest_match(name, k_keys);
        return util::fail(
            "unknown key '" + name + "' in provider '" + def.image + "'", at(pair.key),
            hint.empty() ? "known keys: command, port, env, ready, data-dir-flag, user"
                         : "did you mean '" + hint + "'?");
      }
    }
    if (def.command.empty())
      return util::fail("provider '" + def.image + "' needs a command", at(key),
                        "command: [server, --port, \"{port}\"]");
    if (def.port == 0)
      return util::fail("provider '" + def.image + "' needs the port the image serves", at(key),
                        "port: 8000");
    return def;
  }

 private:
  std::string m_file;
};

// Replaces {port}, {data_dir} and {env.NAME}.
std::string expand(const std::string& text, const ProviderRequest& request) {
  std::string out;
  for (size_t i = 0; i < text.size();) {
    size_t close = text[i] == '{' ? text.find('}', i) : std::string::npos;
    if (close == std::string::npos) {
      out += text[i++];
      continue;
    }
    std::string name = text.substr(i + 1, close - i - 1);
    if (name == "port") {
      out += std::to_string(request.port);
    } else if (name == "data_dir") {
      out += request.data_dir;
    } else if (name.starts_with("env.")) {
      auto found = request.env.find(name.substr(4));
      if (found != request.env.end()) out += found->second;
    } else {
      out += text.substr(i, close - i + 1);
    }
    i = close + 1;
  }
  return out;
}

class CustomProvider final : public ServiceProvider {
 public:
  explicit CustomProvider(CustomProviderDef def) : m_def(std::move(def)) {}
  std::string_view name() const override { return m_def.image; }
  int default_port() const override { return m_def.port; }
  std::string_view system_user() const override { return m_def.user; }

  util::Expected<LaunchPlan> prepare(const ProviderRequest& request) override {
    LaunchPlan plan;
    for (const std::string& word : m_def.command)
      plan.argv.push_back(expand(word, request));
    if (!m_def.data_dir_flag.empty()) {
      plan.argv.push_back(m_def.data_dir_flag);
      plan.argv.push_back(request.data_dir);
    }
    plan.argv.insert(plan.argv.end(), request.args.begin(), request.args.end());
    std::map<std::string, std::string> env = request.env;  // the mapping wins
    for (const auto& [key, value] : m_def.env)
      env[key] = expand(value, request);
    for (const auto& [key, value] : env)
      plan.env.push_back(key + "=" + value);
    plan.log_file = request.data_dir + "/server.log";
    plan.ready_argv = m_def.ready.empty()
                          ? tcp_probe(request.port)
                          : std::vector<std::string>{"sh", "-c", expand(m_def.ready, request)};
    return plan;
  }

 private:
  CustomProviderDef m_def;
};

}  // namespace

util::Expected<std::vector<CustomProviderDef>> parse_custom_providers(const std::string& text,
                                                                      const std::string& file) {
  Parser parser(file);
  std::vector<CustomProviderDef> defs;
  // A file of blank lines and comments declares nothing (the YAML parser calls it empty).
  bool blank = true;
  for (size_t start = 0; start < text.size() && blank;) {
    size_t end = std::min(text.find('\n', start), text.size());
    size_t first = text.find_first_not_of(" \t\r", start);
    blank = first >= end || text[first] == '#';
    start = end + 1;
  }
  if (blank) return defs;
  auto parsed = yaml::parse(text, file);
  if (!parsed.diagnostics.empty()) {
    const util::Diagnostic& first = parsed.diagnostics.front();
    return util::fail(first.message,
                      util::Location{file, first.location.line, first.location.column}, first.hint);
  }
  const yaml::Node* root = parsed.document ? parsed.document->root() : nullptr;
  if (!root || root->is_null()) return defs;
  if (!root->is_mapping())
    return util::fail("expected a mapping with `providers:`", parser.at(root));
  for (const yaml::Pair& pair : root->pairs) {
    if (pair.key->value != "providers")
      return util::fail("unknown key '" + pair.key->value + "'", parser.at(pair.key),
                        "the file has one key, providers:");
    if (pair.value->is_null()) continue;
    if (!pair.value->is_mapping())
      return util::fail("providers must be a mapping of image to provider", parser.at(pair.value));
    for (const yaml::Pair& entry : pair.value->pairs) {
      PW_TRY(def, parser.provider(entry.key, entry.value));
      defs.push_back(std::move(def));
    }
  }
  return defs;
}

util::Expected<std::vector<CustomProviderDef>> load_custom_providers(const std::string& path,
                                                                     const std::string& display) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return std::vector<CustomProviderDef>{};
  PW_TRY(text, os::read_file(path, 1 << 20));
  return parse_custom_providers(text, display);
}

std::unique_ptr<ServiceProvider> make_custom_provider(const CustomProviderDef& def) {
  return std::make_unique<CustomProvider>(def);
}

const CustomProviderDef* find_custom_provider(const std::vector<CustomProviderDef>& defs,
                                              const ImageRef& image) {
  for (const CustomProviderDef& def : defs)
    if (def.image == image.path) return &def;
  for (const CustomProviderDef& def : defs)
    if (def.image == image.repository) return &def;
  return nullptr;
}

}  // namespace pipewright::exec::services
