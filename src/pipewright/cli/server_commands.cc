// Commands that act on a server's runs: `pipewright cancel RUN`, `pipewright rerun RUN
// [--failed | --job JOB]` and `pipewright dispatch WORKFLOW --repo OWNER/NAME [--ref REF]
// [--input k=v]...`. They need a server (--server URL or PIPEWRIGHT_SERVER); exit codes
// as in remote.h.
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "pipewright/cli/commands.h"
#include "pipewright/cli/remote.h"

namespace pipewright::cli {

namespace {

// The server for `command`, or an error saying how to name one.
std::optional<Remote> need_server(const CLI::App& command, const std::string& what) {
  auto remote = Remote::open(command, what);
  if (!remote)
    std::cerr << what
              << ": this command talks to a server: give --server URL (or set "
                 "PIPEWRIGHT_SERVER), e.g. --server http://127.0.0.1:8420\n";
  return remote;
}

int cancel(const CLI::App& command, const std::string& run_spec) {
  auto remote = need_server(command, "pipewright cancel");
  if (!remote) return k_exit_usage;
  auto run = remote->resolve_run(run_spec);
  if (!run) return run.error();
  auto answer = remote->call("POST", fmt::format("/api/v1/runs/{}/cancel", *run), {},
                             fmt::format("run {} not found", *run));
  if (!answer) return answer.error();
  std::cout << "Cancelling run " << *run << "\n";
  return k_exit_ok;
}

struct RerunOptions {
  std::string run;
  bool failed = false;
  std::string job;
};

// The numeric id of job `spec` in `run`: the id itself, or the job whose key or name it is.
std::expected<int64_t, int> job_id_in_run(Remote& remote, int64_t run, const std::string& spec) {
  if (!spec.empty() && spec.size() <= 18 &&
      spec.find_first_not_of("0123456789") == std::string::npos)
    return std::stoll(spec);
  auto detail = remote.call("GET", fmt::format("/api/v1/runs/{}", run), {},
                            fmt::format("run {} not found", run));
  if (!detail) return std::unexpected(detail.error());
  std::vector<std::string> names;
  if (detail->is_object() && detail->contains("jobs") && (*detail)["jobs"].is_array())
    for (const nlohmann::json& job : (*detail)["jobs"]) {
      std::string key = job.value("job_id", ""), name = job.value("name", "");
      if ((key == spec || name == spec) && job.contains("id") && job["id"].is_number_integer())
        return job["id"].get<int64_t>();
      names.push_back(name.empty() ? key : name);
    }
  std::string known;
  for (const std::string& name : names)
    known += (known.empty() ? "" : ", ") + name;
  return std::unexpected(
      remote.fail(k_exit_usage, fmt::format("run {} has no job '{}'{}", run, spec,
                                            known.empty() ? "" : " (it has: " + known + ")")));
}

int rerun(const CLI::App& command, const RerunOptions& options) {
  auto remote = need_server(command, "pipewright rerun");
  if (!remote) return k_exit_usage;
  auto run = remote->resolve_run(options.run);
  if (!run) return run.error();
  std::string path = fmt::format("/api/v1/runs/{}/rerun", *run);
  std::string what = "all jobs";
  if (options.failed) {
    path = fmt::format("/api/v1/runs/{}/rerun-failed-jobs", *run);
    what = "failed jobs";
  } else if (!options.job.empty()) {
    auto job = job_id_in_run(*remote, *run, options.job);
    if (!job) return job.error();
    path = fmt::format("/api/v1/runs/{}/jobs/{}/rerun", *run, *job);
    what = fmt::format("job {} and its dependents", options.job);
  }
  auto answer = remote->call("POST", path, {}, fmt::format("run {} not found", *run));
  if (!answer) return answer.error();
  std::cout << fmt::format("Re-running {} of run {}", what, *run);
  if (answer->is_object() && answer->contains("run_attempt") &&
      (*answer)["run_attempt"].is_number_integer())
    std::cout << " (attempt " << (*answer)["run_attempt"].get<int64_t>() << ")";
  std::cout << "\n";
  return k_exit_ok;
}

struct DispatchOptions {
  std::string workflow;
  std::string repo;
  std::string ref;
  std::vector<std::string> inputs;
};

// The default branch of registered repository `repo`, from the server's list.
std::expected<std::string, int> default_branch(Remote& remote, const std::string& repo) {
  auto list = remote.call("GET", "/api/v1/repos");
  if (!list) return std::unexpected(list.error());
  if (list->is_object() && list->contains("repositories") && (*list)["repositories"].is_array())
    for (const nlohmann::json& r : (*list)["repositories"]) {
      if (!r.is_object() || r.value("full_name", nlohmann::json()) != repo) continue;
      auto branch = r.find("default_branch");
      if (branch != r.end() && branch->is_string() && !branch->get<std::string>().empty())
        return branch->get<std::string>();
      return std::unexpected(remote.fail(
          k_exit_usage, fmt::format("repository {} has no default branch: give --ref", repo)));
    }
  return std::unexpected(remote.fail(k_exit_usage, fmt::format("repository {} not found", repo)));
}

int dispatch(const CLI::App& command, const DispatchOptions& options) {
  auto remote = need_server(command, "pipewright dispatch");
  if (!remote) return k_exit_usage;
  if (!is_repo_name(options.repo))
    return remote->fail(k_exit_usage,
                        fmt::format("--repo '{}' is not OWNER/NAME, e.g. acme/api", options.repo));
  nlohmann::json inputs = nlohmann::json::object();
  for (const std::string& input : options.inputs) {
    size_t eq = input.find('=');
    if (eq == std::string::npos || eq == 0)
      return remote->fail(
          k_exit_usage,
          fmt::format("--input '{}' is not NAME=VALUE, e.g. --input level=debug", input));
    inputs[input.substr(0, eq)] = input.substr(eq + 1);
  }
  std::string ref = options.ref;
  if (ref.empty()) {  // the API requires a ref, as GitHub's does: the default branch
    auto found = default_branch(*remote, options.repo);
    if (!found) return found.error();
    ref = *found;
  }
  nlohmann::json body = {{"workflow", options.workflow}, {"ref", ref}, {"inputs", inputs}};
  auto answer = remote->call("POST", repo_api_path(options.repo) + "/dispatches", body.dump(),
                             fmt::format("repository {} not found", options.repo));
  if (!answer) return answer.error();
  std::cout << fmt::format("Dispatched {} on {} at {}\n", options.workflow, options.repo, ref);
  return k_exit_ok;
}

}  // namespace

void add_server_commands(CLI::App& app, int& exit_code) {
  auto run = std::make_shared<std::string>();
  auto* cancel_cmd = app.add_subcommand("cancel", "Cancel a run on a server");
  cancel_cmd->add_option("run", *run, "A run id or last")->required();
  cancel_cmd->footer("Example: pipewright --server http://127.0.0.1:8420 cancel 12");
  add_server_option(*cancel_cmd);
  cancel_cmd->callback([cancel_cmd, run, &exit_code] { exit_code = cancel(*cancel_cmd, *run); });

  auto rerun_options = std::make_shared<RerunOptions>();
  auto* rerun_cmd = app.add_subcommand("rerun", "Re-run a run's jobs on a server (a new attempt)");
  rerun_cmd->add_option("run", rerun_options->run, "A run id or last")->required();
  auto* failed = rerun_cmd->add_flag("--failed", rerun_options->failed,
                                     "Only the failed jobs and their dependents");
  rerun_cmd
      ->add_option("--job", rerun_options->job,
                   "Only this job (its id, key or name) and its dependents")
      ->excludes(failed);
  rerun_cmd->footer(
      "Examples: pipewright rerun 12 --failed\n          pipewright rerun 12 --job test");
  add_server_option(*rerun_cmd);
  rerun_cmd->callback(
      [rerun_cmd, rerun_options, &exit_code] { exit_code = rerun(*rerun_cmd, *rerun_options); });

  auto dispatch_options = std::make_shared<DispatchOptions>();
  auto* dispatch_cmd = app.add_subcommand("dispatch", "Start a workflow_dispatch run on a server");
  dispatch_cmd->add_option("workflow", dispatch_options->workflow, "The workflow file, e.g. ci.yml")
      ->required();
  dispatch_cmd->add_option("--repo", dispatch_options->repo, "The repository, OWNER/NAME")
      ->required();
  dispatch_cmd->add_option("--ref", dispatch_options->ref,
                           "Branch or tag (default: the repository's default branch)");
  dispatch_cmd->add_option("--input", dispatch_options->inputs,
                           "An input of the workflow, NAME=VALUE (repeatable)");
  dispatch_cmd->footer(
      "Example: pipewright dispatch deploy.yml --repo acme/api --ref main --input env=staging");
  add_server_option(*dispatch_cmd);
  dispatch_cmd->callback([dispatch_cmd, dispatch_options, &exit_code] {
    exit_code = dispatch(*dispatch_cmd, *dispatch_options);
  });
}

}  // namespace pipewright::cli
