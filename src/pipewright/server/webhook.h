// Webhook deliveries from GitHub and Gitea/Forgejo: who sent what (headers), whether it is
// signed with the repository's secret (HMAC-SHA256 over the raw body), and what run it
// asks for. The payload is normalised to GitHub's shape, so `github.event` reads the same
// whichever forge sent it.
#pragma once

#include <expected>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "pipewright/expr/value.h"
#include "pipewright/util/error.h"

namespace pipewright::server {

enum class Forge { github, gitea };  // Gitea and Forgejo share a format

// "github" or "gitea".
std::string_view forge_name(Forge forge);

// A request header by name, case-insensitively; "" when absent. Beast's
// `[&](std::string_view n) { return request[n]; }` is one.
using HeaderLookup = std::function<std::string_view(std::string_view name)>;

// What a request says about itself, before its signature is checked.
struct Delivery {
  std::string id;     // X-GitHub-Delivery / X-Gitea-Delivery / X-Forgejo-Delivery
  std::string event;  // the forge's event header as sent (push, pull_request, ...)
  Forge forge = Forge::github;
  std::string repo_full_name;  // payload repository.full_name ("" when the payload has none)
};

// A rejected request: the HTTP status to answer (400 malformed, 401 signature) and why.
struct HookError {
  int status = 400;
  std::string message;
};

template <class T>
using HookExpected = std::expected<T, HookError>;

// Reads the forge, event and delivery id from the headers and repository.full_name from
// the body. GitHub: X-GitHub-Event, X-GitHub-Delivery. Gitea/Forgejo: X-Gitea-Event or
// X-Forgejo-Event, X-Gitea-Delivery or X-Forgejo-Delivery. Fails with 400 when the
// headers are missing or the body is not a JSON object. Does not check the signature.
HookExpected<Delivery> parse_delivery(const HeaderLookup& headers, std::string_view body);

// True when the request carries a valid HMAC-SHA256 of `body` under `secret`: GitHub's
// `X-Hub-Signature-256: sha256=<hex>`, Gitea's `X-Gitea-Signature: <hex>` (Forgejo's
// `X-Forgejo-Signature`). Compared in constant time; a missing, malformed or
// wrong-algorithm signature, or an empty secret, is false.
bool verify_signature(std::string_view secret, std::string_view body, const Delivery& delivery,
                      const HeaderLookup& headers);

// What a delivery asks for. `ignored` non-empty: it starts nothing and says why (for the
// server's log); the other fields are then unspecified.
//   push:          ref = payload ref, sha = after, before = before.
//   pull_request:  ref = refs/pull/N/merge (GitHub) or refs/pull/N/head (Gitea, which makes
//                  no merge ref); sha = the merge commit when the payload names one, else
//                  head_sha. head_sha = the PR head: a server whose mirror lacks the merge
//                  commit runs at head_sha (as Gitea does).
//   release:       ref = refs/tags/<tag_name>, sha = "" (resolve the tag in the mirror).
//   create:        ref = refs/heads/X or refs/tags/X; sha = the payload's `sha` (Gitea sends
//                  it) or "" (GitHub does not: resolve the ref in the mirror).
//   delete:        ref = sha = "": the default branch's head (GitHub runs it there).
// Ignored: ping, a push that deletes a branch or tag, workflow_run (the server makes its
// own) and every event we do not run. Fails (400) when the body is not a JSON object or
// lacks what the event needs (a push without ref/after, a PR without a number).
struct Trigger {
  std::string event;    // as workflows see it: push, pull_request, release, create, delete
  expr::Value payload;  // github.event, in GitHub's shape
  std::string ref, sha, before;
  std::string head_sha;  // pull_request: the PR head commit; "" otherwise
  std::string ignored;   // why nothing runs; "" when something does
};
HookExpected<Trigger> trigger_from_delivery(const Delivery& delivery, std::string_view body);

// GitHub runs `pull_request_target` workflows for the same activity as `pull_request` ones,
// in the base branch's context: for a pull_request trigger, that second trigger (event
// pull_request_target, same payload, ref = refs/heads/<base.ref>, sha = "" = the base
// branch's head in the mirror); nullopt for any other trigger or one without a base.
std::optional<Trigger> pull_request_target_of(const Trigger& pull_request);

}  // namespace pipewright::server
