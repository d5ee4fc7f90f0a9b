// The payloads the server makes itself (dispatch, schedule, poll, workflow_run), in the
// shape GitHub sends, so `github.event` reads the same as for a webhook.
#pragma once

#include <string>

#include "pipewright/expr/value.h"
#include "pipewright/server/server_store.h"

namespace pipewright::server {

// `payload` with a `repository` object naming `repo` (kept when already present).
expr::Value with_repository(const expr::Value& payload, const Repo& repo,
                            const std::string& default_branch);

// A push of `after` to `ref` (found by polling): ref, before, after, created, deleted,
// forced, head_commit (id only).
expr::Value poll_push_payload(const std::string& ref, const std::string& before,
                              const std::string& after);

}  // namespace pipewright::server
