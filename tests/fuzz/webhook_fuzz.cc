// Fuzz target: webhook deliveries, which arrive from anyone before their signature is
// checked. The first byte picks the forge's headers and the event; the rest is the body.
// Whatever the bytes, parsing answers a value or a 400, signatures made with another
// secret never verify, and a trigger that runs names a ref the server can use.
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "pipewright/server/webhook.h"

namespace {

using namespace pipewright;

void require(bool condition) {
  if (!condition) std::abort();
}

constexpr std::array<std::string_view, 9> k_events{
    "push", "pull_request", "release", "create", "delete", "ping", "workflow_run", "issues", "x"};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const unsigned selector = data[0];
  std::string_view body(reinterpret_cast<const char*>(data) + 1, size - 1);
  const std::string event(k_events[selector % k_events.size()]);
  const bool gitea = selector & 0x80;
  // A well-formed signature of the body under another secret.
  const std::string signature = std::string(gitea ? "" : "sha256=") + std::string(64, 'a');
  server::HeaderLookup headers = [&](std::string_view name) -> std::string_view {
    if (gitea) {
      if (name == "X-Gitea-Event") return event;
      if (name == "X-Gitea-Delivery") return "fuzz-delivery";
      if (name == "X-Gitea-Signature") return signature;
    } else {
      if (name == "X-GitHub-Event") return event;
      if (name == "X-GitHub-Delivery") return "fuzz-delivery";
      if (name == "X-Hub-Signature-256") return signature;
    }
    return {};
  };
  auto delivery = server::parse_delivery(headers, body);
  if (!delivery) {
    require(delivery.error().status == 400 && !delivery.error().message.empty());
    return 0;
  }
  require(delivery->event == event && delivery->id == "fuzz-delivery");
  require(!server::verify_signature("secret", body, *delivery, headers));
  auto trigger = server::trigger_from_delivery(*delivery, body);
  if (!trigger) {
    require(trigger.error().status == 400);
    return 0;
  }
  if (!trigger->ignored.empty()) return 0;
  require(trigger->payload.kind() == expr::Kind::object);
  if (event == "push" || event == "release" || event == "create")
    require(trigger->ref.starts_with("refs/"));
  if (event == "pull_request") {
    require(trigger->ref.starts_with("refs/pull/") && !trigger->sha.empty());
    if (auto target = server::pull_request_target_of(*trigger))
      require(target->ref.starts_with("refs/heads/"));
  }
  return 0;
}
