#include "pipewright/exec/actions/action_cache.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <random>
#include <set>
#include <utility>

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/file.h>
#include <unistd.h>

#include "pipewright/os/fd.h"
#include "pipewright/os/file_lock.h"
#include "pipewright/os/process.h"

namespace pipewright::exec::actions {

namespace fs = std::filesystem;

namespace {

// A ref may hold '/' (releases/v3): one path segment per entry, so escape it.
std::string escape_segment(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '%')
      out += "%25";
    else if (c == '/')
      out += "%2F";
    else
      out += c;
  }
  return out;
}

std::string trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' '))
    s.pop_back();
  return s;
}

struct GitResult {
  bool ok = false;
  std::string output;
};

GitResult run_git(const std::vector<std::string>& env, std::vector<std::string> args,
                  const std::string& cwd = {}) {
  os::SpawnOptions spawn;
  spawn.argv = std::move(args);
  spawn.argv.insert(spawn.argv.begin(), "git");
  spawn.env = env;
  spawn.cwd = cwd;
  GitResult result;
  os::RunOptions run;
  run.on_output = [&](std::string_view chunk) {
    if (result.output.size() < 64 * 1024) result.output.append(chunk);
  };
  auto done = os::run(spawn, run);
  if (!done) {
    result.output = done.error().message;
    return result;
  }
  result.ok = done->exit_code() == 0;
  result.output = trim(std::move(result.output));
  return result;
}

std::string random_suffix() {
  std::random_device rd;
  return fmt::format("{}-{:08x}", ::getpid(), rd());
}

}  // namespace

util::Expected<std::string> default_action_cache_dir() {
  const char* xdg = std::getenv("XDG_CACHE_HOME");
  if (xdg && xdg[0] == '/') return std::string(xdg) + "/pipewright/actions";
  const char* home = std::getenv("HOME");
  if (home && home[0] != '\0') return std::string(home) + "/.cache/pipewright/actions";
  return util::fail("cannot find the action cache: neither XDG_CACHE_HOME nor HOME is set");
}

ActionCache::ActionCache(ActionCacheOptions options) : m_options(std::move(options)) {
  if (m_options.git_env.empty()) {
    for (const char* name : {"PATH", "HOME"})
      if (const char* v = std::getenv(name))
        m_options.git_env.push_back(fmt::format("{}={}", name, v));
  }
  m_options.git_env.push_back("GIT_TERMINAL_PROMPT=0");
  m_options.git_env.push_back("LC_ALL=C");
  while (m_options.actions_url.ends_with('/'))
    m_options.actions_url.pop_back();
}

std::string ActionCache::entry_dir(const ActionRef& ref) const {
  return fmt::format("{}/{}/{}@{}", m_options.root, ref.owner, ref.repo, escape_segment(ref.ref));
}

bool ActionCache::cached(const ActionRef& ref) const {
  std::error_code ec;
  return fs::is_directory(entry_dir(ref), ec);
}

util::Expected<std::string> ActionCache::repository_dir(const ActionRef& ref) {
  if (!ref.remote())
    return util::fail(fmt::format("'{}' is not a remote action or workflow", ref.text));
  if (cached(ref)) return entry_dir(ref);
  if (m_options.offline)
    return util::fail(
        fmt::format("action '{}' is not in the action cache ({}) and --offline is set",
                    ref.cache_name(), m_options.root),
        {}, "fetch it first with `pipewright actions pull` (or run once without --offline)");
  bool fetched = false;
  return fetch(ref, &fetched);
}

util::Expected<std::string> ActionCache::action_dir(const ActionRef& ref) {
  PW_TRY(dir, repository_dir(ref));
  if (ref.path.empty()) return dir;
  std::string sub = dir + "/" + ref.path;
  std::error_code ec;
  if (!fs::is_directory(sub, ec))
    return util::fail(
        fmt::format("'{}' has no directory '{}' at {}", ref.slug(), ref.path, ref.ref));
  return sub;
}

util::Expected<std::string> ActionCache::fetch(const ActionRef& ref, bool* fetched) {
  std::string entry = entry_dir(ref);
  std::string parent = fs::path(entry).parent_path().string();
  std::error_code ec;
  fs::create_directories(parent, ec);
  if (ec) return util::fail(fmt::format("cannot create {}: {}", parent, ec.message()));
  std::string leaf = fs::path(entry).filename().string();
  PW_TRY(lock, os::FileLock::acquire(parent + "/." + leaf + ".lock"));
  if (fs::is_directory(entry, ec)) return entry;  // fetched meanwhile by someone else

  std::string url = fmt::format("{}/{}/{}", m_options.actions_url, ref.owner, ref.repo);
  std::string tmp = fmt::format("{}/.tmp-{}-{}", parent, leaf, random_suffix());
  struct Cleanup {
    std::string path;
    ~Cleanup() {
      std::error_code ignored;
      fs::remove_all(path, ignored);
    }
  } cleanup{tmp};

  const auto& env = m_options.git_env;
  GitResult got;
  if (is_full_sha(ref.ref)) {
    got = run_git(env, {"init", "-q", tmp});
    if (got.ok) got = run_git(env, {"fetch", "-q", "--depth", "1", url, ref.ref}, tmp);
    if (got.ok)
      got = run_git(env, {"-c", "advice.detachedHead=false", "checkout", "-q", "FETCH_HEAD"}, tmp);
  } else {
    got = run_git(env, {"-c", "advice.detachedHead=false", "clone", "-q", "--depth", "1",
                        "--no-tags", "--branch", ref.ref, "--", url, tmp});
  }
  if (!got.ok) {
    if (looks_like_short_sha(ref.ref)) {
      // GitHub refuses abbreviated commits; find out whether this is one to say so.
      std::string probe = tmp + ".probe";
      Cleanup probe_cleanup{probe};
      if (run_git(env, {"init", "-q", "--bare", probe}).ok &&
          run_git(env,
                  {"fetch", "-q", "--filter=blob:none", url, "+refs/heads/*:refs/heads/*",
                   "+refs/tags/*:refs/tags/*"},
                  probe)
              .ok) {
        GitResult full =
            run_git(env, {"rev-parse", "--verify", "-q", ref.ref + "^{commit}"}, probe);
        if (full.ok && is_full_sha(full.output))
          return std::unexpected(short_sha_error(ref, full.output));
      }
    }
    return util::fail(fmt::format("cannot fetch action '{}' from {}: {}", ref.cache_name(), url,
                                  got.output.empty() ? "git failed" : got.output),
                      {},
                      "check the repository name and the ref (a tag, branch or full commit SHA)");
  }
  fs::remove_all(tmp + "/.git", ec);
  if (::rename(tmp.c_str(), entry.c_str()) != 0) {
    if (fs::is_directory(entry, ec)) return entry;
    return util::fail(
        fmt::format("cannot move the fetched action into {}: {}", entry, strerror(errno)));
  }
  *fetched = true;
  return entry;
}

std::vector<PullOutcome> ActionCache::pull_all(const std::vector<ActionRef>& refs) {
  std::vector<PullOutcome> outcomes;
  std::set<std::string> seen;
  for (const ActionRef& ref : refs) {
    if (!ref.remote() || !seen.insert(ref.cache_name()).second) continue;
    PullOutcome outcome;
    outcome.name = ref.cache_name();
    if (cached(ref)) {
      outcome.dir = entry_dir(ref);
    } else {
      auto dir = fetch(ref, &outcome.fetched);
      if (dir)
        outcome.dir = *dir;
      else
        outcome.error = util::format_error(dir.error());
    }
    outcomes.push_back(std::move(outcome));
  }
  return outcomes;
}

}  // namespace pipewright::exec::actions
