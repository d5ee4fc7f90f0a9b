// Administration of a server: `pipewright repo add|list|remove`, `pipewright secret set
// REPO NAME` (the value from stdin, never argv), `pipewright var set REPO NAME VALUE`
// and `pipewright token create --role R --name N` (the token alone on stdout). With a
// server (--server / PIPEWRIGHT_SERVER) they call its API as an admin; without one they
// act on the local data directory (--data-dir / --database) through server/admin.h.
// Both paths print the same way. Exit codes as in remote.h.
#include <iostream>
#include <iterator>
#include <memory>
#include <string>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <unistd.h>

#include "pipewright/cli/api_records.h"
#include "pipewright/cli/commands.h"
#include "pipewright/cli/remote.h"
#include "pipewright/server/admin.h"

namespace pipewright::cli {

namespace {

namespace admin = server::admin;

// A local operation's failure, printed like the API's.
int local_failure(const std::string& what, const util::Error& error) {
  std::cerr << what << ": " << util::format_error(error) << "\n";
  return k_exit_usage;
}

// --server, or else where the server's state is (--data-dir, --database).
void add_location_options(CLI::App& cmd, admin::Location& where) {
  add_server_option(cmd);
  cmd.add_option("--data-dir", where.data_dir,
                 "Without --server: the server's data directory (default: the user's)");
  cmd.add_option("--database", where.database_url,
                 "Without --server: the server's database URL, e.g. postgresql://host/db");
}

// "60s", "5m", "1h" or plain seconds; nullopt for anything else.
std::optional<int64_t> parse_interval(const std::string& text) {
  size_t digits = text.find_first_not_of("0123456789");
  if (text.empty() || digits == 0 || text.size() > 12) return std::nullopt;
  int64_t value = std::stoll(text.substr(0, digits));
  if (digits == std::string::npos) return value;
  if (digits + 1 != text.size()) return std::nullopt;
  switch (text[digits]) {
    case 's':
      return value;
    case 'm':
      return value * 60;
    case 'h':
      return value * 3600;
    default:
      return std::nullopt;
  }
}

// --- repo ---

struct RepoAddOptions {
  admin::RepoSpec repo;
  std::string poll;
  admin::Location where;
};

void print_repo_added(const admin::RepoInfo& repo) {
  std::cout << fmt::format("Added repository {} (source {}", repo.full_name, repo.source);
  if (!repo.default_branch.empty()) std::cout << ", default branch " << repo.default_branch;
  if (repo.poll_seconds > 0) std::cout << fmt::format(", polled every {}s", repo.poll_seconds);
  std::cout << ")\n";
}

int repo_add(const CLI::App& command, RepoAddOptions options) {
  const std::string what = "pipewright repo add";
  if (!is_repo_name(options.repo.name)) {
    std::cerr << what << ": '" << options.repo.name << "' is not OWNER/NAME, e.g. acme/api\n";
    return k_exit_usage;
  }
  if (!options.poll.empty()) {
    auto seconds = parse_interval(options.poll);
    if (!seconds || *seconds <= 0) {
      std::cerr << what << ": --poll '" << options.poll
                << "' is not an interval, e.g. --poll 60s, 5m or 1h\n";
      return k_exit_usage;
    }
    options.repo.poll_seconds = *seconds;
  }
  if (auto remote = Remote::open(command, what)) {
    if (!options.repo.webhook_secret.empty()) remote->add_mask(options.repo.webhook_secret);
    nlohmann::json body = {{"name", options.repo.name}, {"source", options.repo.source}};
    if (!options.repo.webhook_secret.empty()) body["webhook_secret"] = options.repo.webhook_secret;
    if (!options.repo.default_branch.empty()) body["default_branch"] = options.repo.default_branch;
    if (options.repo.poll_seconds > 0) body["poll_seconds"] = options.repo.poll_seconds;
    auto answer = remote->call("POST", "/api/v1/repos", body.dump());
    if (!answer) return answer.error();
    auto info = repo_from_api(*answer);
    if (!info) return remote->fail(k_exit_failure, info.error().message);
    print_repo_added(*info);
    return k_exit_ok;
  }
  auto info = admin::add_repo(options.where, options.repo);
  if (!info) return local_failure(what, info.error());
  print_repo_added(*info);
  return k_exit_ok;
}

void print_repos(const std::vector<admin::RepoInfo>& repos) {
  if (repos.empty()) {
    std::cout << "No repositories yet (add one with `pipewright repo add NAME SOURCE`).\n";
    return;
  }
  std::cout << fmt::format("{:<30} {:<12} {:<6} {:<20}  {}\n", "NAME", "BRANCH", "POLL", "CREATED",
                           "SOURCE");
  for (const admin::RepoInfo& r : repos)
    std::cout << fmt::format("{:<30} {:<12} {:<6} {:<20}  {}\n", r.full_name,
                             r.default_branch.empty() ? "-" : r.default_branch,
                             r.poll_seconds > 0 ? fmt::format("{}s", r.poll_seconds) : "-",
                             r.created_at.empty() ? "-" : r.created_at, r.source);
}

int repo_list(const CLI::App& command, const admin::Location& where) {
  const std::string what = "pipewright repo list";
  if (auto remote = Remote::open(command, what)) {
    auto answer = remote->call("GET", "/api/v1/repos");
    if (!answer) return answer.error();
    std::vector<admin::RepoInfo> repos;
    if (!answer->is_object() || !answer->contains("repositories") ||
        !(*answer)["repositories"].is_array())
      return remote->fail(k_exit_failure, "the server's answer has no \"repositories\"");
    for (const nlohmann::json& repo : (*answer)["repositories"]) {
      auto info = repo_from_api(repo);
      if (!info) return remote->fail(k_exit_failure, info.error().message);
      repos.push_back(std::move(*info));
    }
    print_repos(repos);
    return k_exit_ok;
  }
  auto repos = admin::list_repos(where);
  if (!repos) return local_failure(what, repos.error());
  print_repos(*repos);
  return k_exit_ok;
}

int repo_remove(const CLI::App& command, const std::string& name, const admin::Location& where) {
  const std::string what = "pipewright repo remove";
  if (!is_repo_name(name)) {
    std::cerr << what << ": '" << name << "' is not OWNER/NAME, e.g. acme/api\n";
    return k_exit_usage;
  }
  if (auto remote = Remote::open(command, what)) {
    auto answer = remote->call("DELETE", repo_api_path(name), {},
                               fmt::format("repository {} not found", name));
    if (!answer) return answer.error();
  } else if (auto removed = admin::remove_repo(where, name); !removed) {
    return local_failure(what, removed.error());
  }
  std::cout << "Removed repository " << name << "\n";
  return k_exit_ok;
}

// --- secret and var ---

struct ValueOptions {
  std::string repo;
  std::string name;
  std::string value;  // var only; a secret's value comes from stdin
  admin::Location where;
};

// The secret's value from stdin, without one trailing line end (`echo v |` adds one).
std::optional<std::string> read_secret_value(const std::string& name) {
  if (::isatty(STDIN_FILENO))
    std::cerr << "Value of " << name << " (end with Ctrl-D; it is not echoed to any log):\n";
  std::string value{std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>()};
  if (value.ends_with("\r\n"))
    value.resize(value.size() - 2);
  else if (value.ends_with('\n'))
    value.pop_back();
  if (value.empty()) return std::nullopt;
  return value;
}

void print_written(std::string_view kind, const ValueOptions& options, admin::Written written) {
  std::cout << fmt::format("{} {} {} for {}\n",
                           written == admin::Written::created ? "Created" : "Updated", kind,
                           options.name, options.repo);
}

// secret set and var set: the same flow, `kind` "secret" or "variable".
int set_value(const CLI::App& command, ValueOptions options, std::string_view kind) {
  const std::string what = kind == "secret" ? "pipewright secret set" : "pipewright var set";
  if (!is_repo_name(options.repo)) {
    std::cerr << what << ": '" << options.repo << "' is not OWNER/NAME, e.g. acme/api\n";
    return k_exit_usage;
  }
  if (kind == "secret") {
    auto value = read_secret_value(options.name);
    if (!value) {
      std::cerr << what << ": no value on stdin (pipe it in, e.g. `pipewright secret set "
                << options.repo << " " << options.name << " < token.txt`)\n";
      return k_exit_usage;
    }
    options.value = std::move(*value);
  }
  if (auto remote = Remote::open(command, what)) {
    if (kind == "secret") remote->add_mask(options.value);
    std::string path = repo_api_path(options.repo) +
                       (kind == "secret" ? "/secrets/" : "/variables/") +
                       path_segment(options.name);
    nlohmann::json body = {{"value", options.value}};
    if (kind != "secret") body["name"] = options.name;
    auto answer = remote->send("PUT", path, body.dump(),
                               fmt::format("repository {} not found", options.repo));
    if (!answer) return answer.error();
    print_written(kind, options,
                  answer->status == 201 ? admin::Written::created : admin::Written::updated);
    return k_exit_ok;
  }
  auto written =
      kind == "secret"
          ? admin::set_secret(options.where, options.repo, options.name, options.value)
          : admin::set_variable(options.where, options.repo, options.name, options.value);
  if (!written) {
    util::Error error = written.error();
    if (kind == "secret") {  // never print the value, whatever the error says
      for (size_t at = error.message.find(options.value); at != std::string::npos;
           at = error.message.find(options.value, at + 3))
        error.message.replace(at, options.value.size(), "***");
    }
    return local_failure(what, error);
  }
  print_written(kind, options, *written);
  return k_exit_ok;
}

// --- token ---

struct TokenOptions {
  std::string role;
  std::string name;
  admin::Location where;
};

int token_create(const CLI::App& command, const TokenOptions& options) {
  const std::string what = "pipewright token create";
  if (auto remote = Remote::open(command, what)) {
    nlohmann::json body = {{"name", options.name}, {"role", options.role}};
    auto answer = remote->call("POST", "/api/v1/tokens", body.dump());
    if (!answer) return answer.error();
    if (!answer->is_object() || !answer->contains("token") || !(*answer)["token"].is_string())
      return remote->fail(k_exit_failure, "the server's answer has no \"token\"");
    std::cout << (*answer)["token"].get<std::string>() << "\n";
    return k_exit_ok;
  }
  auto token = admin::create_token(options.where, options.name, options.role);
  if (!token) return local_failure(what, token.error());
  std::cout << *token << "\n";
  return k_exit_ok;
}

}  // namespace

void add_admin_commands(CLI::App& app, int& exit_code) {
  auto* repo = app.add_subcommand("repo", "Repositories a server runs workflows for");
  repo->require_subcommand(1);

  auto add = std::make_shared<RepoAddOptions>();
  auto* add_cmd = repo->add_subcommand("add", "Register a repository (a local path or git URL)");
  add_cmd->add_option("name", add->repo.name, "Its name, OWNER/NAME (as webhooks name it)")
      ->required();
  add_cmd->add_option("source", add->repo.source, "A local path or a git URL")->required();
  add_cmd->add_option("--webhook-secret", add->repo.webhook_secret,
                      "The secret its webhooks are signed with");
  add_cmd->add_option("--default-branch", add->repo.default_branch,
                      "Its default branch (default: the source's HEAD)");
  add_cmd->add_option("--poll", add->poll, "Poll for new commits this often, e.g. 60s, 5m");
  add_location_options(*add_cmd, add->where);
  add_cmd->footer("Example: pipewright repo add acme/api /srv/git/api.git --poll 60s");
  add_cmd->callback([add_cmd, add, &exit_code] { exit_code = repo_add(*add_cmd, *add); });

  auto list_where = std::make_shared<admin::Location>();
  auto* list_cmd = repo->add_subcommand("list", "The registered repositories");
  add_location_options(*list_cmd, *list_where);
  list_cmd->callback(
      [list_cmd, list_where, &exit_code] { exit_code = repo_list(*list_cmd, *list_where); });

  auto remove_name = std::make_shared<std::string>();
  auto remove_where = std::make_shared<admin::Location>();
  auto* remove_cmd = repo->add_subcommand("remove", "Unregister a repository (runs are kept)");
  remove_cmd->add_option("name", *remove_name, "OWNER/NAME")->required();
  add_location_options(*remove_cmd, *remove_where);
  remove_cmd->callback([remove_cmd, remove_name, remove_where, &exit_code] {
    exit_code = repo_remove(*remove_cmd, *remove_name, *remove_where);
  });

  auto* secret = app.add_subcommand("secret", "A repository's secrets (write-only)");
  secret->require_subcommand(1);
  auto secret_options = std::make_shared<ValueOptions>();
  auto* secret_set = secret->add_subcommand("set", "Set a secret; its value is read from stdin");
  secret_set->add_option("repo", secret_options->repo, "OWNER/NAME")->required();
  secret_set->add_option("name", secret_options->name, "The secret's name, e.g. DEPLOY_TOKEN")
      ->required();
  add_location_options(*secret_set, secret_options->where);
  secret_set->footer("Example: pipewright secret set acme/api DEPLOY_TOKEN < token.txt");
  secret_set->callback([secret_set, secret_options, &exit_code] {
    exit_code = set_value(*secret_set, *secret_options, "secret");
  });

  auto* var = app.add_subcommand("var", "A repository's configuration variables (vars.*)");
  var->require_subcommand(1);
  auto var_options = std::make_shared<ValueOptions>();
  auto* var_set = var->add_subcommand("set", "Set a configuration variable");
  var_set->add_option("repo", var_options->repo, "OWNER/NAME")->required();
  var_set->add_option("name", var_options->name, "The variable's name, e.g. REGION")->required();
  var_set->add_option("value", var_options->value, "Its value")->required();
  add_location_options(*var_set, var_options->where);
  var_set->callback([var_set, var_options, &exit_code] {
    exit_code = set_value(*var_set, *var_options, "variable");
  });

  auto* token = app.add_subcommand("token", "API tokens");
  token->require_subcommand(1);
  auto token_options = std::make_shared<TokenOptions>();
  auto* create = token->add_subcommand(
      "create", "Create an API token; prints it alone on stdout, the only time it is shown");
  create->add_option("--role", token_options->role, "viewer, maintainer or admin")
      ->required()
      ->check(CLI::IsMember({"viewer", "maintainer", "admin"}));
  create->add_option("--name", token_options->name, "What it is for, e.g. ci-bot")->required();
  add_location_options(*create, token_options->where);
  create->footer("Example: TOKEN=$(pipewright token create --role viewer --name dashboard)");
  create->callback(
      [create, token_options, &exit_code] { exit_code = token_create(*create, *token_options); });
}

}  // namespace pipewright::cli
