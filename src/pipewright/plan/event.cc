#include "pipewright/plan/event.h"

#include <fmt/format.h>

#include "pipewright/expr/json.h"
#include "pipewright/os/file.h"

namespace pipewright::plan {
namespace {

constexpr size_t k_max_event_file = 16u << 20;
constexpr size_t k_max_payload_commits = 20;  // GitHub lists at most 20 commits in a push
constexpr size_t k_max_diff_commits = 1000;   // beyond this, path filters are not applied

using expr::Object;
using expr::Value;

// The string at `key` of an object (case-insensitive), or "".
std::string member_string(const Value& object, std::string_view key) {
  const Value* v = object.member(key);
  return v && v->kind() == expr::Kind::string ? v->as_string() : std::string();
}

// payload.<a>.<b>... as a string, or "".
std::string path_string(const Value& payload, std::initializer_list<std::string_view> keys) {
  const Value* v = &payload;
  for (std::string_view key : keys) {
    v = v->member(key);
    if (!v) return {};
  }
  return v->kind() == expr::Kind::string ? v->as_string() : std::string();
}

Value user_payload(const RepositoryInfo& info) {
  Object user;
  user.set("login", info.actor);
  user.set("name", info.actor);
  if (!info.actor_email.empty()) user.set("email", info.actor_email);
  user.set("type", "User");
  return Value(std::move(user));
}

Value commit_payload(const RepositoryInfo& info, const CommitInfo& commit) {
  Object author;
  author.set("name", commit.author_name);
  author.set("email", commit.author_email);
  Object committer;
  committer.set("name", commit.committer_name);
  committer.set("email", commit.committer_email);
  Object out;
  out.set("id", commit.sha);
  out.set("tree_id", commit.tree_sha);
  out.set("distinct", true);
  out.set("message", commit.message);
  out.set("timestamp", commit.timestamp());
  out.set("url", fmt::format("{}/{}/commit/{}", info.server_url, info.repository, commit.sha));
  out.set("author", Value(std::move(author)));
  out.set("committer", Value(std::move(committer)));
  return Value(std::move(out));
}

// "refs/heads/x" for a short name, or the tag at HEAD when `name` is one; full refs as is.
std::string qualify_ref(const RepositoryInfo& info, const std::string& name) {
  if (name.starts_with("refs/")) return name;
  for (const std::string& tag : info.head_tags) {
    if (tag == name) return "refs/tags/" + name;
  }
  return "refs/heads/" + name;
}

std::string strip_ref(std::string_view ref) {
  for (std::string_view prefix : {"refs/heads/", "refs/tags/"}) {
    if (ref.starts_with(prefix)) return std::string(ref.substr(prefix.size()));
  }
  return std::string(ref);
}

// The sha of `revision`, or "" when it does not resolve.
std::string try_resolve(const Repository& repository, const std::string& revision) {
  if (revision.empty()) return {};
  auto sha = repository.resolve(revision);
  return sha ? *sha : std::string();
}

std::optional<ChangedFiles> try_changed(const Repository& repository, const std::string& from,
                                        const std::string& to, DiffMode mode) {
  if (!repository.info().is_git || to.empty() || to == k_zero_sha) return std::nullopt;
  auto changed = repository.changed_files(from.empty() ? std::string(k_zero_sha) : from, to, mode);
  if (!changed) return std::nullopt;  // unknown commits: like a diff timeout, filters pass
  return std::move(*changed);
}

bool is_pull_request_event(std::string_view name) {
  return name == "pull_request" || name == "pull_request_target" || name == "pull_request_review" ||
         name == "pull_request_review_comment";
}

Value inputs_object(const std::vector<std::pair<std::string, std::string>>& inputs) {
  Object out;
  for (const auto& [key, value] : inputs)
    out.set(key, value);
  return Value(std::move(out));
}

// What the payload does not say: the ref and sha the event falls back to.
struct Fallback {
  std::string ref;
  std::string sha;
  // Events other than push and pull_request: github.sha is the commit `ref` points at
  // in the repository (a webhook's); otherwise `sha` (a local run's HEAD).
  bool resolve_ref = false;
};

// github.ref of an event other than push and pull_request, from its payload ("" when
// the payload says none: the fallback). GitHub: release → its tag, create → the
// branch or tag created, delete → the default branch, others → payload.ref if any.
std::string other_ref(std::string_view name, const Value& payload) {
  if (name == "release") {
    std::string tag = path_string(payload, {"release", "tag_name"});
    return tag.empty() || tag.starts_with("refs/") ? tag : "refs/tags/" + tag;
  }
  if (name == "delete") return {};
  std::string ref = member_string(payload, "ref");
  if (name == "create" && !ref.empty() && !ref.starts_with("refs/"))
    return (member_string(payload, "ref_type") == "tag" ? "refs/tags/" : "refs/heads/") + ref;
  return ref;
}

void derive_push(Event& event, const Repository& repository, const Fallback& fallback) {
  const Value& p = event.payload;
  event.ref = member_string(p, "ref");
  if (event.ref.empty()) event.ref = fallback.ref;
  event.sha = member_string(p, "after");
  if (event.sha.empty()) event.sha = fallback.sha;
  std::string before_sha = member_string(p, "before");
  if (before_sha.empty()) before_sha = std::string(k_zero_sha);
  // Only when both ends are known commits (a deletion's `after` is the zero sha).
  event.changed_files = try_changed(repository, before_sha, event.sha, DiffMode::two_dot);
  // More than 1,000 commits: GitHub does not filter on paths (the workflow runs).
  if (event.changed_files) {
    auto commits = repository.commits_between(before_sha, event.sha, k_max_diff_commits + 1);
    if (!commits || commits->size() > k_max_diff_commits) event.changed_files.reset();
  }
}

void derive_pull_request(Event& event, const Repository& repository, const Fallback& fallback) {
  const Value& p = event.payload;
  event.head_ref = path_string(p, {"pull_request", "head", "ref"});
  event.base_ref = path_string(p, {"pull_request", "base", "ref"});
  std::string head_sha = path_string(p, {"pull_request", "head", "sha"});
  std::string base_sha = path_string(p, {"pull_request", "base", "sha"});
  const Value* number = p.member("number");
  std::string pr = number ? number->to_display_string() : std::string("1");
  if (event.name == "pull_request_target") {
    event.ref = "refs/heads/" + event.base_ref;
    event.sha = base_sha.empty() ? fallback.sha : base_sha;
  } else {
    event.ref = "refs/pull/" + pr + "/merge";
    event.sha = head_sha.empty() ? fallback.sha : head_sha;
  }
  event.changed_files = try_changed(repository, base_sha, head_sha, DiffMode::three_dot);
}

void derive_other(Event& event, const Repository& repository, const Fallback& fallback) {
  event.ref = other_ref(event.name, event.payload);
  if (event.ref.empty()) event.ref = fallback.ref;
  if (fallback.resolve_ref) event.sha = try_resolve(repository, event.ref);
  if (event.sha.empty()) event.sha = fallback.sha;
}

// The facts triggers and contexts need, from the final payload: one derivation for
// local runs (after the merge) and webhook deliveries.
void derive(Event& event, const Repository& repository, const Fallback& fallback) {
  if (event.name == "push")
    derive_push(event, repository, fallback);
  else if (is_pull_request_event(event.name))
    derive_pull_request(event, repository, fallback);
  else
    derive_other(event, repository, fallback);
  event.action = member_string(event.payload, "action");
}

// The push event: synthesized, then the file's payload over it.
Event build_push(const EventOptions& options, const Repository& repository, const Value& file) {
  const RepositoryInfo& info = repository.info();
  std::string ref = member_string(file, "ref");
  if (ref.empty() && !options.ref.empty()) ref = qualify_ref(info, options.ref);
  if (ref.empty()) {
    // A detached HEAD exactly at a tag is a tag push; otherwise the current branch.
    bool at_tag = info.branch.empty() && !info.head_tags.empty();
    ref = info.ref_for(at_tag ? RefType::tag : RefType::branch);
  }
  std::string after = member_string(file, "after");
  if (after.empty()) after = info.sha;
  std::string before = member_string(file, "before");
  if (before.empty()) {
    before = std::string(k_zero_sha);
    if (info.is_git && after != k_zero_sha) {
      if (auto parent = repository.parent(after)) before = *parent;
    }
  }
  Event event;
  event.name = options.name;
  event.payload = merge_payload(push_payload(repository, ref, before, after), file);
  derive(event, repository, Fallback{ref, after});
  return event;
}

Event build_pull_request(const EventOptions& options, const Repository& repository,
                         const Value& file) {
  const RepositoryInfo& info = repository.info();
  std::string head = path_string(file, {"pull_request", "head", "ref"});
  std::string base = path_string(file, {"pull_request", "base", "ref"});
  if (head.empty()) head = info.branch.empty() ? info.default_branch : info.branch;
  if (base.empty()) base = info.default_branch;
  Event event;
  event.name = options.name;
  event.payload = merge_payload(pull_request_payload(repository, head, base), file);
  derive(event, repository, Fallback{"", info.sha});
  return event;
}

Event build_other(const EventOptions& options, const Repository& repository, const Value& file) {
  const RepositoryInfo& info = repository.info();
  Object synth;
  std::string ref;
  if (options.name == "workflow_dispatch") {
    ref = options.ref.empty() ? info.ref_for(RefType::branch) : qualify_ref(info, options.ref);
    synth.set("ref", ref);
    synth.set("inputs", Value(Object()));
  } else {
    // Most events run on the default branch (schedule, issues, release, ...).
    ref =
        options.ref.empty() ? "refs/heads/" + info.default_branch : qualify_ref(info, options.ref);
  }
  synth.set("repository", repository_payload(info));
  synth.set("sender", user_payload(info));
  Value payload = merge_payload(Value(std::move(synth)), file);
  if (!options.inputs.empty()) {
    // Explicit --input values win over the file's.
    Object with_inputs;
    with_inputs.set("inputs", inputs_object(options.inputs));
    payload = merge_payload(payload, Value(std::move(with_inputs)));
  }
  Event event;
  event.name = options.name;
  event.payload = std::move(payload);
  derive(event, repository, Fallback{ref, info.sha});
  return event;
}

}  // namespace

std::string Event::ref_name() const {
  if (ref.starts_with("refs/pull/")) return ref.substr(10);
  return strip_ref(ref);
}

RefType Event::ref_type() const {
  return ref.starts_with("refs/tags/") ? RefType::tag : RefType::branch;
}

util::Expected<expr::Value> read_event_file(const std::string& path) {
  PW_TRY(text, os::read_file(path, k_max_event_file));
  auto value = expr::parse_json(text);
  if (!value) return util::fail(fmt::format("{}: invalid JSON: {}", path, value.error()));
  if (value->kind() != expr::Kind::object) {
    return util::fail(fmt::format("{}: the event payload must be a JSON object", path));
  }
  return std::move(*value);
}

expr::Value merge_payload(const expr::Value& base, const expr::Value& overlay) {
  if (base.kind() != expr::Kind::object || overlay.kind() != expr::Kind::object) {
    return overlay;
  }
  Object out = base.as_object();
  for (const auto& [key, value] : overlay.as_object()) {
    const Value* existing = out.find(key);
    out.set(key, existing ? merge_payload(*existing, value) : value);
  }
  return Value(std::move(out));
}

expr::Value repository_payload(const RepositoryInfo& info) {
  std::string name = info.repository.substr(info.repository.find('/') + 1);
  Object owner;
  owner.set("login", info.repository_owner);
  owner.set("name", info.repository_owner);
  Object repo;
  repo.set("name", name);
  repo.set("full_name", info.repository);
  repo.set("owner", Value(std::move(owner)));
  repo.set("private", true);
  repo.set("fork", false);
  repo.set("html_url", info.server_url + "/" + info.repository);
  repo.set("clone_url", info.server_url + "/" + info.repository + ".git");
  repo.set("default_branch", info.default_branch);
  repo.set("master_branch", info.default_branch);
  return Value(std::move(repo));
}

expr::Value push_payload(const Repository& repository, const std::string& ref,
                         const std::string& before, const std::string& after) {
  const RepositoryInfo& info = repository.info();
  expr::Array commits;
  Value head_commit;
  if (info.is_git && after != k_zero_sha) {
    auto list = repository.commits_between(before, after, k_max_payload_commits);
    if (!list) list = repository.commits_between(std::string(k_zero_sha), after, 1);
    if (list) {
      for (const CommitInfo& c : *list)
        commits.push_back(commit_payload(info, c));
    }
    if (auto head = repository.commit(after)) head_commit = commit_payload(info, *head);
  }
  Object pusher;
  pusher.set("name", info.actor);
  pusher.set("email", info.actor_email);
  Object out;
  out.set("ref", ref);
  out.set("before", before);
  out.set("after", after);
  out.set("created", before == k_zero_sha);
  out.set("deleted", false);
  out.set("forced", false);
  out.set("base_ref", Value());
  out.set("compare", fmt::format("{}/{}/compare/{}...{}", info.server_url, info.repository,
                                 before.substr(0, 12), after.substr(0, 12)));
  out.set("commits", Value(std::move(commits)));
  out.set("head_commit", head_commit);
  out.set("repository", repository_payload(info));
  out.set("pusher", Value(std::move(pusher)));
  out.set("sender", user_payload(info));
  return Value(std::move(out));
}

expr::Value pull_request_payload(const Repository& repository, const std::string& head_branch,
                                 const std::string& base_branch) {
  const RepositoryInfo& info = repository.info();
  std::string head_sha = try_resolve(repository, "refs/heads/" + head_branch);
  if (head_sha.empty() || head_branch == info.branch) head_sha = info.sha;
  std::string base_sha = try_resolve(repository, "refs/heads/" + base_branch);
  if (base_sha.empty()) base_sha = try_resolve(repository, "refs/remotes/origin/" + base_branch);
  if (base_sha.empty()) base_sha = head_sha;
  std::string title = "Local changes";
  if (auto head = info.is_git ? repository.commit(head_sha) : util::fail("not git")) {
    title = head->message.substr(0, head->message.find('\n'));
  }
  auto side = [&](const std::string& ref, const std::string& sha) {
    Object o;
    o.set("ref", ref);
    o.set("sha", sha);
    o.set("label", info.repository_owner + ":" + ref);
    o.set("repo", repository_payload(info));
    o.set("user", user_payload(info));
    return Value(std::move(o));
  };
  Object pr;
  pr.set("number", 1);
  pr.set("state", "open");
  pr.set("title", title);
  pr.set("body", Value());
  pr.set("draft", false);
  pr.set("merged", false);
  pr.set("user", user_payload(info));
  pr.set("head", side(head_branch, head_sha));
  pr.set("base", side(base_branch, base_sha));
  pr.set("html_url", info.server_url + "/" + info.repository + "/pull/1");
  pr.set("labels", Value(expr::Array()));
  Object out;
  out.set("action", "opened");
  out.set("number", 1);
  out.set("pull_request", Value(std::move(pr)));
  out.set("repository", repository_payload(info));
  out.set("sender", user_payload(info));
  return Value(std::move(out));
}

util::Expected<Event> build_event(const EventOptions& options, const Repository& repository) {
  Value file = Value(Object());
  if (!options.event_path.empty()) {
    PW_TRY(read, read_event_file(options.event_path));
    file = std::move(read);
  }
  if (options.name == "push") return build_push(options, repository, file);
  if (is_pull_request_event(options.name)) return build_pull_request(options, repository, file);
  return build_other(options, repository, file);
}

util::Expected<Event> event_from_payload(const std::string& name, const expr::Value& payload,
                                         const Repository& repository) {
  if (payload.kind() != expr::Kind::object)
    return util::fail(fmt::format("the {} payload must be a JSON object", name));
  const RepositoryInfo& info = repository.info();
  Event event;
  event.name = name;
  event.payload = payload;
  Fallback fallback{"refs/heads/" + info.default_branch, info.sha, true};
  // A payload without a sha runs at the default branch's head, as GitHub's schedule does.
  if (std::string head = try_resolve(repository, fallback.ref); !head.empty()) fallback.sha = head;
  derive(event, repository, fallback);
  return event;
}

}  // namespace pipewright::plan
