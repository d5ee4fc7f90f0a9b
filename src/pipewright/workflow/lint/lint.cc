#include "pipewright/workflow/lint/lint.h"

#include <algorithm>
#include <filesystem>
#include <system_error>

#include "pipewright/os/file.h"
#include "pipewright/util/suggest.h"
#include "pipewright/workflow/lint/rule.h"

namespace pipewright::workflow::lint {

namespace {

namespace fs = std::filesystem;

constexpr size_t k_max_source_bytes = 1 << 20;

// `path` relative to the current directory when it lies below it (as users see files).
std::string display_path(const fs::path& path) {
  std::error_code ec;
  fs::path abs = fs::absolute(path, ec);
  fs::path rel = abs.lexically_relative(fs::current_path(ec));
  if (ec || rel.empty() || *rel.begin() == "..") return path.lexically_normal().string();
  return rel.string();
}

void add_source(LintResult& result, const std::string& file,
                const std::shared_ptr<const yaml::Document>& document) {
  if (result.sources.contains(file)) return;
  if (document) {
    result.sources[file] = document->source();
    return;
  }
  if (auto text = os::read_file(file, k_max_source_bytes)) result.sources[file] = *text;
}

constexpr std::string_view k_functions[] = {
    "contains",  "startsWith", "endsWith", "format",  "join",      "toJSON", "fromJSON",
    "hashFiles", "case",       "success",  "failure", "cancelled", "always",
};

// The loader reports unknown functions in GitHub's words; add which one was meant.
void add_function_hints(std::vector<util::Diagnostic>& diagnostics) {
  constexpr std::string_view prefix = "Unrecognized function: '";
  for (util::Diagnostic& d : diagnostics) {
    if (!d.hint.empty() || !d.message.starts_with(prefix)) continue;
    std::string_view rest = std::string_view(d.message).substr(prefix.size());
    std::string_view name = rest.substr(0, rest.find('\''));
    std::string best = util::closest_match(name, k_functions);
    if (!best.empty()) d.hint = "did you mean '" + best + "'?";
  }
}

bool same_diagnostic(const util::Diagnostic& a, const util::Diagnostic& b) {
  return a.location == b.location && a.message == b.message && a.rule == b.rule;
}

}  // namespace

const ActionLoadResult* LocalFiles::action(const std::string& dir, std::string* file) {
  auto it = m_action_files.find(dir);
  if (it == m_action_files.end()) {
    std::string found;
    std::error_code ec;
    for (const char* name : {"action.yml", "action.yaml"}) {
      fs::path candidate = fs::path(m_root) / dir / name;
      if (fs::is_regular_file(candidate, ec)) {
        found = display_path(candidate);
        break;
      }
    }
    it = m_action_files.emplace(dir, found).first;
    if (!found.empty() && !m_actions.contains(found)) m_actions.emplace(found, load_action(found));
  }
  if (it->second.empty()) return nullptr;
  if (file) *file = it->second;
  return &m_actions.at(it->second);
}

const LoadResult* LocalFiles::workflow(const std::string& path) {
  auto it = m_workflows.find(path);
  if (it == m_workflows.end()) {
    fs::path full = fs::path(m_root) / path;
    std::error_code ec;
    std::optional<LoadResult> loaded;
    if (fs::is_regular_file(full, ec)) loaded = load_workflow(display_path(full));
    it = m_workflows.emplace(path, std::move(loaded)).first;
  }
  return it->second ? &*it->second : nullptr;
}

LintResult lint_files(std::span<const std::string> paths, const std::string& repo_root) {
  LintResult result;
  LocalFiles files(repo_root);
  for (const std::string& path : paths) {
    LoadResult loaded = load_workflow(path);
    ++result.files_checked;
    result.diagnostics.insert(result.diagnostics.end(), loaded.diagnostics.begin(),
                              loaded.diagnostics.end());
    add_source(result, path, loaded.workflow ? loaded.workflow->document : nullptr);
    if (!loaded.workflow) continue;
    LintContext context{*loaded.workflow, files, result.diagnostics};
    for (const Rule& rule : rules())
      if (rule.check) rule.check(context);
  }
  // Local actions the workflows use are checked too (their own load diagnostics).
  for (const auto& [file, action] : files.actions()) {
    ++result.files_checked;
    result.diagnostics.insert(result.diagnostics.end(), action.diagnostics.begin(),
                              action.diagnostics.end());
    if (action.action) lint_action(*action.action, result.diagnostics);
    add_source(result, file, action.action ? action.action->document : nullptr);
  }
  add_function_hints(result.diagnostics);
  util::sort_diagnostics(result.diagnostics);
  auto end = std::unique(result.diagnostics.begin(), result.diagnostics.end(), same_diagnostic);
  result.diagnostics.erase(end, result.diagnostics.end());
  return result;
}

}  // namespace pipewright::workflow::lint
