// Repositories, their secrets and variables, workflow dispatches and tokens.
#include <random>

#include <nlohmann/json.hpp>

#include "pipewright/expr/json.h"
#include "pipewright/server/api.h"
#include "pipewright/server/api_auth.h"
#include "pipewright/server/core.h"
#include "pipewright/server/json_views.h"
#include "pipewright/server/repos.h"
#include "pipewright/server/run_bridge.h"

namespace pipewright::server {

namespace {

using http::Request;
using http::Response;
using nlohmann::json;

json repo_json(const admin::RepoInfo& repo) {
  return json{{"full_name", repo.full_name},
              {"source", repo.source},
              {"default_branch", repo.default_branch},
              {"poll_seconds", repo.poll_seconds},
              {"created_at", repo.created_at}};
}

Response failure(int status, const util::Error& error) {
  std::string message = error.message;
  if (!error.hint.empty()) message += " (" + error.hint + ")";
  return Response::error(status, message);
}

// The registered repository the route names, or the 404 to answer.
std::optional<Repo> named_repo(Core& core, const Request& request, Response* error) {
  auto repo = core.db->find_repo(repo_param(request));
  if (!repo) {
    *error = failure(500, repo.error());
    return std::nullopt;
  }
  if (!*repo) {
    *error = Response::error(404, "Not Found");
    return std::nullopt;
  }
  return **repo;
}

std::string text_field(const json& body, const char* key) {
  auto it = body.find(key);
  return it != body.end() && it->is_string() ? it->get<std::string>() : std::string();
}

Response add_repo(Core& core, const Request& request) {
  Response error;
  auto body = json_body(request, &error);
  if (!body) return error;
  admin::RepoSpec spec;
  spec.name = text_field(*body, "name");
  spec.source = text_field(*body, "source");
  spec.webhook_secret = text_field(*body, "webhook_secret");
  spec.default_branch = text_field(*body, "default_branch");
  if (auto poll = body->find("poll_seconds"); poll != body->end() && poll->is_number_integer())
    spec.poll_seconds = poll->get<int64_t>();
  auto info = register_repo(*core.db, *core.box, core.data_dir + "/mirrors", spec);
  if (!info) return failure(422, info.error());
  core.log("repo.added", {{"repo", info->full_name}, {"source", info->source}});
  return json_response(201, repo_json(*info));
}

Response list_repos(Core& core, const Request&) {
  auto repos = core.db->repos();
  if (!repos) return failure(500, repos.error());
  json list = json::array();
  for (const Repo& repo : *repos)
    list.push_back(repo_json(repo_info(repo)));
  return json_response(200, json{{"total_count", repos->size()}, {"repositories", list}});
}

Response remove_repo(Core& core, const Request& request) {
  auto removed = core.db->remove_repo(repo_param(request));
  if (!removed) return failure(500, removed.error());
  if (!*removed) return Response::error(404, "Not Found");
  core.log("repo.removed", {{"repo", repo_param(request)}});
  return Response{204, {}, {}};
}

// PUT of a secret or variable: {"value": "..."} -> 201 created, 204 updated, 404 for an
// unregistered repository, 422 for a bad name or value. `store` writes it.
using ConfigWriter = util::Expected<admin::Written> (*)(Core&, const Request&, std::string_view);

Response put_config(Core& core, const Request& request, std::string_view what, ConfigWriter store) {
  Response error;
  auto body = json_body(request, &error);
  if (!body) return error;
  auto value = body->find("value");
  if (value == body->end() || !value->is_string())
    return Response::error(422, "Invalid request: \"value\" is required and must be a string");
  auto written = store(core, request, value->get<std::string>());
  if (!written)
    return failure(written.error().message.find("not registered") != std::string::npos ? 404 : 422,
                   written.error());
  core.log(std::string(what) + ".set",
           {{"repo", repo_param(request)}, {"name", request.params.at("name")}});
  return Response{*written == admin::Written::created ? 201 : 204, {}, {}};
}

Response put_secret(Core& core, const Request& request) {
  return put_config(core, request, "secret", [](Core& c, const Request& r, std::string_view v) {
    return store_secret(*c.db, *c.box, repo_param(r), r.params.at("name"), v);
  });
}

Response list_secrets(Core& core, const Request& request) {
  Response error;
  auto repo = named_repo(core, request, &error);
  if (!repo) return error;
  auto names = core.db->secret_names(repo->full_name);
  if (!names) return failure(500, names.error());
  json list = json::array();
  for (const SecretInfo& s : *names)
    list.push_back(json{{"name", s.name},
                        {"created_at", rfc3339(s.created_at)},
                        {"updated_at", rfc3339(s.updated_at)}});
  return json_response(200, json{{"total_count", names->size()}, {"secrets", list}});
}

Response delete_secret(Core& core, const Request& request) {
  auto removed = core.db->delete_secret(repo_param(request), request.params.at("name"));
  if (!removed) return failure(500, removed.error());
  if (!*removed) return Response::error(404, "Not Found");
  return Response{204, {}, {}};
}

Response put_variable(Core& core, const Request& request) {
  return put_config(core, request, "variable", [](Core& c, const Request& r, std::string_view v) {
    return store_variable(*c.db, repo_param(r), r.params.at("name"), v);
  });
}

Response list_variables(Core& core, const Request& request) {
  Response error;
  auto repo = named_repo(core, request, &error);
  if (!repo) return error;
  auto vars = core.db->variables(repo->full_name);
  if (!vars) return failure(500, vars.error());
  json list = json::array();
  for (const Variable& v : *vars)
    list.push_back(json{{"name", v.name},
                        {"value", v.value},
                        {"created_at", rfc3339(v.created_at)},
                        {"updated_at", rfc3339(v.updated_at)}});
  return json_response(200, json{{"total_count", vars->size()}, {"variables", list}});
}

Response delete_variable(Core& core, const Request& request) {
  auto removed = core.db->delete_variable(repo_param(request), request.params.at("name"));
  if (!removed) return failure(500, removed.error());
  if (!*removed) return Response::error(404, "Not Found");
  return Response{204, {}, {}};
}

// "ci.yml" names .github/workflows/ci.yml, as GitHub's workflow_id does.
std::string workflow_path(const std::string& workflow) {
  if (workflow.find('/') != std::string::npos) return workflow;
  return ".github/workflows/" + workflow;
}

std::string random_id() {
  std::random_device device;
  std::mt19937_64 generator(device());
  char buffer[33];
  std::snprintf(buffer, sizeof buffer, "%016llx%016llx",
                static_cast<unsigned long long>(generator()),
                static_cast<unsigned long long>(generator()));
  return buffer;
}

Response dispatch(Core& core, const Request& request) {
  Response error;
  auto repo = named_repo(core, request, &error);
  if (!repo) return error;
  auto body = json_body(request, &error);
  if (!body) return error;
  std::string workflow = text_field(*body, "workflow");
  std::string ref = text_field(*body, "ref");
  if (workflow.empty()) return Response::error(422, "Invalid request: \"workflow\" is required");
  if (ref.empty()) return Response::error(422, "Invalid request: \"ref\" is required");
  expr::Value inputs = expr::Value(expr::Object());
  if (auto given = body->find("inputs"); given != body->end() && !given->is_null()) {
    if (!given->is_object())
      return Response::error(422, "Invalid request: \"inputs\" must be an object");
    auto parsed = expr::parse_json(given->dump());
    if (!parsed) return Response::error(400, "Problems parsing JSON");
    inputs = *parsed;
  }
  // The workflow as it is at `ref`: fetched now, so the answer says what is wrong.
  std::string full_ref = ref.starts_with("refs/") ? ref : "";
  std::string sha;
  auto fetched = core.mirrors->with(*repo, [&](Mirror& mirror) -> util::Expected<void> {
    PW_TRY_VOID(mirror.fetch());
    PW_TRY(resolved, mirror.resolve(ref));
    sha = resolved;
    if (full_ref.empty())
      full_ref = mirror.resolve("refs/heads/" + ref) ? "refs/heads/" + ref : "refs/tags/" + ref;
    return {};
  });
  if (!fetched) return Response::error(422, "No ref found for: " + ref);
  auto checkout = core.ensure_checkout(*repo, sha, full_ref);
  if (!checkout) return failure(500, checkout.error());
  std::string path = workflow_path(workflow);
  auto checked = check_dispatch(*checkout, path, inputs);
  if (!checked) return Response::error(checked.error().status, checked.error().message);

  expr::Object payload;
  payload.set("inputs", *checked);
  payload.set("ref", expr::Value(full_ref));
  payload.set("workflow", expr::Value(path));
  expr::Object stored_body;
  stored_body.set("workflow", expr::Value(path));
  stored_body.set("ref", expr::Value(full_ref));
  stored_body.set("sha", expr::Value(sha));
  stored_body.set("payload", expr::Value(std::move(payload)));
  NewDelivery delivery;
  delivery.key = "dispatch:" + random_id();
  delivery.source = Source::dispatch;
  delivery.repo = repo->full_name;
  delivery.event = "workflow_dispatch";
  delivery.body = expr::to_json(expr::Value(std::move(stored_body)), expr::JsonStyle::compact);
  delivery.received_at = now_ms();
  auto accepted = core.db->accept(delivery);
  if (!accepted) return failure(503, accepted.error());
  core.log("dispatch.accepted", {{"repo", repo->full_name}, {"workflow", path}, {"ref", full_ref}});
  if (core.on_delivery) core.on_delivery();
  return Response{204, {}, {}};
}

Response create_token(Core& core, const Request& request) {
  Response error;
  auto body = json_body(request, &error);
  if (!body) return error;
  std::string name = text_field(*body, "name");
  std::string role = text_field(*body, "role");
  auto token = issue_token(*core.db, name, role);
  if (!token) return failure(422, token.error());
  core.log("token.created", {{"name", name}, {"role", role}});
  return json_response(201, json{{"token", *token}, {"name", name}, {"role", role}});
}

}  // namespace

void add_repo_routes(http::Router& router, Core& core) {
  auto route = [&](const char* method, const char* pattern, Role role,
                   Response (*handler)(Core&, const Request&)) {
    router.add(method, pattern, guarded(core, role, [&core, handler](const Request& r) {
                 return handler(core, r);
               }));
  };
  route("GET", "/api/v1/repos", Role::viewer, list_repos);
  route("POST", "/api/v1/repos", Role::admin, add_repo);
  route("DELETE", "/api/v1/repos/{owner}/{repo}", Role::admin, remove_repo);
  route("GET", "/api/v1/repos/{owner}/{repo}/secrets", Role::admin, list_secrets);
  route("PUT", "/api/v1/repos/{owner}/{repo}/secrets/{name}", Role::admin, put_secret);
  route("DELETE", "/api/v1/repos/{owner}/{repo}/secrets/{name}", Role::admin, delete_secret);
  route("GET", "/api/v1/repos/{owner}/{repo}/variables", Role::viewer, list_variables);
  route("PUT", "/api/v1/repos/{owner}/{repo}/variables/{name}", Role::admin, put_variable);
  route("DELETE", "/api/v1/repos/{owner}/{repo}/variables/{name}", Role::admin, delete_variable);
  route("POST", "/api/v1/repos/{owner}/{repo}/dispatches", Role::maintainer, dispatch);
  route("POST", "/api/v1/tokens", Role::admin, create_token);
}

}  // namespace pipewright::server
