// actions/checkout, natively. The job's workspace already holds the working tree the
// run started from (uncommitted changes included), so the common `- uses:
// actions/checkout@v4` succeeds without touching it. Otherwise:
// - `ref:` (another commit of this repository): that commit's tree, fetched from the
//   local repository with `fetch-depth` (0 = all history) into the workspace or `path:`;
// - `path:` alone: a copy of the working tree under the workspace;
// - `repository:` other than this one: fetched from `<actions url>/owner/repo` (the
//   default branch unless `ref:`), like remote actions.
// Outputs `ref` and `commit` as the real action sets them.
#include <atomic>
#include <filesystem>

#include <fmt/format.h>
#include <unistd.h>

#include "pipewright/exec/actions/builtins/builtins.h"
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

// Fetches `ref` ('' = the remote's default branch) of `source` into the new directory
// `dir` with `depth` (0 = everything) and checks it out detached. Returns the commit.
util::Expected<std::string> fetch_into(const BuiltinCall& call, const Source& source,
                                       const std::string& ref, int depth, const std::string& dir) {
  std::vector<std::string> depth_args;
  if (depth > 0) depth_args = {"--depth", std::to_string(depth)};
  auto step = [&](std::vector<std::string> args, const std::string& cwd) -> util::Expected<void> {
    GitOutput got = run_git(call, args, cwd);
    if (!got.ok)
      return util::fail(fmt::format("git {} failed: {}", args.front(),
                                    got.output.empty() ? "no output" : got.output));
    return {};
  };
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return util::fail(fmt::format("cannot create {}: {}", dir, ec.message()));
  PW_TRY_VOID(step({"init", "-q"}, dir));
  PW_TRY_VOID(step({"remote", "add", "origin", source.url}, dir));
  std::vector<std::string> fetch = {"fetch", "-q", "--no-tags"};
  fetch.insert(fetch.end(), depth_args.begin(), depth_args.end());
  fetch.push_back("origin");
  fetch.push_back(ref.empty() ? "HEAD" : ref);
  PW_TRY_VOID(step(fetch, dir));
  PW_TRY_VOID(
      step({"-c", "advice.detachedHead=false", "checkout", "-q", "--detach", "FETCH_HEAD"}, dir));
  GitOutput head = run_git(call, {"rev-parse", "HEAD"}, dir);
  if (!head.ok) return util::fail("git rev-parse HEAD failed: " + head.output);
  return trim(head.output);
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
    {"fetch-tags", "false"},
};

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
    bool current_commit = ref.empty() || ref == sha || ref == github_ref;
    // Under --bind the workspace is the working tree itself: a ref naming the commit it
    // has checked out (a branch, a short sha, github.head_ref...) is that working tree.
    const bool bound = dest == workspace && normalize_path(call.source_dir, "/") == workspace;
    if (source.local && !current_commit && bound) {
      auto head = plan::Repository::open(call.source_dir);
      auto resolved = resolve_local(call.source_dir, ref);
      current_commit = head && resolved && head->info().is_git && *resolved == head->info().sha;
    }

    if (source.local && current_commit) {
      BuiltinResult result;
      result.outputs = {{"ref", github_ref}, {"commit", sha}};
      if (dest == workspace) {
        log(call, fmt::format("Using the working tree of {} at {} already in the workspace "
                              "(uncommitted changes included); nothing to fetch.",
                              source.repository, sha.empty() ? "HEAD" : sha));
        return result;
      }
      if (auto cleared = clear_dir(dest); !cleared) return failure(call, cleared.error().message);
      auto copied = copy_working_tree(call.source_dir, dest);
      if (!copied) return failure(call, util::format_error(copied.error()));
      log(call, fmt::format("Copied the working tree of {} ({} files, uncommitted changes "
                            "included) to {}",
                            source.repository, *copied, dest));
      return result;
    }

    if (bound)
      return failure(call,
                     "checkout of another commit into the workspace would replace the working "
                     "tree of the run (--bind); use the `path:` input");

    std::string wanted = ref;
    if (source.local) {
      auto resolved = resolve_local(call.source_dir, ref);
      if (!resolved) return failure(call, resolved.error().message);
      wanted = *resolved;
    }
    log(call, fmt::format("Fetching {} {} (depth {}) from {}", source.repository,
                          ref.empty() ? "default branch" : ref,
                          depth == 0 ? std::string("all") : std::to_string(depth), source.url));
    const std::string tmp = temp_beside(dest);
    auto commit = fetch_into(call, source, wanted, static_cast<int>(depth), tmp);
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
    std::string out_ref = ref;
    if (out_ref.empty()) {
      GitOutput branch = run_git(call, {"ls-remote", "--symref", source.url, "HEAD"});
      // "ref: refs/heads/main\tHEAD"
      if (branch.ok && branch.output.starts_with("ref: "))
        out_ref = branch.output.substr(5, branch.output.find('\t') - 5);
    }
    result.outputs = {{"ref", out_ref}, {"commit", *commit}};
    return result;
  }
};

}  // namespace

const BuiltinAction& checkout() {
  static const Checkout action;
  return action;
}

}  // namespace pipewright::exec::actions::builtins
