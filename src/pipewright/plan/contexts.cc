#include "pipewright/plan/contexts.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>

#include <fmt/format.h>
#include <sys/utsname.h>

namespace pipewright::plan {
namespace {

using expr::Object;
using expr::Value;

std::string env_or(const char* name, std::string fallback) {
  const char* v = std::getenv(name);
  return v && *v ? std::string(v) : fallback;
}

std::string api_url(const std::string& server) {
  return server == "https://github.com" ? "https://api.github.com" : server + "/api/v3";
}

std::string graphql_url(const std::string& server) {
  return server == "https://github.com" ? "https://api.github.com/graphql"
                                        : server + "/api/graphql";
}

std::string host_of(const std::string& server) {
  size_t scheme = server.find("://");
  return scheme == std::string::npos ? server : server.substr(scheme + 3);
}

// Environment variable ← github context field; `always` ones are set even when empty.
struct EnvRow {
  const char* variable;
  const char* field;
  bool always;
};
constexpr EnvRow k_github_env[] = {
    {"GITHUB_ACTION", "action", true},
    {"GITHUB_ACTION_PATH", "action_path", false},
    {"GITHUB_ACTION_REPOSITORY", "action_repository", false},
    {"GITHUB_ACTOR", "actor", true},
    {"GITHUB_ACTOR_ID", "actor_id", true},
    {"GITHUB_API_URL", "api_url", true},
    {"GITHUB_BASE_REF", "base_ref", true},
    {"GITHUB_ENV", "env", false},
    {"GITHUB_EVENT_NAME", "event_name", true},
    {"GITHUB_EVENT_PATH", "event_path", false},
    {"GITHUB_GRAPHQL_URL", "graphql_url", true},
    {"GITHUB_HEAD_REF", "head_ref", true},
    {"GITHUB_JOB", "job", true},
    {"GITHUB_OUTPUT", "output", false},
    {"GITHUB_PATH", "path", false},
    {"GITHUB_REF", "ref", true},
    {"GITHUB_REF_NAME", "ref_name", true},
    {"GITHUB_REF_PROTECTED", "ref_protected", true},
    {"GITHUB_REF_TYPE", "ref_type", true},
    {"GITHUB_REPOSITORY", "repository", true},
    {"GITHUB_REPOSITORY_ID", "repository_id", true},
    {"GITHUB_REPOSITORY_OWNER", "repository_owner", true},
    {"GITHUB_REPOSITORY_OWNER_ID", "repository_owner_id", true},
    {"GITHUB_RETENTION_DAYS", "retention_days", true},
    {"GITHUB_RUN_ATTEMPT", "run_attempt", true},
    {"GITHUB_RUN_ID", "run_id", true},
    {"GITHUB_RUN_NUMBER", "run_number", true},
    {"GITHUB_SERVER_URL", "server_url", true},
    {"GITHUB_SHA", "sha", true},
    {"GITHUB_STATE", "state", false},
    {"GITHUB_STEP_SUMMARY", "step_summary", false},
    {"GITHUB_TRIGGERING_ACTOR", "triggering_actor", true},
    {"GITHUB_WORKFLOW", "workflow", true},
    {"GITHUB_WORKFLOW_REF", "workflow_ref", true},
    {"GITHUB_WORKFLOW_SHA", "workflow_sha", true},
    {"GITHUB_WORKSPACE", "workspace", true},
};
constexpr EnvRow k_runner_env[] = {
    {"RUNNER_ARCH", "arch", true}, {"RUNNER_ENVIRONMENT", "environment", true},
    {"RUNNER_NAME", "name", true}, {"RUNNER_OS", "os", true},
    {"RUNNER_TEMP", "temp", true}, {"RUNNER_TOOL_CACHE", "tool_cache", true},
};

struct ArchRow {
  std::string_view machine;
  std::string_view arch;
};
constexpr ArchRow k_arches[] = {
    {"x86_64", "X64"}, {"amd64", "X64"},  {"aarch64", "ARM64"}, {"arm64", "ARM64"},
    {"armv8l", "ARM"}, {"armv7l", "ARM"}, {"armv6l", "ARM"},    {"arm", "ARM"},
    {"i386", "X86"},   {"i686", "X86"},
};

}  // namespace

std::string runner_arch(std::string_view machine) {
  for (const ArchRow& row : k_arches) {
    if (row.machine == machine) return std::string(row.arch);
  }
  return machine.empty() ? std::string("X64") : std::string(machine);
}

RunnerInfo detect_runner(const std::string& temp_root, bool debug) {
  RunnerInfo runner;
  struct utsname u {};
  if (::uname(&u) == 0) {
    runner.name = u.nodename;
    runner.arch = runner_arch(u.machine);
  } else {
    runner.name = "localhost";
    runner.arch = "X64";
  }
  std::error_code ec;
  std::string system_temp = std::filesystem::temp_directory_path(ec).string();
  runner.temp = !temp_root.empty() ? temp_root : env_or("RUNNER_TEMP", system_temp);
  runner.tool_cache = env_or("RUNNER_TOOL_CACHE", runner.temp + "/tool-cache");
  runner.debug = debug;
  return runner;
}

expr::Value github_context(const RepositoryInfo& repository, const Event& event,
                           const RunInfo& run) {
  const std::string& server = repository.server_url;
  std::string ref_name = event.ref_name();
  Object g;
  g.set("action", "");
  g.set("action_path", "");
  g.set("action_ref", "");
  g.set("action_repository", "");
  g.set("action_status", "");
  g.set("actor", repository.actor);
  g.set("actor_id", "0");
  g.set("api_url", api_url(server));
  g.set("base_ref", event.base_ref);
  g.set("env", "");
  g.set("event", event.payload);
  g.set("event_name", event.name);
  g.set("event_path", "");
  g.set("graphql_url", graphql_url(server));
  g.set("head_ref", event.head_ref);
  g.set("job", "");
  g.set("output", "");
  g.set("path", "");
  g.set("ref", event.ref);
  g.set("ref_name", ref_name);
  g.set("ref_protected", false);
  g.set("ref_type", std::string(ref_type_name(event.ref_type())));
  g.set("repository", repository.repository);
  g.set("repository_id", "0");
  g.set("repository_owner", repository.repository_owner);
  g.set("repository_owner_id", "0");
  g.set("repositoryUrl", fmt::format("git://{}/{}.git", host_of(server), repository.repository));
  g.set("retention_days", "90");
  g.set("run_id", std::to_string(run.run_id));
  g.set("run_number", std::to_string(run.run_number));
  g.set("run_attempt", std::to_string(run.run_attempt));
  g.set("secret_source", "Actions");
  g.set("server_url", server);
  g.set("sha", event.sha);
  g.set("state", "");
  g.set("step_summary", "");
  g.set("token", run.token);
  g.set("triggering_actor", run.triggering_actor.empty() ? repository.actor : run.triggering_actor);
  g.set("workflow", run.workflow);
  g.set("workflow_ref",
        fmt::format("{}/{}@{}", repository.repository, run.workflow_file, event.ref));
  g.set("workflow_sha", event.sha);
  g.set("workspace", run.workspace.empty() ? repository.root : run.workspace);
  return Value(std::move(g));
}

expr::Value runner_context(const RunnerInfo& runner) {
  Object r;
  r.set("name", runner.name);
  r.set("os", runner.os);
  r.set("arch", runner.arch);
  r.set("temp", runner.temp);
  r.set("tool_cache", runner.tool_cache);
  r.set("debug", runner.debug ? "1" : "");
  r.set("environment", runner.environment);
  return Value(std::move(r));
}

expr::Value with_overrides(const expr::Value& github, const GithubOverrides& overrides) {
  Object g = github.kind() == expr::Kind::object ? github.as_object() : Object();
  struct Field {
    const char* name;
    const std::optional<std::string>& value;
  };
  const Field fields[] = {
      {"job", overrides.job},
      {"action", overrides.action},
      {"action_path", overrides.action_path},
      {"action_repository", overrides.action_repository},
      {"workspace", overrides.workspace},
      {"event_path", overrides.event_path},
      {"env", overrides.env},
      {"path", overrides.path},
      {"output", overrides.output},
      {"state", overrides.state},
      {"step_summary", overrides.step_summary},
      {"token", overrides.token},
  };
  for (const Field& field : fields) {
    if (field.value) g.set(field.name, *field.value);
  }
  return Value(std::move(g));
}

std::vector<std::pair<std::string, std::string>> default_environment(const expr::Value& github,
                                                                     const expr::Value& runner) {
  std::vector<std::pair<std::string, std::string>> env;
  env.emplace_back("CI", "true");
  env.emplace_back("GITHUB_ACTIONS", "true");
  auto add = [&](const expr::Value& context, const EnvRow& row) {
    const Value* v = context.member(row.field);
    std::string text = v ? v->to_display_string() : std::string();
    if (row.always || !text.empty()) env.emplace_back(row.variable, std::move(text));
  };
  for (const EnvRow& row : k_github_env)
    add(github, row);
  for (const EnvRow& row : k_runner_env)
    add(runner, row);
  if (const Value* debug = runner.member("debug"); debug && debug->truthy()) {
    env.emplace_back("RUNNER_DEBUG", "1");
  }
  std::sort(env.begin(), env.end());
  return env;
}

}  // namespace pipewright::plan
