// `pipewright actions pull [-W PATH] [--actions-url URL]`: fetches every remote action
// and reusable workflow the workflows use into the action cache, so that later runs
// work with --offline. Follows what it finds: composite actions (remote or local) and
// reusable workflows are read for their own `uses:`. Built-in actions are not fetched
// (they run natively). One line per entry: fetched / cached / error. Exit codes: 0 all
// present, 1 an entry failed, 2 usage (no workflows, no cache directory).
#include <filesystem>
#include <iostream>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "pipewright/cli/commands.h"
#include "pipewright/exec/actions/action_cache.h"
#include "pipewright/exec/actions/action_ref.h"
#include "pipewright/exec/actions/builtin.h"
#include "pipewright/pipeline/workflow_files.h"
#include "pipewright/plan/repository.h"
#include "pipewright/workflow/loader.h"

namespace pipewright::cli {

void add_actions_command(CLI::App& app, int& exit_code);

namespace {

namespace fs = std::filesystem;
namespace actions = exec::actions;

struct PullOptions {
  std::string workflows;
  std::string actions_url;
};

constexpr int k_exit_failure = 1;
constexpr int k_exit_usage = 2;

// `text` with its line breaks joined by "; " (git's messages span lines).
std::string one_line(std::string_view text) {
  std::string out;
  for (char c : text)
    if (c != '\n')
      out += c;
    else if (!out.empty() && !out.ends_with("; "))
      out += "; ";
  while (out.ends_with("; "))
    out.resize(out.size() - 2);
  return out;
}

// The remote references found so far (each once), and the files still to read.
class Collector {
 public:
  Collector(std::string root, const actions::ActionSettings& settings)
      : m_root(std::move(root)), m_settings(settings) {}

  void add_workflow_file(const std::string& path) {
    if (!m_read.insert("w:" + path).second) return;
    workflow::LoadResult loaded = workflow::load_workflow(path);
    if (!loaded.workflow) return;
    for (const workflow::Job& job : loaded.workflow->jobs) {
      if (job.uses.present()) add(job.uses.value, actions::UsesSite::job);
      for (const workflow::Step& step : job.steps)
        if (step.kind == workflow::StepKind::uses) add(step.uses.value, actions::UsesSite::step);
    }
  }

  void add_action_dir(const std::string& dir) {
    if (!m_read.insert("a:" + dir).second) return;
    for (const char* name : {"action.yml", "action.yaml"}) {
      std::error_code ec;
      std::string path = (fs::path(dir) / name).string();
      if (!fs::is_regular_file(path, ec)) continue;
      workflow::ActionLoadResult loaded = workflow::load_action(path);
      if (!loaded.action) return;
      for (const workflow::Step& step : loaded.action->runs.steps)
        if (step.kind == workflow::StepKind::uses) add(step.uses.value, actions::UsesSite::step);
      return;
    }
  }

  // The references not handed out yet.
  std::vector<actions::ActionRef> take() { return std::exchange(m_pending, {}); }

 private:
  void add(const std::string& uses, actions::UsesSite site) {
    auto ref = actions::parse_action_ref(uses, site);
    if (!ref) return;  // `pipewright lint` reports it
    switch (ref->kind) {
      case actions::RefKind::local_action:
        add_action_dir((fs::path(m_root) / ref->path).string());
        return;
      case actions::RefKind::local_workflow:
        add_workflow_file((fs::path(m_root) / ref->path).string());
        return;
      case actions::RefKind::docker:
        return;
      case actions::RefKind::remote_action:
        if (actions::find_builtin(*ref, m_settings)) return;
        break;
      case actions::RefKind::remote_workflow:
        break;
    }
    if (m_seen
            .insert(ref->kind == actions::RefKind::remote_action ? "a:" + ref->text
                                                                 : "w:" + ref->text)
            .second)
      m_pending.push_back(*ref);
  }

  std::string m_root;
  const actions::ActionSettings& m_settings;
  std::set<std::string> m_read, m_seen;
  std::vector<actions::ActionRef> m_pending;
};

int run_pull(const PullOptions& options) {
  auto repository = plan::Repository::open(fs::current_path().string());
  if (!repository) {
    std::cerr << "pipewright actions pull: " << repository.error().message << "\n";
    return k_exit_usage;
  }
  const std::string& root = repository->info().root;
  auto files = pipeline::workflow_files(options.workflows, root);
  if (!files) {
    std::cerr << "pipewright actions pull: " << files.error().message << "\n";
    return k_exit_usage;
  }
  auto cache_dir = actions::default_action_cache_dir();
  if (!cache_dir) {
    std::cerr << "pipewright actions pull: " << cache_dir.error().message << "\n";
    return k_exit_usage;
  }
  actions::ActionCacheOptions cache_options;
  cache_options.root = *cache_dir;
  if (!options.actions_url.empty()) cache_options.actions_url = options.actions_url;
  actions::ActionCache cache(cache_options);

  actions::ActionSettings settings;
  Collector collector(root, settings);
  for (const std::string& file : *files)
    collector.add_workflow_file(file);
  bool failed = false;
  // Fetch, then read what was fetched for further references, until nothing is new.
  for (auto refs = collector.take(); !refs.empty(); refs = collector.take()) {
    std::vector<actions::PullOutcome> outcomes = cache.pull_all(refs);
    for (const actions::PullOutcome& outcome : outcomes) {
      if (!outcome.error.empty()) {
        std::cout << "error   " << outcome.name << ": " << one_line(outcome.error) << "\n";
        failed = true;
        continue;
      }
      std::cout << (outcome.fetched ? "fetched " : "cached  ") << outcome.name << "\n";
    }
    for (const actions::ActionRef& ref : refs) {
      if (!cache.cached(ref)) continue;
      std::string dir = cache.entry_dir(ref);
      if (ref.kind == actions::RefKind::remote_action)
        collector.add_action_dir((fs::path(dir) / ref.path).string());
      else
        collector.add_workflow_file((fs::path(dir) / ref.path).string());
    }
  }
  return failed ? k_exit_failure : 0;
}

}  // namespace

void add_actions_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand("actions", "The cache of remote actions and reusable workflows");
  cmd->require_subcommand(1);
  auto options = std::make_shared<PullOptions>();
  auto* pull = cmd->add_subcommand(
      "pull", "Fetch every remote action and reusable workflow the workflows use (for --offline)");
  pull->footer(
      "Exit codes: 0 every entry is in the cache, 1 an entry could not be fetched, 2 usage.\n"
      "Examples:\n"
      "  pipewright actions pull\n"
      "  pipewright actions pull -W .github/workflows/ci.yml --actions-url file:///srv/mirror");
  pull->add_option("-W,--workflows", options->workflows,
                   "Workflow file or directory (default .github/workflows), e.g. -W ci.yml");
  pull->add_option("--actions-url", options->actions_url,
                   "Where actions are cloned from (default https://github.com), e.g. "
                   "--actions-url file:///srv/mirror");
  pull->callback([options, &exit_code] { exit_code = run_pull(*options); });
}

}  // namespace pipewright::cli
