// POST /hooks/github[/{owner}/{repo}]: GitHub's and Gitea/Forgejo's webhook deliveries.
// The signature is checked over the raw body with the repository's secret, then the
// delivery is stored durably and acknowledged (202) — the work happens in the inbox, so
// the answer never waits for the queue.
#include <nlohmann/json.hpp>

#include "pipewright/server/api.h"
#include "pipewright/server/api_auth.h"
#include "pipewright/server/core.h"
#include "pipewright/server/webhook.h"

namespace pipewright::server {

namespace {

using nlohmann::json;

// GitHub's limit on a delivery's payload.
constexpr size_t k_max_delivery_bytes = 25 * 1024 * 1024;

http::Response receive(Core& core, const http::Request& request) {
  auto headers = [&request](std::string_view name) -> std::string_view {
    const std::string* value = request.header(name);
    return value ? std::string_view(*value) : std::string_view();
  };
  auto delivery = parse_delivery(headers, request.body);
  if (!delivery) {
    core.metrics->webhook_delivery(WebhookOutcome::invalid);
    core.log("webhook.rejected", {{"status", std::to_string(delivery.error().status)},
                                  {"reason", delivery.error().message}});
    return http::Response::error(delivery.error().status, delivery.error().message);
  }
  std::string named = repo_param(request);
  std::string repo_name = named.empty() ? delivery->repo_full_name : named;
  auto repo = core.db->find_repo(repo_name);
  if (!repo) return http::Response::error(500, "the server cannot read its repositories");
  // Unknown repository and bad signature answer alike, so the hook cannot be used to
  // probe which repositories are registered.
  bool signed_ok = false;
  if (*repo && !(*repo)->webhook_secret.empty()) {
    auto secret =
        core.box->unseal((*repo)->webhook_secret, webhook_secret_context((*repo)->full_name));
    signed_ok = secret && verify_signature(*secret, request.body, *delivery, headers);
  }
  if (!signed_ok) {
    core.metrics->webhook_delivery(WebhookOutcome::bad_signature);
    core.log("webhook.rejected", {{"status", "401"},
                                  {"delivery", delivery->id},
                                  {"repo", repo_name},
                                  {"reason", *repo ? "signature" : "unknown repository"}});
    return http::Response::error(401,
                                 "The signature does not match the repository's webhook "
                                 "secret (or the repository is not registered)");
  }
  if (delivery->event == "ping") {
    core.metrics->webhook_delivery(WebhookOutcome::ignored);
    return json_response(200, json{{"message", "pong"}, {"delivery", delivery->id}});
  }
  NewDelivery stored;
  stored.key = std::string(forge_name(delivery->forge)) + ":" + delivery->id;
  stored.source = Source::webhook;
  stored.repo = (*repo)->full_name;
  stored.event = delivery->event;
  stored.body = request.body;
  stored.received_at = now_ms();
  auto accepted = core.db->accept(stored);
  if (!accepted) {
    core.log("webhook.error", {{"delivery", delivery->id}, {"error", accepted.error().message}});
    // Not stored: GitHub shows the failure and the delivery can be redelivered.
    return http::Response::error(503, "The delivery could not be stored; redeliver it");
  }
  core.metrics->webhook_delivery(accepted->duplicate ? WebhookOutcome::duplicate
                                                     : WebhookOutcome::accepted);
  core.log(accepted->duplicate ? "webhook.duplicate" : "webhook.accepted",
           {{"delivery", delivery->id}, {"repo", stored.repo}, {"event", stored.event}});
  if (!accepted->duplicate && core.on_delivery) core.on_delivery();
  return json_response(202, json{{"delivery", delivery->id}, {"duplicate", accepted->duplicate}});
}

}  // namespace

void add_hook_routes(http::Router& router, Core& core) {
  http::RouteOptions hook{k_max_delivery_bytes, http::RouteClass::webhook};
  auto handler = [&core](const http::Request& request) { return receive(core, request); };
  router.add("POST", "/hooks/github", handler, hook);
  router.add("POST", "/hooks/github/{owner}/{repo}", handler, hook);
}

}  // namespace pipewright::server
