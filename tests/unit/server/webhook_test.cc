#include "pipewright/server/webhook.h"

#include <map>

#include <gtest/gtest.h>

#include "pipewright/expr/json.h"

namespace pipewright::server {
namespace {

// Headers as a case-insensitive map, like an HTTP request's.
struct Headers {
  std::map<std::string, std::string> values;
  Headers(std::initializer_list<std::pair<const std::string, std::string>> list) {
    for (const auto& [k, v] : list)
      set(k, v);
  }
  void set(std::string name, std::string value) { values[lower(std::move(name))] = value; }
  void erase(const std::string& name) { values.erase(lower(name)); }
  static std::string lower(std::string s) {
    for (char& c : s)
      c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
  }
  HeaderLookup lookup() const {
    return [this](std::string_view name) -> std::string_view {
      auto it = values.find(lower(std::string(name)));
      return it == values.end() ? std::string_view() : std::string_view(it->second);
    };
  }
};

// GitHub's documented test vector (docs "Validating webhook deliveries").
constexpr const char* k_doc_secret = "It's a Secret to Everybody";
constexpr const char* k_doc_body = "Hello, World!";
constexpr const char* k_doc_hex =
    "757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";

constexpr const char* k_before = "6113728f27ae82c7b1a177c8d03f9e96e0adf246";
constexpr const char* k_after = "0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c";
constexpr const char* k_zero = "0000000000000000000000000000000000000000";

// A GitHub push payload as GitHub sends it (fields workflows read; trimmed).
std::string github_push(const std::string& ref, const std::string& after, bool deleted) {
  return std::string(R"({"ref":")") + ref + R"(","before":")" + k_before + R"(","after":")" +
         after + R"(","created":false,"deleted":)" + (deleted ? "true" : "false") +
         R"(,"forced":false,"base_ref":null,)"
         R"("compare":"https://github.com/acme/api/compare/6113728f27ae...0d1a26e67d8f",)"
         R"("commits":[{"id":"0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c","message":"Fix the build",)"
         R"("author":{"name":"Mona Octocat","email":"mona@example.com","username":"octocat"},)"
         R"("added":[],"removed":[],"modified":["src/main.c"]}],)"
         R"("head_commit":{"id":"0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c"},)"
         R"("repository":{"id":1296269,"name":"api","full_name":"acme/api",)"
         R"("owner":{"login":"acme"},"default_branch":"main"},)"
         R"("pusher":{"name":"octocat","email":"mona@example.com"},)"
         R"("sender":{"login":"octocat","id":1}})";
}

std::string github_pull_request(const std::string& action, const std::string& merge_sha) {
  std::string merge = merge_sha.empty() ? "null" : "\"" + merge_sha + "\"";
  return R"({"action":")" + action +
         R"(","number":42,"pull_request":{"number":42,)"
         R"("state":"open","title":"Add retries","merge_commit_sha":)" +
         merge + R"(,"head":{"ref":"feature/retries","sha":")" + k_after +
         R"(","repo":{"full_name":"acme/api"}},"base":{"ref":"main","sha":")" + k_before +
         R"("}},"repository":{"full_name":"acme/api"},"sender":{"login":"octocat"}})";
}

Delivery github_delivery(const std::string& event) {
  return Delivery{"72d3162e-cc78-11e3-81ab-4c9367dc0958", event, Forge::github, "acme/api"};
}
Delivery gitea_delivery(const std::string& event) {
  return Delivery{"f6266f16-1bf3-46a5-9ea4-602e06ead473", event, Forge::gitea, "gitea/webhooks"};
}

// ---- parse_delivery -------------------------------------------------------------------

TEST(WebhookTest, ParsesGitHubHeadersCaseInsensitively) {
  Headers h{{"x-github-event", "push"}, {"X-GITHUB-DELIVERY", "72d3162e-cc78-11e3"}};
  auto d = parse_delivery(h.lookup(), github_push("refs/heads/main", k_after, false));
  ASSERT_TRUE(d) << d.error().message;
  EXPECT_EQ(d->forge, Forge::github);
  EXPECT_EQ(d->event, "push");
  EXPECT_EQ(d->id, "72d3162e-cc78-11e3");
  EXPECT_EQ(d->repo_full_name, "acme/api");
}

TEST(WebhookTest, GiteaAndForgejoWinOverTheGitHubHeadersTheyAlsoSend) {
  // Gitea sends X-GitHub-* as well; Forgejo sends X-Gitea-* as well.
  Headers gitea{{"X-GitHub-Event", "push"},
                {"X-GitHub-Delivery", "g1"},
                {"X-Gitea-Event", "push"},
                {"X-Gitea-Delivery", "g1"}};
  auto d = parse_delivery(gitea.lookup(), R"({"repository":{"full_name":"o/r"}})");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->forge, Forge::gitea);
  EXPECT_EQ(forge_name(d->forge), "gitea");
  Headers forgejo{{"X-Gitea-Event", "push"},
                  {"X-Gitea-Delivery", "f1"},
                  {"X-Forgejo-Event", "push"},
                  {"X-Forgejo-Delivery", "f1"}};
  d = parse_delivery(forgejo.lookup(), "{}");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->forge, Forge::gitea);
  EXPECT_EQ(d->id, "f1");
  EXPECT_EQ(d->repo_full_name, "");
}

TEST(WebhookTest, MissingHeadersOrBadBodyAre400) {
  Headers none{{"Content-Type", "application/json"}};
  auto d = parse_delivery(none.lookup(), "{}");
  ASSERT_FALSE(d);
  EXPECT_EQ(d.error().status, 400);
  EXPECT_NE(d.error().message.find("X-GitHub-Event"), std::string::npos);

  Headers no_id{{"X-GitHub-Event", "push"}};
  d = parse_delivery(no_id.lookup(), "{}");
  ASSERT_FALSE(d);
  EXPECT_EQ(d.error().status, 400);
  EXPECT_NE(d.error().message.find("X-GitHub-Delivery"), std::string::npos);

  Headers crlf{{"X-GitHub-Event", "push"}, {"X-GitHub-Delivery", "a\r\nX-Evil: 1"}};
  EXPECT_EQ(parse_delivery(crlf.lookup(), "{}").error().status, 400);
  Headers long_id{{"X-GitHub-Event", "push"}, {"X-GitHub-Delivery", std::string(500, 'a')}};
  EXPECT_EQ(parse_delivery(long_id.lookup(), "{}").error().status, 400);

  Headers ok{{"X-GitHub-Event", "push"}, {"X-GitHub-Delivery", "d1"}};
  for (const char* body : {"", "not json", "[1,2]", "\"text\"", "{\"ref\":"}) {
    auto bad = parse_delivery(ok.lookup(), body);
    ASSERT_FALSE(bad) << body;
    EXPECT_EQ(bad.error().status, 400) << body;
  }
}

TEST(WebhookTest, DeeplyNestedBodiesAreRefusedBeforeParsing) {
  // Millions of levels crashed the process (recursive destruction) before the signature
  // was even checked.
  Headers h{{"X-GitHub-Event", "push"}, {"X-GitHub-Delivery", "d1"}};
  std::string deep = "{\"a\":" + std::string(5'000'000, '[') + std::string(5'000'000, ']') + "}";
  auto d = parse_delivery(h.lookup(), deep);
  ASSERT_FALSE(d);
  EXPECT_EQ(d.error().status, 400);
  EXPECT_NE(d.error().message.find("nests deeper"), std::string::npos);
  EXPECT_FALSE(trigger_from_delivery(github_delivery("push"), deep));
  // Brackets inside strings do not count; ordinary nesting is fine.
  std::string strings =
      R"({"repository":{"full_name":"o/r"},"x":")" + std::string(1000, '[') + R"(\"[[["})";
  EXPECT_TRUE(parse_delivery(h.lookup(), strings));
  std::string fifty = "{\"a\":" + std::string(50, '[') + std::string(50, ']') + "}";
  EXPECT_TRUE(parse_delivery(h.lookup(), fifty));
}

TEST(WebhookTest, FormEncodedBodiesAreRead) {
  // GitHub's "application/x-www-form-urlencoded" content type: payload=<url-encoded JSON>.
  Headers h{{"X-GitHub-Event", "ping"}, {"X-GitHub-Delivery", "d1"}};
  std::string body =
      "payload=%7B%22zen%22%3A%22Keep+it+logically+awesome.%22%2C%22hook_id%22%3A7"
      "%2C%22repository%22%3A%7B%22full_name%22%3A%22acme%2Fapi%22%7D%7D";
  auto d = parse_delivery(h.lookup(), body);
  ASSERT_TRUE(d) << d.error().message;
  EXPECT_EQ(d->repo_full_name, "acme/api");
  auto t = trigger_from_delivery(*d, body);
  ASSERT_TRUE(t);
  EXPECT_EQ(t->ignored, "ping from hook 7: answered, starts nothing");
}

// ---- verify_signature -----------------------------------------------------------------

TEST(WebhookTest, GitHubSignatureMatchesTheDocumentedVector) {
  Headers h{{"X-GitHub-Event", "push"},
            {"X-GitHub-Delivery", "d1"},
            {"X-Hub-Signature-256", std::string("sha256=") + k_doc_hex}};
  Delivery d = github_delivery("push");
  EXPECT_TRUE(verify_signature(k_doc_secret, k_doc_body, d, h.lookup()));
  // Upper-case hex is the same digest.
  std::string upper = k_doc_hex;
  for (char& c : upper)
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  h.set("X-Hub-Signature-256", "sha256=" + upper);
  EXPECT_TRUE(verify_signature(k_doc_secret, k_doc_body, d, h.lookup()));
}

TEST(WebhookTest, BadSignaturesFail) {
  Delivery d = github_delivery("push");
  Headers h{{"X-Hub-Signature-256", std::string("sha256=") + k_doc_hex}};
  EXPECT_FALSE(verify_signature("another secret", k_doc_body, d, h.lookup()));
  EXPECT_FALSE(verify_signature(k_doc_secret, "Hello, World?", d, h.lookup()));
  EXPECT_FALSE(verify_signature("", k_doc_body, d, h.lookup()));

  std::string flipped = k_doc_hex;
  flipped.back() = '8';
  h.set("X-Hub-Signature-256", "sha256=" + flipped);
  EXPECT_FALSE(verify_signature(k_doc_secret, k_doc_body, d, h.lookup()));
}

TEST(WebhookTest, MissingSignatureFails) {
  Delivery d = github_delivery("push");
  Headers none{{"X-GitHub-Event", "push"}};
  EXPECT_FALSE(verify_signature(k_doc_secret, k_doc_body, d, none.lookup()));
  // Only the SHA-1 header (X-Hub-Signature) is not enough.
  Headers sha1{{"X-Hub-Signature", "sha1=01dc10d0c83e72ed246219cdd91669667fe2ca59"}};
  EXPECT_FALSE(verify_signature(k_doc_secret, k_doc_body, d, sha1.lookup()));
  Headers empty{{"X-Hub-Signature-256", ""}};
  EXPECT_FALSE(verify_signature(k_doc_secret, k_doc_body, d, empty.lookup()));
}

TEST(WebhookTest, WrongAlgorithmPrefixFails) {
  Delivery d = github_delivery("push");
  for (std::string value : {std::string("sha1=") + k_doc_hex, std::string(k_doc_hex),
                            std::string("SHA256=") + k_doc_hex, std::string("sha512=") + k_doc_hex,
                            std::string(" sha256=") + k_doc_hex}) {
    Headers h{{"X-Hub-Signature-256", value}};
    EXPECT_FALSE(verify_signature(k_doc_secret, k_doc_body, d, h.lookup())) << value;
  }
}

TEST(WebhookTest, LengthMismatchOrNonHexFails) {
  Delivery d = github_delivery("push");
  std::string hex = k_doc_hex;
  for (std::string value : {hex.substr(0, 63), hex.substr(0, 62), hex + "0", hex + "00", hex + hex,
                            hex.substr(0, 62) + "zz", std::string()}) {
    Headers h{{"X-Hub-Signature-256", "sha256=" + value}};
    EXPECT_FALSE(verify_signature(k_doc_secret, k_doc_body, d, h.lookup())) << value;
  }
}

TEST(WebhookTest, GiteaAndForgejoSignaturesAreBareHex) {
  Delivery d = gitea_delivery("push");
  Headers gitea{{"X-Gitea-Signature", k_doc_hex}};
  EXPECT_TRUE(verify_signature(k_doc_secret, k_doc_body, d, gitea.lookup()));
  Headers forgejo{{"X-Forgejo-Signature", k_doc_hex}};
  EXPECT_TRUE(verify_signature(k_doc_secret, k_doc_body, d, forgejo.lookup()));
  Headers prefixed{{"X-Gitea-Signature", std::string("sha256=") + k_doc_hex}};
  EXPECT_FALSE(verify_signature(k_doc_secret, k_doc_body, d, prefixed.lookup()));
  Headers wrong{{"X-Gitea-Signature", k_doc_hex}};
  EXPECT_FALSE(verify_signature("other", k_doc_body, d, wrong.lookup()));
  // A Gitea delivery is not accepted on the strength of GitHub's header alone.
  Headers github_only{{"X-Hub-Signature-256", std::string("sha256=") + k_doc_hex}};
  EXPECT_FALSE(verify_signature(k_doc_secret, k_doc_body, d, github_only.lookup()));
  Headers empty{{"X-Gitea-Signature", ""}};  // Gitea sends "" when the hook has no secret
  EXPECT_FALSE(verify_signature(k_doc_secret, k_doc_body, d, empty.lookup()));
}

// ---- trigger_from_delivery: GitHub ------------------------------------------------------

TEST(WebhookTest, GitHubPushRunsAtAfter) {
  auto t = trigger_from_delivery(github_delivery("push"),
                                 github_push("refs/heads/main", k_after, false));
  ASSERT_TRUE(t) << t.error().message;
  EXPECT_EQ(t->ignored, "");
  EXPECT_EQ(t->event, "push");
  EXPECT_EQ(t->ref, "refs/heads/main");
  EXPECT_EQ(t->sha, k_after);
  EXPECT_EQ(t->before, k_before);
  EXPECT_EQ(t->payload.member("head_commit")->member("id")->as_string(), k_after);
  EXPECT_EQ(t->payload.member("repository")->member("full_name")->as_string(), "acme/api");
}

TEST(WebhookTest, GitHubTagPushRuns) {
  auto t = trigger_from_delivery(github_delivery("push"),
                                 github_push("refs/tags/v1.2.0", k_after, false));
  ASSERT_TRUE(t);
  EXPECT_EQ(t->ignored, "");
  EXPECT_EQ(t->ref, "refs/tags/v1.2.0");
}

TEST(WebhookTest, PushDeletingABranchOrTagStartsNothing) {
  auto branch = trigger_from_delivery(github_delivery("push"),
                                      github_push("refs/heads/old-feature", k_zero, true));
  ASSERT_TRUE(branch);
  EXPECT_EQ(branch->ignored,
            "push deleting refs/heads/old-feature: GitHub runs no workflow for a deletion");
  auto tag =
      trigger_from_delivery(github_delivery("push"), github_push("refs/tags/v0.9", k_zero, true));
  ASSERT_TRUE(tag);
  EXPECT_NE(tag->ignored, "");
}

TEST(WebhookTest, PushWithoutRefOrAfterIs400) {
  auto t = trigger_from_delivery(github_delivery("push"), R"({"after":"abc"})");
  ASSERT_FALSE(t);
  EXPECT_EQ(t.error().status, 400);
  t = trigger_from_delivery(github_delivery("push"), R"({"ref":"refs/heads/main"})");
  ASSERT_FALSE(t);
  t = trigger_from_delivery(github_delivery("push"), R"({"ref":"main","after":"abc"})");
  ASSERT_FALSE(t);
}

TEST(WebhookTest, GitHubPullRequestRunsAtTheMergeRef) {
  std::string merge = "e9b1f4c6a0c2b1d5e8f3a7b6c5d4e3f2a1b0c9d8";
  for (const char* action : {"opened", "synchronize", "labeled", "closed"}) {
    auto t =
        trigger_from_delivery(github_delivery("pull_request"), github_pull_request(action, merge));
    ASSERT_TRUE(t) << t.error().message;
    EXPECT_EQ(t->ignored, "") << action;
    EXPECT_EQ(t->event, "pull_request");
    EXPECT_EQ(t->ref, "refs/pull/42/merge");
    EXPECT_EQ(t->sha, merge);
    EXPECT_EQ(t->head_sha, k_after);
    EXPECT_EQ(t->payload.member("action")->as_string(), action);
  }
  // No merge commit yet (merge_commit_sha: null): the head.
  auto t =
      trigger_from_delivery(github_delivery("pull_request"), github_pull_request("opened", ""));
  ASSERT_TRUE(t);
  EXPECT_EQ(t->sha, k_after);
}

TEST(WebhookTest, PullRequestActivityAlsoStandsForPullRequestTargetOnTheBase) {
  auto pr =
      trigger_from_delivery(github_delivery("pull_request"), github_pull_request("opened", ""));
  ASSERT_TRUE(pr);
  auto target = pull_request_target_of(*pr);
  ASSERT_TRUE(target);
  EXPECT_EQ(target->event, "pull_request_target");
  EXPECT_EQ(target->ref, "refs/heads/main");
  EXPECT_EQ(target->sha, "");  // the base branch's head, resolved by the server
  EXPECT_EQ(target->head_sha, k_after);
  EXPECT_EQ(target->payload.member("number")->as_number(), 42);
  EXPECT_EQ(target->ignored, "");
  auto push = trigger_from_delivery(github_delivery("push"),
                                    github_push("refs/heads/main", k_after, false));
  ASSERT_TRUE(push);
  EXPECT_FALSE(pull_request_target_of(*push));
  auto no_base = trigger_from_delivery(
      github_delivery("pull_request"),
      R"({"action":"opened","number":1,"pull_request":{"head":{"sha":"abc"}}})");
  ASSERT_TRUE(no_base);
  EXPECT_FALSE(pull_request_target_of(*no_base));
}

TEST(WebhookTest, PullRequestWithoutNumberOrHeadIs400) {
  auto t = trigger_from_delivery(github_delivery("pull_request"),
                                 R"({"action":"opened","pull_request":{"head":{"sha":"abc"}}})");
  ASSERT_FALSE(t);
  EXPECT_EQ(t.error().status, 400);
  t = trigger_from_delivery(github_delivery("pull_request"),
                            R"({"action":"opened","number":3,"pull_request":{}})");
  ASSERT_FALSE(t);
  t = trigger_from_delivery(github_delivery("pull_request"),
                            R"({"number":-3,"pull_request":{"head":{"sha":"abc"}}})");
  ASSERT_FALSE(t);
}

TEST(WebhookTest, ReleaseRunsAtItsTag) {
  auto t = trigger_from_delivery(
      github_delivery("release"),
      R"({"action":"published","release":{"id":1,"tag_name":"v2.0.0","target_commitish":"main",)"
      R"("name":"v2.0.0","draft":false,"prerelease":false},"repository":{"full_name":"acme/api"}})");
  ASSERT_TRUE(t) << t.error().message;
  EXPECT_EQ(t->ignored, "");
  EXPECT_EQ(t->event, "release");
  EXPECT_EQ(t->ref, "refs/tags/v2.0.0");
  EXPECT_EQ(t->sha, "");
  EXPECT_FALSE(trigger_from_delivery(github_delivery("release"), R"({"release":{}})"));
}

TEST(WebhookTest, CreateRunsAtTheNewRefAndDeleteAtTheDefaultBranch) {
  auto branch = trigger_from_delivery(
      github_delivery("create"),
      R"({"ref":"feature/x","ref_type":"branch","master_branch":"main","pusher_type":"user"})");
  ASSERT_TRUE(branch);
  EXPECT_EQ(branch->ignored, "");
  EXPECT_EQ(branch->ref, "refs/heads/feature/x");
  EXPECT_EQ(branch->sha, "");
  auto tag = trigger_from_delivery(github_delivery("create"), R"({"ref":"v3","ref_type":"tag"})");
  ASSERT_TRUE(tag);
  EXPECT_EQ(tag->ref, "refs/tags/v3");
  auto repo =
      trigger_from_delivery(github_delivery("create"), R"({"ref":"x","ref_type":"repository"})");
  ASSERT_TRUE(repo);
  EXPECT_NE(repo->ignored, "");

  auto del = trigger_from_delivery(
      github_delivery("delete"), R"({"ref":"feature/x","ref_type":"branch","pusher_type":"user"})");
  ASSERT_TRUE(del);
  EXPECT_EQ(del->ignored, "");
  EXPECT_EQ(del->event, "delete");
  EXPECT_EQ(del->ref, "");
  EXPECT_EQ(del->sha, "");
  EXPECT_FALSE(trigger_from_delivery(github_delivery("delete"), R"({"ref_type":"branch"})"));
}

TEST(WebhookTest, PingWorkflowRunAndOtherEventsStartNothingAndSayWhy) {
  auto ping = trigger_from_delivery(github_delivery("ping"),
                                    R"({"zen":"Design for failure.","hook_id":12345678})");
  ASSERT_TRUE(ping);
  EXPECT_EQ(ping->ignored, "ping from hook 12345678: answered, starts nothing");
  auto run = trigger_from_delivery(github_delivery("workflow_run"), R"({"action":"completed"})");
  ASSERT_TRUE(run);
  EXPECT_NE(run->ignored.find("workflow_run"), std::string::npos);
  auto issues = trigger_from_delivery(github_delivery("issues"), R"({"action":"opened"})");
  ASSERT_TRUE(issues);
  EXPECT_NE(issues->ignored.find("'issues'"), std::string::npos);
  EXPECT_FALSE(trigger_from_delivery(github_delivery("issues"), "nope"));
}

// ---- trigger_from_delivery: Gitea / Forgejo ----------------------------------------------

// Gitea's push payload (modules/structs PushPayload): compare_url, no created/deleted.
std::string gitea_push(const std::string& before, const std::string& after) {
  return R"({"ref":"refs/heads/develop","before":")" + before + R"(","after":")" + after +
         R"(","compare_url":"http://localhost:3000/gitea/webhooks/compare/28e1879d...bffeb742",)"
         R"("commits":[{"id":"bffeb74224043ba2feb48d137756c8a9331c449a","message":"Webhooks Yay!",)"
         R"("author":{"name":"Gitea","email":"someone@gitea.io","username":"gitea"},)"
         R"("timestamp":"2017-03-13T13:52:11-04:00","added":[],"removed":[],"modified":["a"]}],)"
         R"("total_commits":1,"head_commit":null,)"
         R"("repository":{"id":140,"full_name":"gitea/webhooks","default_branch":"main"},)"
         R"("pusher":{"login":"gitea","username":"gitea"},"sender":{"login":"gitea"}})";
}

TEST(WebhookTest, GiteaPushIsNormalisedToGitHubsShape) {
  auto t = trigger_from_delivery(gitea_delivery("push"), gitea_push(k_before, k_after));
  ASSERT_TRUE(t) << t.error().message;
  EXPECT_EQ(t->ignored, "");
  EXPECT_EQ(t->ref, "refs/heads/develop");
  EXPECT_EQ(t->sha, k_after);
  EXPECT_EQ(t->before, k_before);
  const expr::Value& p = t->payload;
  EXPECT_EQ(p.member("compare")->as_string(),
            "http://localhost:3000/gitea/webhooks/compare/28e1879d...bffeb742");
  EXPECT_FALSE(p.member("created")->as_bool());
  EXPECT_FALSE(p.member("deleted")->as_bool());
  EXPECT_FALSE(p.member("forced")->as_bool());
  ASSERT_NE(p.member("base_ref"), nullptr);
  EXPECT_TRUE(p.member("base_ref")->is_null());
  EXPECT_EQ(p.member("pusher")->member("name")->as_string(), "gitea");
  EXPECT_EQ(p.member("pusher")->member("username")->as_string(), "gitea");
  // The rest is kept as sent.
  EXPECT_EQ(p.member("total_commits")->as_number(), 1);

  auto created = trigger_from_delivery(gitea_delivery("push"), gitea_push(k_zero, k_after));
  ASSERT_TRUE(created);
  EXPECT_TRUE(created->payload.member("created")->as_bool());
  EXPECT_EQ(created->ignored, "");
}

TEST(WebhookTest, GiteaPushDeletingABranchStartsNothing) {
  auto t = trigger_from_delivery(gitea_delivery("push"), gitea_push(k_before, k_zero));
  ASSERT_TRUE(t);
  EXPECT_NE(t->ignored, "");
  EXPECT_TRUE(t->payload.member("deleted")->as_bool());
}

std::string gitea_pull_request(const std::string& action) {
  return R"({"action":")" + action +
         R"(","number":7,"pull_request":{"id":31,"number":7,)"
         R"("title":"Add retries","state":"open","merge_commit_sha":null,"merge_base":")" +
         k_before + R"(","head":{"label":"retries","ref":"retries","sha":")" + k_after +
         R"(","repo_id":140},"base":{"label":"main","ref":"main","sha":")" + k_before +
         R"(","repo_id":140}},"repository":{"full_name":"gitea/webhooks"},)"
         R"("sender":{"login":"gitea"},"commit_id":""})";
}

TEST(WebhookTest, GiteaPullRequestRunsAtItsHeadWithGitHubsActionNames) {
  struct Case {
    const char* gitea;
    const char* github;
  };
  for (Case c : {Case{"opened", "opened"}, Case{"synchronized", "synchronize"},
                 Case{"label_updated", "labeled"}, Case{"label_cleared", "unlabeled"},
                 Case{"closed", "closed"}, Case{"reopened", "reopened"}}) {
    auto t = trigger_from_delivery(gitea_delivery("pull_request"), gitea_pull_request(c.gitea));
    ASSERT_TRUE(t) << t.error().message;
    EXPECT_EQ(t->ignored, "");
    EXPECT_EQ(t->event, "pull_request");
    EXPECT_EQ(t->ref, "refs/pull/7/head");
    EXPECT_EQ(t->sha, k_after);
    EXPECT_EQ(t->head_sha, k_after);
    EXPECT_EQ(t->payload.member("action")->as_string(), c.github) << c.gitea;
  }
  // A GitHub delivery keeps its action names as they are.
  auto github = trigger_from_delivery(github_delivery("pull_request"),
                                      github_pull_request("synchronized", ""));
  ASSERT_TRUE(github);
  EXPECT_EQ(github->payload.member("action")->as_string(), "synchronized");
}

TEST(WebhookTest, GiteaCreateNamesItsShaAndReleaseUpdatedIsEdited) {
  auto create =
      trigger_from_delivery(gitea_delivery("create"), std::string(R"({"sha":")") + k_after +
                                                          R"(","ref":"v1.0","ref_type":"tag"})");
  ASSERT_TRUE(create);
  EXPECT_EQ(create->ref, "refs/tags/v1.0");
  EXPECT_EQ(create->sha, k_after);
  // A full ref in a Gitea create/delete payload reads as GitHub's short name.
  auto full = trigger_from_delivery(gitea_delivery("create"),
                                    R"({"ref":"refs/heads/feature/y","ref_type":"branch"})");
  ASSERT_TRUE(full);
  EXPECT_EQ(full->ref, "refs/heads/feature/y");
  EXPECT_EQ(full->payload.member("ref")->as_string(), "feature/y");
  auto del = trigger_from_delivery(gitea_delivery("delete"),
                                   R"({"ref":"refs/tags/v0.1","ref_type":"tag"})");
  ASSERT_TRUE(del);
  EXPECT_EQ(del->payload.member("ref")->as_string(), "v0.1");
  auto release = trigger_from_delivery(
      gitea_delivery("release"),
      R"({"action":"updated","release":{"id":3,"tag_name":"v1.0","target_commitish":"main"}})");
  ASSERT_TRUE(release);
  EXPECT_EQ(release->ref, "refs/tags/v1.0");
  EXPECT_EQ(release->payload.member("action")->as_string(), "edited");
}

TEST(WebhookTest, GiteaReviewEventsStartNothing) {
  auto t = trigger_from_delivery(gitea_delivery("pull_request_approved"),
                                 gitea_pull_request("reviewed"));
  ASSERT_TRUE(t);
  EXPECT_NE(t->ignored, "");
}

TEST(WebhookTest, GiteaDeliveryWithAForgedSignatureIsRefusedButParses) {
  std::string body = gitea_push(k_before, k_after);
  std::string secret = "gitea-hook-secret";
  Headers h{{"X-Gitea-Event", "push"},
            {"X-Gitea-Delivery", "f6266f16-1bf3-46a5-9ea4-602e06ead473"},
            {"X-Gitea-Signature", std::string(64, '0')}};
  auto d = parse_delivery(h.lookup(), body);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->repo_full_name, "gitea/webhooks");
  EXPECT_FALSE(verify_signature(secret, body, *d, h.lookup()));
  auto t = trigger_from_delivery(*d, body);
  ASSERT_TRUE(t);
  EXPECT_EQ(t->sha, k_after);
}

}  // namespace
}  // namespace pipewright::server
