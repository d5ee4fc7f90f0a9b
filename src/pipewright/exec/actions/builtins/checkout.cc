// actions/checkout, natively. The job's workspace already holds the working tree the
// run started from (uncommitted changes included); the common `- uses:
// actions/checkout@v4` keeps those files and makes the workspace the git repository
// GitHub's checkout gives: .git with the commit fetched from the local repository
// (`fetch-depth`, shallow by default; tags with `fetch-tags` or depth 0), `origin` the
// local repository, HEAD the event's branch (with origin/<branch> upstream) or detached
// at a tag, pull request ref or commit, as actions/checkout does. Otherwise:
// - `ref:` (another commit of this repository): that commit, fetched from the local
//   repository into the workspace or `path:`;
// - `path:` alone: a copy of the working tree under the workspace, made a repository;
// - `repository:` other than this one: fetched from `<actions url>/owner/repo` (the
//   default branch unless `ref:`), like remote actions.
// Outputs `ref` and `commit` as the real action sets them.
#include <atomic>
#include <filesystem>

#include <fmt/format.h>
#include <unistd.h>

#include "pipewright/exec/actions/builtins/builtins.h"
#include "pipewright/exec/actions/builtins/checkout_git.h"
#include "pipewright/exec/actions/builtins/common.h"
#include "pipewright/exec/actions/path_glob.h"
#include "pipewright/plan/repository.h"

namespace pipewright::exec::actions::builtins {
namespace {

namespace fs = std::filesystem;

struct Source {
  std::string url;         // what git fetches from
  std::string repository;  // owner/repo for messages
  bool local = false;      // this run's repository
};

// A fresh directory beside `dest` (same file system, so it can be renamed into place).
std::string temp_beside(const std::string& dest) {
  static std::atomic<int> counter{0};
  return fmt::format("{}.pw-checkout-{}-{}", dest, ::getpid(), counter++);
}

// Empties `dir` (keeps the directory itself).
util::Expected<void> clear_dir(const std::string& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    fs::remove_all(entry.path(), ec);
    if (ec)
      return util::fail(fmt::format("cannot remove {}: {}", entry.path().string(), ec.message()));
  }
  if (ec) return util::fail(fmt::format("cannot list {}: {}", dir, ec.message()));
  return {};
}

// Moves everything in `from` into the (empty) directory `to`, then removes `from`.
util::Expected<void> move_contents(const std::string& from, const std::string& to) {
  std::error_code ec;
  fs::create_directories(to, ec);
  for (const auto& entry : fs::directory_iterator(from, ec)) {
    fs::path target = fs::path(to) / entry.path().filename();
    fs::rename(entry.path(), target, ec);
    if (ec) {  // another file system: copy, then drop the original
      ec.clear();
      fs::copy(entry.path(), target, fs::copy_options::recursive | fs::copy_options::copy_symlinks,
               ec);
      if (ec)
        return util::fail(fmt::format("cannot move {} to {}: {}", entry.path().string(),
                                      target.string(), ec.message()));
    }
  }
  fs::remove_all(from, ec);
  return {};
}

// Copies the working tree of `source` (tracked + untracked non-ignored files) to `dest`.
util::Expected<size_t> copy_working_tree(const std::string& source, const std::string& dest) {
  PW_TRY(repo, plan::Repository::open(source));
  PW_TRY(files, repo.working_tree_files());
  const std::string& root = repo.info().root;
  std::error_code ec;
  size_t copied = 0;
  for (const std::string& file : files) {
    fs::path from = fs::path(root) / file;
    fs::path to = fs::path(dest) / file;
    // The destination may lie inside the source (path: under a bound workspace).
    if (path_within(normalize_path(from.string(), "/"), dest)) continue;
    fs::create_directories(to.parent_path(), ec);
    auto status = fs::symlink_status(from, ec);
    if (ec) continue;  // listed but gone
    if (fs::is_symlink(status))
      fs::copy_symlink(from, to, ec);
    else if (fs::is_regular_file(status))
      fs::copy_file(from, to, fs::copy_options::overwrite_existing, ec);
    if (ec) return util::fail(fmt::format("cannot copy {}: {}", from.string(), ec.message()));
    ++copied;
  }
  return copied;
}

// The commit `ref` names in the local repository at `dir`: a sha, branch, tag, or a
// remote-tracking branch of origin.
util::Expected<std::string> resolve_local(const std::string& dir, const std::string& ref) {
  PW_TRY(repo, plan::Repository::open(dir));
  std::string wanted = ref;
  for (std::string_view prefix : {"refs/heads/", "refs/tags/"})
    if (wanted.starts_with(prefix)) wanted = wanted.substr(prefix.size());
  auto found = repo.resolve(ref);
  if (found) return found;
  for (const std::string& candidate : {wanted, "origin/" + wanted, "refs/tags/" + wanted})
    if (auto again = repo.resolve(candidate)) return again;
  return util::fail(fmt::format("A branch or tag with the name '{}' could not be found", ref));
}

// Inputs of the real action this one does not implement: a warning when set to
// something other than their default.
struct IgnoredInput {
  std::string_view name;
  std::string_view fallback;
};
constexpr IgnoredInput k_ignored[] = {
    {"submodules", "false"},
    {"lfs", "false"},
    {"sparse-checkout", ""},
};

bool is_sha(const std::string& text) {
  return text.size() == 40 && text.find_first_not_of("0123456789abcdefABCDEF") == std::string::npos;
}

// What a `ref:` of this repository names, qualified the way the real action fetches it:
// a local branch or tag keeps its name (a branch is checked out as a branch), anything
// else that resolves (origin/x, a sha) is a bare commit.
util::Expected<CheckoutTarget> local_target(const std::string& dir, const std::string& ref) {
  PW_TRY(sha, resolve_local(dir, ref));
  PW_TRY(repo, plan::Repository::open(dir));
  std::string name = ref;
  for (std::string_view prefix : {"refs/heads/", "refs/tags/"})
    if (name.starts_with(prefix)) name = name.substr(prefix.size());
  if (!is_sha(ref)) {
    if (!ref.starts_with("refs/tags/") && repo.resolve("refs/heads/" + name))
      return CheckoutTarget{"refs/heads/" + name, sha};
    if (!ref.starts_with("refs/heads/") && repo.resolve("refs/tags/" + name))
      return CheckoutTarget{"refs/tags/" + name, sha};
  }
  return CheckoutTarget{"", sha};
}

class Checkout : public BuiltinAction {
 public:
  std::string_view name() const override { return "actions/checkout"; }

  BuiltinResult main(const BuiltinCall& call) const override {
    const std::string current = github_string(call, "repository");
    std::string repository = trim(call.input("repository"));
    const std::string ref = trim(call.input("ref"));
    const std::string path = trim(call.input("path"));
    std::string depth_text = trim(call.input("fetch-depth", "1"));
    char* end = nullptr;
    long depth = std::strtol(depth_text.c_str(), &end, 10);
    if (depth_text.empty() || *end != '\0' || depth < 0)
      return failure(call,
                     fmt::format("The input 'fetch-depth' must be a number, got '{}'", depth_text));
    auto fetch_tags = bool_input(call, "fetch-tags", false);
    if (!fetch_tags) return failure(call, fetch_tags.error().message);

    for (const IgnoredInput& ignored : k_ignored) {
      std::string value = lower(trim(call.input(ignored.name, ignored.fallback)));
      if (value != ignored.fallback)
        warn(call, fmt::format("actions/checkout (native): input '{}: {}' is not supported and "
                               "was ignored (run with --no-builtins=actions/checkout for the "
                               "real action)",
                               ignored.name, value));
    }
    const std::string workspace = normalize_path(call.workspace, "/");
    const std::string dest = normalize_path(path, workspace);
    if (!path_within(dest, workspace))
      return failure(call, fmt::format("Repository path '{}' is not under '{}'", dest, workspace));

    Source source;
    if (repository.empty() || lower(repository) == lower(current)) {
      source = {call.source_dir, current.empty() ? repository : current, true};
    } else {
      std::string base = call.settings != nullptr ? call.settings->actions_url : "";
      while (!base.empty() && base.back() == '/')
        base.pop_back();
      source = {base + "/" + repository, repository, false};
    }
    const std::string sha = github_string(call, "sha");
    const std::string github_ref = github_string(call, "ref");
    RepositoryRequest request;
    request.url = source.url;
    request.depth = static_cast<int>(depth);
    request.fetch_tags = *fetch_tags;
    bool at_current_commit = ref.empty() || ref == sha || ref == github_ref;
    // Under --bind the workspace is the working tree itself: a ref naming the commit it
    // has checked out (a branch, a short sha, github.head_ref...) is that working tree.
    const bool bound = dest == workspace && normalize_path(call.source_dir, "/") == workspace;
    if (source.local && !at_current_commit && bound) {
      auto head = plan::Repository::open(call.source_dir);
      auto resolved = resolve_local(call.source_dir, ref);
      at_current_commit = head && resolved && head->info().is_git && *resolved == head->info().sha;
    }

    if (source.local && at_current_commit)
      return current_commit(call, source, dest, workspace, std::move(request));

    if (bound)
      return failure(call,
                     "checkout of another commit into the workspace would replace the working "
                     "tree of the run (--bind); use the `path:` input");

    auto target =
        source.local ? local_target(call.source_dir, ref) : remote_target(call, source, ref);
    if (!target) return failure(call, target.error().message);
    request.target = *target;
    log(call, fmt::format("Fetching {} {} (depth {}) from {}", source.repository,
                          ref.empty() ? "default branch" : ref,
                          depth == 0 ? std::string("all") : std::to_string(depth), source.url));
    const std::string tmp = temp_beside(dest);
    auto commit = make_repository(call, tmp, request);
    std::error_code ec;
    if (!commit) {
      fs::remove_all(tmp, ec);
      return failure(call, commit.error().message);
    }
    auto placed = clear_dir(dest);
    if (placed) placed = move_contents(tmp, dest);
    if (!placed) {
      fs::remove_all(tmp, ec);
      return failure(call, placed.error().message);
    }
    log(call, fmt::format("Checked out {} at {} into {}", source.repository, *commit, dest));

    BuiltinResult result;
    result.outputs = {{"ref", ref.empty() ? request.target.ref : ref}, {"commit", *commit}};
    return result;
  }

 private:
  // The run's own commit: the working tree (uncommitted changes included) stays in the
  // workspace, or is copied to `path:`, and becomes a repository at the event's ref.
  static BuiltinResult current_commit(const BuiltinCall& call, Source source,
                                      const std::string& dest, const std::string& workspace,
                                      RepositoryRequest request) {
    const std::string sha = github_string(call, "sha");
    const std::string github_ref = github_string(call, "ref");
    BuiltinResult result;
    result.outputs = {{"ref", github_ref}, {"commit", sha}};
    if (dest == workspace && normalize_path(call.source_dir, "/") == workspace) {
      log(call, fmt::format("Using the working tree of {} at {} (--bind): it is the workspace.",
                            source.repository, sha.empty() ? "HEAD" : sha));
      return result;
    }
    if (dest != workspace) {
      if (auto cleared = clear_dir(dest); !cleared) return failure(call, cleared.error().message);
      auto copied = copy_working_tree(call.source_dir, dest);
      if (!copied) return failure(call, util::format_error(copied.error()));
      log(call, fmt::format("Copied the working tree of {} ({} files, uncommitted changes "
                            "included) to {}",
                            source.repository, *copied, dest));
    }
    // The repository comes from the local one, which must hold exactly this tree.
    auto repo = plan::Repository::open(call.source_dir);
    std::string why_not;
    if (!repo || !repo->info().is_git || sha.empty() || sha == plan::k_zero_sha)
      why_not = "the run's directory is not a git repository with a commit";
    else if (normalize_path(repo->info().root, "/") != normalize_path(call.source_dir, "/"))
      why_not = "the workflow's project is a subdirectory of the repository";
    if (!why_not.empty()) {
      log(call, fmt::format("Using the working tree of {} without .git: {}.", source.repository,
                            why_not));
      return result;
    }
    request.url = repo->info().root;
    std::string qualified = github_ref;
    if (!qualified.empty() && !qualified.starts_with("refs/"))
      qualified = "refs/heads/" + qualified;
    request.target = {qualified, sha};
    request.files = RepositoryRequest::Files::keep;
    auto head = make_repository(call, dest, request);
    if (!head) {
      // The files are all there; only git's view is missing: say so and go on.
      std::error_code ec;
      fs::remove_all(fs::path(dest) / ".git", ec);
      warn(call, fmt::format("actions/checkout (native): the workspace holds the working tree "
                             "but is not a git repository: {}",
                             head.error().message));
      return result;
    }
    log(call, fmt::format("Using the working tree of {} at {} (uncommitted changes included) "
                          "with .git from the local repository (depth {})",
                          source.repository, *head,
                          request.depth == 0 ? std::string("all") : std::to_string(request.depth)));
    return result;
  }

  // A ref of another repository as the real action fetches it: '' is the remote's
  // default branch, a sha a bare commit, a name a branch, else a tag of that name.
  static util::Expected<CheckoutTarget> remote_target(const BuiltinCall& call, const Source& source,
                                                      const std::string& ref) {
    if (is_sha(ref)) return CheckoutTarget{"", lower(ref)};
    if (ref.starts_with("refs/")) return CheckoutTarget{ref, ""};
    std::vector<std::string> args = {"ls-remote", "--symref", source.url};
    if (ref.empty())
      args.push_back("HEAD");
    else
      args.insert(args.end(), {"refs/heads/" + ref, "refs/tags/" + ref});
    GitOutput listed = run_git(call, args);
    if (!listed.ok)
      return util::fail(fmt::format("git ls-remote {} failed: {}", source.url, listed.output));
    // "ref: refs/heads/main\tHEAD", "<sha>\trefs/heads/x", "<sha>\trefs/tags/x"
    if (ref.empty()) {
      if (listed.output.starts_with("ref: "))
        return CheckoutTarget{listed.output.substr(5, listed.output.find('\t') - 5), ""};
      return util::fail(fmt::format("cannot find the default branch of {}", source.repository));
    }
    for (std::string qualified : {"refs/heads/" + ref, "refs/tags/" + ref})
      if (listed.output.find("\t" + qualified) != std::string::npos)
        return CheckoutTarget{qualified, ""};
    return util::fail(fmt::format("A branch or tag with the name '{}' could not be found", ref));
  }
};

}  // namespace

const BuiltinAction& checkout() {
  static const Checkout action;
  return action;
}

}  // namespace pipewright::exec::actions::builtins
