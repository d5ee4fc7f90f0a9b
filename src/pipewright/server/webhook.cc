// Gitea and Forgejo send GitHub's headers too (X-GitHub-Event, X-Hub-Signature-256), so a
// request is read as Forgejo's or Gitea's first and as GitHub's only when neither is there.
// Their payloads follow GitHub's closely; the differences that workflows can see (action
// names, `compare`, `created`/`deleted`) are normalised here.
#include "pipewright/server/webhook.h"

#include <array>
#include <cmath>
#include <cstdio>
#include <initializer_list>
#include <optional>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "pipewright/expr/json.h"

namespace pipewright::server {

namespace {

using expr::Value;

struct ForgeHeaders {
  Forge forge;
  std::string_view event, delivery, signature;
  std::string_view signature_prefix;  // before the hex digest
};
// Checked in order: the first whose event header is present names the forge.
constexpr std::array<ForgeHeaders, 3> k_forge_headers{{
    {Forge::gitea, "X-Forgejo-Event", "X-Forgejo-Delivery", "X-Forgejo-Signature", ""},
    {Forge::gitea, "X-Gitea-Event", "X-Gitea-Delivery", "X-Gitea-Signature", ""},
    {Forge::github, "X-GitHub-Event", "X-GitHub-Delivery", "X-Hub-Signature-256", "sha256="},
}};

const ForgeHeaders* forge_headers(const HeaderLookup& headers) {
  for (const ForgeHeaders& row : k_forge_headers)
    if (!headers(row.event).empty()) return &row;
  return nullptr;
}

std::unexpected<HookError> reject(int status, std::string message) {
  return std::unexpected(HookError{status, std::move(message)});
}

// Header values end up in the store and the log: printable ASCII, bounded.
bool safe_token(std::string_view text, size_t max) {
  if (text.empty() || text.size() > max) return false;
  for (char c : text)
    if (c < 0x21 || c > 0x7e) return false;
  return true;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string url_decode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '+') {
      out += ' ';
    } else if (text[i] == '%' && i + 2 < text.size() && hex_value(text[i + 1]) >= 0 &&
               hex_value(text[i + 2]) >= 0) {
      out += static_cast<char>(hex_value(text[i + 1]) * 16 + hex_value(text[i + 2]));
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

// Real payloads nest a dozen levels; a hostile body nesting millions would exhaust the
// stack when its value is destroyed, before any signature is checked.
constexpr int k_max_depth = 256;

bool nests_deeper_than(std::string_view json, int max) {
  int depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < json.size(); ++i) {
    char c = json[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > max) return true;
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return false;
}

// The payload: a JSON body, or the `payload=` field of a form body (GitHub's and Gitea's
// "application/x-www-form-urlencoded" content type).
HookExpected<Value> parse_payload(std::string_view body) {
  std::string form;
  std::string_view json = body;
  if (body.starts_with("payload=")) {
    std::string_view field = body.substr(8);
    field = field.substr(0, field.find('&'));
    form = url_decode(field);
    json = form;
  }
  if (nests_deeper_than(json, k_max_depth))
    return reject(400,
                  "the webhook body nests deeper than " + std::to_string(k_max_depth) + " levels");
  auto value = expr::parse_json(json);
  if (!value) return reject(400, "the webhook body is not valid JSON: " + value.error());
  if (value->kind() != expr::Kind::object)
    return reject(400, "the webhook body is not a JSON object");
  return *value;
}

const Value* at(const Value& root, std::initializer_list<std::string_view> path) {
  const Value* v = &root;
  for (std::string_view key : path) {
    v = v->member(key);
    if (!v) return nullptr;
  }
  return v;
}

std::string text_at(const Value& root, std::initializer_list<std::string_view> path) {
  const Value* v = at(root, path);
  return v && v->kind() == expr::Kind::string ? v->as_string() : std::string();
}

// A positive integer member as decimal text ("" when absent or not one).
std::string integer_at(const Value& root, std::initializer_list<std::string_view> path) {
  const Value* v = at(root, path);
  if (!v || v->kind() != expr::Kind::number) return "";
  double n = v->as_number();
  if (!(n >= 1) || n != std::floor(n) || n > 9e15) return "";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.0f", n);
  return buf;
}

bool is_zero_sha(std::string_view sha) {
  return !sha.empty() && sha.find_first_not_of('0') == std::string_view::npos;
}

// ---- Gitea → GitHub shape -------------------------------------------------------------

struct ActionName {
  std::string_view gitea, github;
};
constexpr std::array<ActionName, 4> k_gitea_pr_actions{{
    {"synchronized", "synchronize"},
    {"label_updated", "labeled"},
    {"label_cleared", "unlabeled"},
    {"review_request_removed", "review_request_removed"},
}};
constexpr std::array<ActionName, 1> k_gitea_release_actions{{{"updated", "edited"}}};

template <size_t N>
void rename_action(expr::Object& payload, const std::array<ActionName, N>& table) {
  const Value* action = payload.find("action");
  if (!action || action->kind() != expr::Kind::string) return;
  for (const ActionName& row : table)
    if (action->as_string() == row.gitea) payload.set("action", std::string(row.github));
}

Value normalise_gitea(const std::string& event, const Value& payload) {
  expr::Object object = payload.as_object();
  if (event == "push") {
    std::string before = text_at(payload, {"before"}), after = text_at(payload, {"after"});
    if (!object.find("compare")) object.set("compare", text_at(payload, {"compare_url"}));
    if (!object.find("created")) object.set("created", is_zero_sha(before));
    if (!object.find("deleted")) object.set("deleted", is_zero_sha(after));
    if (!object.find("forced")) object.set("forced", false);
    if (!object.find("base_ref")) object.set("base_ref", Value());
    // GitHub's pusher is {name, email}; Gitea's is a user ({login, username, email}).
    const Value* pusher = payload.member("pusher");
    if (pusher && pusher->kind() == expr::Kind::object && !pusher->member("name")) {
      expr::Object p = pusher->as_object();
      std::string login = text_at(*pusher, {"login"});
      p.set("name", login.empty() ? text_at(*pusher, {"username"}) : login);
      object.set("pusher", Value(std::move(p)));
    }
  } else if (event == "create" || event == "delete") {
    // GitHub names the branch or tag (`ref: feature/x`); some Gitea versions send it in full.
    std::string ref = text_at(payload, {"ref"});
    for (std::string_view prefix : {"refs/heads/", "refs/tags/"})
      if (ref.starts_with(prefix)) object.set("ref", ref.substr(prefix.size()));
  } else if (event == "pull_request") {
    rename_action(object, k_gitea_pr_actions);
  } else if (event == "release") {
    rename_action(object, k_gitea_release_actions);
  }
  return Value(std::move(object));
}

// ---- Events ---------------------------------------------------------------------------

HookExpected<Trigger> push_trigger(const Delivery& delivery, Trigger t) {
  t.ref = text_at(t.payload, {"ref"});
  t.sha = text_at(t.payload, {"after"});
  t.before = text_at(t.payload, {"before"});
  if (!t.ref.starts_with("refs/") || t.sha.empty())
    return reject(400, "push delivery " + delivery.id + " has no `ref` or `after`");
  const Value* deleted = t.payload.member("deleted");
  if ((deleted && deleted->truthy()) || is_zero_sha(t.sha))
    t.ignored = "push deleting " + t.ref + ": GitHub runs no workflow for a deletion";
  return t;
}

HookExpected<Trigger> pull_request_trigger(const Delivery& delivery, Trigger t) {
  std::string number = integer_at(t.payload, {"number"});
  if (number.empty()) number = integer_at(t.payload, {"pull_request", "number"});
  t.head_sha = text_at(t.payload, {"pull_request", "head", "sha"});
  if (number.empty() || t.head_sha.empty())
    return reject(
        400, "pull_request delivery " + delivery.id + " has no pull request number or head sha");
  if (delivery.forge == Forge::gitea) {
    // Gitea makes no merge ref; its own runner runs pull requests at the head.
    t.ref = "refs/pull/" + number + "/head";
    t.sha = t.head_sha;
  } else {
    t.ref = "refs/pull/" + number + "/merge";
    std::string merge = text_at(t.payload, {"pull_request", "merge_commit_sha"});
    t.sha = merge.empty() ? t.head_sha : merge;
  }
  return t;
}

HookExpected<Trigger> release_trigger(const Delivery& delivery, Trigger t) {
  std::string tag = text_at(t.payload, {"release", "tag_name"});
  if (tag.empty()) return reject(400, "release delivery " + delivery.id + " has no tag_name");
  t.ref = "refs/tags/" + tag;
  return t;
}

HookExpected<Trigger> create_trigger(const Delivery& delivery, Trigger t) {
  std::string ref = text_at(t.payload, {"ref"}), type = text_at(t.payload, {"ref_type"});
  if (ref.empty()) return reject(400, "create delivery " + delivery.id + " has no ref");
  if (type == "branch") {
    t.ref = ref.starts_with("refs/") ? ref : "refs/heads/" + ref;
  } else if (type == "tag") {
    t.ref = ref.starts_with("refs/") ? ref : "refs/tags/" + ref;
  } else {
    t.ignored = "create of a " + (type.empty() ? std::string("ref of no type") : type) +
                ": only branches and tags start runs";
    return t;
  }
  t.sha = text_at(t.payload, {"sha"});  // Gitea names it; GitHub does not
  return t;
}

HookExpected<Trigger> delete_trigger(const Delivery& delivery, Trigger t) {
  if (text_at(t.payload, {"ref"}).empty())
    return reject(400, "delete delivery " + delivery.id + " has no ref");
  return t;  // runs at the default branch's head: ref and sha stay empty
}

HookExpected<Trigger> ping_trigger(const Delivery&, Trigger t) {
  std::string hook = integer_at(t.payload, {"hook_id"});
  t.ignored =
      "ping" + (hook.empty() ? std::string() : " from hook " + hook) + ": answered, starts nothing";
  return t;
}

HookExpected<Trigger> workflow_run_trigger(const Delivery&, Trigger t) {
  t.ignored =
      "workflow_run deliveries start nothing: the server raises workflow_run itself "
      "when one of its runs completes";
  return t;
}

using EventHandler = HookExpected<Trigger> (*)(const Delivery&, Trigger);
struct EventRow {
  std::string_view name;
  EventHandler handler;
};
constexpr std::array<EventRow, 7> k_events{{
    {"push", push_trigger},
    {"pull_request", pull_request_trigger},
    {"release", release_trigger},
    {"create", create_trigger},
    {"delete", delete_trigger},
    {"ping", ping_trigger},
    {"workflow_run", workflow_run_trigger},
}};

}  // namespace

std::string_view forge_name(Forge forge) {
  return forge == Forge::github ? "github" : "gitea";
}

HookExpected<Delivery> parse_delivery(const HeaderLookup& headers, std::string_view body) {
  const ForgeHeaders* forge = forge_headers(headers);
  if (!forge)
    return reject(400,
                  "not a webhook delivery: no X-GitHub-Event, X-Gitea-Event or "
                  "X-Forgejo-Event header");
  Delivery delivery;
  delivery.forge = forge->forge;
  delivery.event = std::string(headers(forge->event));
  delivery.id = std::string(headers(forge->delivery));
  if (!safe_token(delivery.event, 64))
    return reject(400, "the " + std::string(forge->event) + " header is malformed");
  if (delivery.id.empty())
    return reject(400, "the delivery has no " + std::string(forge->delivery) + " header");
  if (!safe_token(delivery.id, 128))
    return reject(400, "the " + std::string(forge->delivery) + " header is malformed");
  auto payload = parse_payload(body);
  if (!payload) return std::unexpected(payload.error());
  delivery.repo_full_name = text_at(*payload, {"repository", "full_name"});
  return delivery;
}

bool verify_signature(std::string_view secret, std::string_view body, const Delivery& delivery,
                      const HeaderLookup& headers) {
  if (secret.empty()) return false;
  std::string_view signature;
  std::string_view prefix;
  for (const ForgeHeaders& row : k_forge_headers) {
    if (row.forge != delivery.forge) continue;
    signature = headers(row.signature);
    prefix = row.signature_prefix;
    if (!signature.empty()) break;
  }
  if (!signature.starts_with(prefix)) return false;  // e.g. GitHub's sha1= in the -256 header
  signature.remove_prefix(prefix.size());
  std::array<unsigned char, 32> given{};
  if (signature.size() != 2 * given.size()) return false;
  for (size_t i = 0; i < given.size(); ++i) {
    int hi = hex_value(signature[2 * i]), lo = hex_value(signature[2 * i + 1]);
    if (hi < 0 || lo < 0) return false;
    given[i] = static_cast<unsigned char>(hi * 16 + lo);
  }
  std::array<unsigned char, EVP_MAX_MD_SIZE> expected{};
  unsigned int length = 0;
  if (!HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
            reinterpret_cast<const unsigned char*>(body.data()), body.size(), expected.data(),
            &length) ||
      length != given.size())
    return false;
  return CRYPTO_memcmp(expected.data(), given.data(), given.size()) == 0;
}

HookExpected<Trigger> trigger_from_delivery(const Delivery& delivery, std::string_view body) {
  auto payload = parse_payload(body);
  if (!payload) return std::unexpected(payload.error());
  Trigger trigger;
  trigger.event = delivery.event;
  trigger.payload =
      delivery.forge == Forge::gitea ? normalise_gitea(delivery.event, *payload) : *payload;
  for (const EventRow& row : k_events)
    if (row.name == delivery.event) return row.handler(delivery, std::move(trigger));
  trigger.ignored = "event '" + delivery.event +
                    "' starts nothing here (runs come from push, pull_request, release, "
                    "create and delete)";
  return trigger;
}

std::optional<Trigger> pull_request_target_of(const Trigger& pull_request) {
  if (pull_request.event != "pull_request" || !pull_request.ignored.empty()) return std::nullopt;
  std::string base = text_at(pull_request.payload, {"pull_request", "base", "ref"});
  if (base.empty()) return std::nullopt;
  Trigger target;
  target.event = "pull_request_target";
  target.payload = pull_request.payload;
  target.ref = "refs/heads/" + base;
  target.head_sha = pull_request.head_sha;
  return target;
}

}  // namespace pipewright::server
