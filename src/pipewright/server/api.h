// The server's HTTP surface (docs/api.md): webhooks, the JSON API under /api/v1,
// /healthz and /metrics. Handlers check the bearer token's role, validate input with
// GitHub's error texts, and answer GitHub's field names.
#pragma once

#include "pipewright/http/router.h"

namespace pipewright::server {

struct Core;
class Dispatcher;

// Adds every route to `router`. `core` and `dispatcher` outlive the HTTP server.
void add_routes(http::Router& router, Core& core, Dispatcher& dispatcher);

// Webhooks and triggers (api_hooks.cc).
void add_hook_routes(http::Router& router, Core& core);
// Repositories, secrets, variables, dispatches, tokens (api_repos.cc).
void add_repo_routes(http::Router& router, Core& core);
// Runs, jobs, logs, the live stream, cancel and re-runs, artifacts (api_runs.cc).
void add_run_routes(http::Router& router, Core& core, Dispatcher& dispatcher);

}  // namespace pipewright::server
