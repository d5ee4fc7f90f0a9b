#include "pipewright/exec/actions/builtins/checkout_git.h"

#include <filesystem>

#include <fmt/format.h>

namespace pipewright::exec::actions::builtins {

namespace {

namespace fs = std::filesystem;

constexpr std::string_view k_heads = "refs/heads/";
constexpr std::string_view k_pull = "refs/pull/";
constexpr std::string_view k_tags = "refs/tags/";
constexpr std::string_view k_all_tags = "+refs/tags/*:refs/tags/*";

std::string after(const std::string& text, std::string_view prefix) {
  return text.substr(prefix.size());
}

}  // namespace

std::vector<std::string> target_refspecs(const CheckoutTarget& target) {
  const std::string& ref = target.ref;
  // With the commit known, fetch exactly it and store it where the ref would be.
  const std::string& source = target.commit.empty() ? ref : target.commit;
  if (ref.starts_with(k_heads))
    return {fmt::format("+{}:refs/remotes/origin/{}", source, after(ref, k_heads))};
  if (ref.starts_with(k_pull))
    return {fmt::format("+{}:refs/remotes/pull/{}", source, after(ref, k_pull))};
  if (ref.starts_with(k_tags)) return {fmt::format("+{}:{}", source, ref)};
  return {source};
}

std::vector<std::string> all_history_refspecs(const CheckoutTarget& target) {
  std::vector<std::string> specs = {"+refs/heads/*:refs/remotes/origin/*", std::string(k_all_tags)};
  if (target.ref.starts_with(k_pull)) specs.push_back(target_refspecs(target).front());
  return specs;
}

CheckoutInfo checkout_info(const CheckoutTarget& target) {
  const std::string& ref = target.ref;
  if (ref.starts_with(k_heads)) {
    std::string branch = after(ref, k_heads);
    return {branch, "refs/remotes/origin/" + branch, ""};
  }
  if (ref.starts_with(k_pull)) return {"", "", "refs/remotes/pull/" + after(ref, k_pull)};
  if (ref.starts_with("refs/")) return {"", "", ref};
  return {"", "", target.commit};
}

util::Expected<std::string> make_repository(const BuiltinCall& call, const std::string& dir,
                                            const RepositoryRequest& request) {
  auto git = [&](std::vector<std::string> args) -> util::Expected<std::string> {
    GitOutput got = run_git(call, args, dir);
    std::string_view verb = args.front() == "-c" ? args[2] : args.front();
    if (!got.ok)
      return util::fail(
          fmt::format("git {} failed: {}", verb, got.output.empty() ? "no output" : got.output));
    return got.output;
  };
  auto fetch = [&](const std::vector<std::string>& specs, bool tags) {
    std::vector<std::string> args;
    // A local repository owned by another user (pipewright as root) is still ours to read.
    if (request.url.starts_with("/")) args = {"-c", "safe.directory=" + request.url};
    args.insert(args.end(), {"fetch", "-q", "--prune", "--no-recurse-submodules"});
    if (!tags) args.push_back("--no-tags");
    if (request.depth > 0) args.push_back(fmt::format("--depth={}", request.depth));
    args.push_back("origin");
    args.insert(args.end(), specs.begin(), specs.end());
    return git(std::move(args));
  };
  const CheckoutTarget& target = request.target;
  const CheckoutInfo info = checkout_info(target);
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return util::fail(fmt::format("cannot create {}: {}", dir, ec.message()));
  fs::remove_all(fs::path(dir) / ".git", ec);
  // The initial branch is the one checked out (no stray master/main when detached).
  PW_TRY_VOID(git(
      {"-c", "init.defaultBranch=" + (info.branch.empty() ? "main" : info.branch), "init", "-q"}));
  PW_TRY_VOID(git({"remote", "add", "origin", request.url}));

  if (request.depth == 0) {
    // Everything, as the real action: branches and tags, then the target itself when
    // the branches did not bring it (a commit on no branch head).
    PW_TRY_VOID(fetch(all_history_refspecs(target), true));
    std::string where = info.branch.empty() ? info.detached : info.start_point;
    GitOutput have = run_git(call, {"rev-parse", "--verify", "-q", where + "^{commit}"}, dir);
    if (!have.ok || (!target.commit.empty() && trim(have.output) != target.commit))
      PW_TRY_VOID(fetch(target_refspecs(target), true));
  } else {
    std::vector<std::string> specs = target_refspecs(target);
    if (request.fetch_tags && !target.ref.starts_with(k_tags)) specs.emplace_back(k_all_tags);
    PW_TRY_VOID(fetch(specs, request.fetch_tags));
  }

  if (request.files == RepositoryRequest::Files::check_out) {
    if (!info.branch.empty())
      PW_TRY_VOID(git({"checkout", "-q", "--force", "-B", info.branch, info.start_point}));
    else
      PW_TRY_VOID(
          git({"-c", "advice.detachedHead=false", "checkout", "-q", "--force", info.detached}));
  } else {
    // HEAD and the index at the target; the files stay, so the run's uncommitted
    // changes show as such (`git status`, `git diff`, `git describe --dirty`).
    if (!info.branch.empty()) {
      PW_TRY_VOID(git({"reset", "-q", info.start_point}));
      PW_TRY_VOID(git({"branch", "-q", "--set-upstream-to=origin/" + info.branch}));
    } else {
      PW_TRY(sha, git({"rev-parse", "--verify", "-q", info.detached + "^{commit}"}));
      PW_TRY_VOID(git({"update-ref", "--no-deref", "HEAD", trim(sha)}));
      PW_TRY_VOID(git({"reset", "-q"}));
    }
  }
  PW_TRY(head, git({"rev-parse", "HEAD"}));
  return trim(head);
}

}  // namespace pipewright::exec::actions::builtins
