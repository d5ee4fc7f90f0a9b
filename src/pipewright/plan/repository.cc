#include "pipewright/plan/repository.h"

#include <algorithm>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <mutex>
#include <system_error>

#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pipewright/plan/git_handles.h"

namespace pipewright::plan {
namespace fs = std::filesystem;

namespace {

using namespace git;  // owning libgit2 handles

void init_libgit2() {
  static std::once_flag once;
  std::call_once(once, [] { git_libgit2_init(); });
}

// "<what>: <libgit2's last error>".
util::Error git_failure(std::string_view what) {
  const ::git_error* e = git_error_last();
  std::string message(what);
  if (e && e->message) message += std::string(": ") + e->message;
  return util::Error{std::move(message), {}, {}};
}

std::string oid_string(const git_oid& oid) {
  char buf[GIT_OID_HEXSZ + 1];
  git_oid_tostr(buf, sizeof buf, &oid);
  return buf;
}

std::string env_or(const char* name, std::string fallback) {
  const char* v = std::getenv(name);
  return v && *v ? std::string(v) : fallback;
}

std::string config_string(git_config* config, const char* key) {
  if (!config) return {};
  const char* out = nullptr;
  if (git_config_get_string(&out, config, key) != 0 || !out) return {};
  return out;
}

// The snapshot of the repository's config (or the user's global config without one).
ConfigPtr open_config(git_repository* repo) {
  git_config* live = nullptr;
  int rc = repo ? git_repository_config(&live, repo) : git_config_open_default(&live);
  if (rc != 0) return {};
  ConfigPtr live_ptr(live);
  git_config* snap = nullptr;
  if (git_config_snapshot(&snap, live) != 0) return {};
  return ConfigPtr(snap);
}

bool ref_exists(git_repository* repo, const char* name) {
  git_reference* ref = nullptr;
  if (git_reference_lookup(&ref, repo, name) != 0) return false;
  git_reference_free(ref);
  return true;
}

std::string strip_prefix(std::string_view s, std::string_view prefix) {
  return std::string(s.starts_with(prefix) ? s.substr(prefix.size()) : s);
}

// The branch origin/HEAD points at, else main, else master (local or remote), else "".
std::string find_default_branch(git_repository* repo) {
  git_reference* head = nullptr;
  if (git_reference_lookup(&head, repo, "refs/remotes/origin/HEAD") == 0) {
    RefPtr holder(head);
    if (git_reference_type(head) == GIT_REFERENCE_SYMBOLIC) {
      return strip_prefix(git_reference_symbolic_target(head), "refs/remotes/origin/");
    }
  }
  for (const char* name : {"main", "master"}) {
    if (ref_exists(repo, fmt::format("refs/heads/{}", name).c_str()) ||
        ref_exists(repo, fmt::format("refs/remotes/origin/{}", name).c_str())) {
      return name;
    }
  }
  return {};
}

struct TagScan {
  git_repository* repo;
  git_oid head;
  std::vector<std::string> names;
};

int collect_tag(const char* name, git_oid* oid, void* payload) {
  auto* scan = static_cast<TagScan*>(payload);
  git_object* obj = nullptr;
  if (git_object_lookup(&obj, scan->repo, oid, GIT_OBJECT_ANY) != 0) return 0;
  ObjectPtr holder(obj);
  git_object* peeled = nullptr;
  if (git_object_peel(&peeled, obj, GIT_OBJECT_COMMIT) != 0) return 0;
  ObjectPtr peeled_holder(peeled);
  if (git_oid_equal(git_object_id(peeled), &scan->head)) {
    scan->names.push_back(strip_prefix(name, "refs/tags/"));
  }
  return 0;
}

void fill_head(git_repository* repo, RepositoryInfo& info) {
  git_oid head;
  if (git_reference_name_to_id(&head, repo, "HEAD") == 0) {
    info.sha = oid_string(head);
    TagScan scan{repo, head, {}};
    git_tag_foreach(repo, collect_tag, &scan);
    std::sort(scan.names.begin(), scan.names.end());
    info.head_tags = std::move(scan.names);
  }
  // The branch HEAD names, also when unborn (a fresh `git init`).
  git_reference* head_ref = nullptr;
  if (git_reference_lookup(&head_ref, repo, "HEAD") == 0) {
    RefPtr holder(head_ref);
    if (git_reference_type(head_ref) == GIT_REFERENCE_SYMBOLIC) {
      info.branch = strip_prefix(git_reference_symbolic_target(head_ref), "refs/heads/");
    }
  }
}

void fill_identity(const std::string& dir_name, RepositoryInfo& info) {
  std::string owner, name, host;
  if (!info.remote_url.empty() && parse_remote_url(info.remote_url, owner, name, host)) {
    info.repository_owner = owner;
    info.repository = owner + "/" + name;
    if (!host.empty()) info.server_url = "https://" + host;
  } else {
    info.repository_owner = env_or("USER", "local");
    info.repository = info.repository_owner + "/" + dir_name;
  }
}

std::string directory_name(const fs::path& root) {
  std::string name = root.filename().string();
  if (name.empty()) name = root.parent_path().filename().string();
  return name.empty() ? std::string("repository") : name;
}

}  // namespace

struct Repository::Impl {
  RepoPtr repo;

  util::Expected<CommitPtr> lookup_commit(std::string_view sha) const {
    git_object* obj = nullptr;
    std::string spec(sha);
    if (git_revparse_single(&obj, repo.get(), spec.c_str()) != 0) {
      return std::unexpected(git_failure(fmt::format("unknown revision '{}'", sha)));
    }
    ObjectPtr holder(obj);
    git_object* peeled = nullptr;
    if (git_object_peel(&peeled, obj, GIT_OBJECT_COMMIT) != 0) {
      return std::unexpected(git_failure(fmt::format("'{}' is not a commit", sha)));
    }
    return CommitPtr(reinterpret_cast<git_commit*>(peeled));
  }

  // The tree of `sha`, or null for k_zero_sha (the empty tree).
  util::Expected<TreePtr> tree_of(std::string_view sha) const {
    if (sha == k_zero_sha) return TreePtr();
    PW_TRY(commit, lookup_commit(sha));
    git_tree* tree = nullptr;
    if (git_commit_tree(&tree, commit.get()) != 0) {
      return std::unexpected(git_failure(fmt::format("cannot read the tree of {}", sha)));
    }
    return TreePtr(tree);
  }
};

std::string_view ref_type_name(RefType type) {
  return type == RefType::tag ? "tag" : "branch";
}

std::string RepositoryInfo::ref_for(RefType type) const {
  if (type == RefType::tag && !head_tags.empty()) return "refs/tags/" + head_tags.front();
  if (!branch.empty()) return "refs/heads/" + branch;
  return "refs/heads/" + (default_branch.empty() ? std::string("main") : default_branch);
}

std::string CommitInfo::timestamp() const {
  std::time_t local = static_cast<std::time_t>(time + int64_t{time_offset_minutes} * 60);
  std::tm tm{};
  gmtime_r(&local, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  if (time_offset_minutes == 0) return std::string(buf) + "Z";
  int offset = std::abs(time_offset_minutes);
  return fmt::format("{}{}{:02}:{:02}", buf, time_offset_minutes < 0 ? '-' : '+', offset / 60,
                     offset % 60);
}

Repository::Repository(RepositoryInfo info, std::unique_ptr<Impl> impl)
    : m_info(std::move(info)), m_impl(std::move(impl)) {}
Repository::Repository(Repository&&) noexcept = default;
Repository& Repository::operator=(Repository&&) noexcept = default;
Repository::~Repository() = default;

util::Expected<Repository> Repository::open(const std::string& dir) {
  init_libgit2();
  std::error_code ec;
  fs::path abs = fs::absolute(dir, ec);
  if (ec || !fs::is_directory(abs, ec)) {
    return util::fail(fmt::format("'{}' is not a directory", dir));
  }
  abs = fs::weakly_canonical(abs, ec);

  RepositoryInfo info;
  info.sha = std::string(k_zero_sha);
  git_repository* raw = nullptr;
  int rc = git_repository_open_ext(&raw, abs.c_str(), 0, nullptr);
  std::unique_ptr<Impl> impl;
  if (rc == 0 && git_repository_workdir(raw) != nullptr) {
    impl = std::make_unique<Impl>();
    impl->repo.reset(raw);
    info.is_git = true;
    info.root = fs::path(git_repository_workdir(raw)).lexically_normal().string();
    if (info.root.size() > 1 && info.root.back() == '/') info.root.pop_back();
    fill_head(raw, info);
    info.default_branch = find_default_branch(raw);
  } else {
    if (raw) git_repository_free(raw);  // a bare repository: treat as a plain directory
    info.root = abs.string();
  }
  if (info.branch.empty() && info.default_branch.empty()) info.default_branch = "main";
  if (info.default_branch.empty()) info.default_branch = info.branch;

  ConfigPtr config = open_config(impl ? impl->repo.get() : nullptr);
  // The origin URL from the config, not git_remote_lookup: libgit2 1.5 leaks a pcre2 match
  // block per config entry while applying `insteadOf` rules (fixed upstream in 1.6).
  if (impl) info.remote_url = config_string(config.get(), "remote.origin.url");
  info.actor = config_string(config.get(), "user.name");
  info.actor_email = config_string(config.get(), "user.email");
  if (info.actor.empty()) info.actor = env_or("USER", "pipewright");
  fill_identity(directory_name(fs::path(info.root)), info);
  return Repository(std::move(info), std::move(impl));
}

util::Expected<std::string> Repository::resolve(std::string_view revision) const {
  if (!m_impl)
    return util::fail(fmt::format("cannot resolve '{}': not a git repository", revision));
  PW_TRY(commit, m_impl->lookup_commit(revision));
  return oid_string(*git_commit_id(commit.get()));
}

util::Expected<CommitInfo> Repository::commit(std::string_view sha) const {
  if (!m_impl) return util::fail(fmt::format("cannot read commit '{}': not a git repository", sha));
  PW_TRY(commit, m_impl->lookup_commit(sha));
  CommitInfo info;
  info.sha = oid_string(*git_commit_id(commit.get()));
  info.tree_sha = oid_string(*git_commit_tree_id(commit.get()));
  if (const char* msg = git_commit_message(commit.get())) info.message = msg;
  while (!info.message.empty() && info.message.back() == '\n')
    info.message.pop_back();
  if (const git_signature* a = git_commit_author(commit.get())) {
    info.author_name = a->name ? a->name : "";
    info.author_email = a->email ? a->email : "";
  }
  if (const git_signature* c = git_commit_committer(commit.get())) {
    info.committer_name = c->name ? c->name : "";
    info.committer_email = c->email ? c->email : "";
    info.time = c->when.time;
    info.time_offset_minutes = c->when.offset;
  }
  return info;
}

util::Expected<std::string> Repository::parent(std::string_view sha) const {
  if (!m_impl) return util::fail("not a git repository");
  PW_TRY(commit, m_impl->lookup_commit(sha));
  if (git_commit_parentcount(commit.get()) == 0) return std::string(k_zero_sha);
  return oid_string(*git_commit_parent_id(commit.get(), 0));
}

util::Expected<std::string> Repository::merge_base(std::string_view a, std::string_view b) const {
  if (!m_impl) return util::fail("not a git repository");
  PW_TRY(ca, m_impl->lookup_commit(a));
  PW_TRY(cb, m_impl->lookup_commit(b));
  git_oid base;
  if (git_merge_base(&base, m_impl->repo.get(), git_commit_id(ca.get()), git_commit_id(cb.get())) !=
      0) {
    return std::unexpected(git_failure(fmt::format("no merge base of '{}' and '{}'", a, b)));
  }
  return oid_string(base);
}

util::Expected<std::vector<CommitInfo>> Repository::commits_between(std::string_view from,
                                                                    std::string_view to,
                                                                    size_t limit) const {
  if (!m_impl) return util::fail("not a git repository");
  git_revwalk* raw = nullptr;
  if (git_revwalk_new(&raw, m_impl->repo.get()) != 0)
    return std::unexpected(git_failure("revwalk"));
  WalkPtr walk(raw);
  git_revwalk_sorting(raw, GIT_SORT_TOPOLOGICAL | GIT_SORT_TIME);
  PW_TRY(to_commit, m_impl->lookup_commit(to));
  git_revwalk_push(raw, git_commit_id(to_commit.get()));
  if (from != k_zero_sha) {
    PW_TRY(from_commit, m_impl->lookup_commit(from));
    git_revwalk_hide(raw, git_commit_id(from_commit.get()));
  }
  std::vector<CommitInfo> newest_first;
  git_oid oid;
  while (newest_first.size() < limit && git_revwalk_next(&oid, raw) == 0) {
    PW_TRY(info, commit(oid_string(oid)));
    newest_first.push_back(std::move(info));
  }
  std::reverse(newest_first.begin(), newest_first.end());
  return newest_first;
}

util::Expected<ChangedFiles> Repository::changed_files(std::string_view from, std::string_view to,
                                                       DiffMode mode, size_t limit) const {
  if (!m_impl) return util::fail("not a git repository");
  std::string base(from);
  if (mode == DiffMode::three_dot && from != k_zero_sha) {
    PW_TRY(merge, merge_base(from, to));
    base = merge;
  }
  PW_TRY(old_tree, m_impl->tree_of(base));
  PW_TRY(new_tree, m_impl->tree_of(to));
  git_diff_options options;
  git_diff_options_init(&options, GIT_DIFF_OPTIONS_VERSION);
  git_diff* raw = nullptr;
  if (git_diff_tree_to_tree(&raw, m_impl->repo.get(), old_tree.get(), new_tree.get(), &options) !=
      0) {
    return std::unexpected(git_failure("cannot diff"));
  }
  DiffPtr diff(raw);
  ChangedFiles out;
  size_t deltas = git_diff_num_deltas(raw);
  for (size_t i = 0; i < deltas; ++i) {
    const git_diff_delta* delta = git_diff_get_delta(raw, i);
    const char* old_path = delta->old_file.path;
    const char* new_path = delta->new_file.path;
    auto add = [&](const char* path) {
      ++out.total;
      if (out.files.size() < limit) out.files.emplace_back(path);
    };
    if (old_path) add(old_path);
    if (new_path && (!old_path || std::string_view(old_path) != new_path)) add(new_path);
  }
  return out;
}

util::Expected<std::vector<std::string>> Repository::working_tree_files() const {
  std::vector<std::string> files;
  std::error_code ec;
  if (!m_impl) {
    fs::recursive_directory_iterator it(m_info.root, ec), end;
    if (ec) return util::fail(fmt::format("cannot list '{}': {}", m_info.root, ec.message()));
    for (; it != end; it.increment(ec)) {
      if (ec) return util::fail(fmt::format("cannot list '{}': {}", m_info.root, ec.message()));
      if (it->is_symlink(ec) || it->is_regular_file(ec)) {
        files.push_back(fs::relative(it->path(), m_info.root, ec).string());
      }
    }
    std::sort(files.begin(), files.end());
    return files;
  }
  git_repository* repo = m_impl->repo.get();
  // Tracked files still present in the working tree.
  git_index* raw_index = nullptr;
  if (git_repository_index(&raw_index, repo) != 0) return std::unexpected(git_failure("index"));
  IndexPtr index(raw_index);
  size_t count = git_index_entrycount(raw_index);
  for (size_t i = 0; i < count; ++i) {
    const git_index_entry* entry = git_index_get_byindex(raw_index, i);
    if (!entry || entry->mode == GIT_FILEMODE_COMMIT) continue;  // submodules are not copied
    struct stat st;
    std::string full = m_info.root + "/" + entry->path;
    if (::lstat(full.c_str(), &st) == 0 && !S_ISDIR(st.st_mode)) files.emplace_back(entry->path);
  }
  // Untracked files that are not ignored.
  git_status_options options;
  git_status_options_init(&options, GIT_STATUS_OPTIONS_VERSION);
  options.show = GIT_STATUS_SHOW_WORKDIR_ONLY;
  options.flags = GIT_STATUS_OPT_INCLUDE_UNTRACKED | GIT_STATUS_OPT_RECURSE_UNTRACKED_DIRS;
  git_status_list* raw_status = nullptr;
  if (git_status_list_new(&raw_status, repo, &options) != 0) {
    return std::unexpected(git_failure("status"));
  }
  StatusPtr status(raw_status);
  size_t entries = git_status_list_entrycount(raw_status);
  for (size_t i = 0; i < entries; ++i) {
    const git_status_entry* entry = git_status_byindex(raw_status, i);
    if (entry && (entry->status & GIT_STATUS_WT_NEW) && entry->index_to_workdir) {
      files.emplace_back(entry->index_to_workdir->new_file.path);
    }
  }
  std::sort(files.begin(), files.end());
  files.erase(std::unique(files.begin(), files.end()), files.end());
  return files;
}

bool parse_remote_url(std::string_view url, std::string& owner, std::string& name,
                      std::string& host) {
  std::string_view path = url;
  host.clear();
  if (size_t scheme = url.find("://"); scheme != std::string_view::npos) {
    std::string_view proto = url.substr(0, scheme);
    std::string_view rest = url.substr(scheme + 3);
    size_t slash = rest.find('/');
    std::string_view authority = rest.substr(0, slash);
    path = slash == std::string_view::npos ? std::string_view() : rest.substr(slash + 1);
    if (proto != "file") {
      if (size_t at = authority.rfind('@'); at != std::string_view::npos) {
        authority = authority.substr(at + 1);
      }
      // An ssh port is not part of the web address; an https one is.
      if (proto != "https" && proto != "http") authority = authority.substr(0, authority.find(':'));
      host = std::string(authority);
    }
  } else if (size_t colon = url.find(':');
             colon != std::string_view::npos && url.find('/') > colon && !url.starts_with('/')) {
    // scp-like: [user@]host:owner/repo.git
    std::string_view authority = url.substr(0, colon);
    if (size_t at = authority.rfind('@'); at != std::string_view::npos) {
      authority = authority.substr(at + 1);
    }
    host = std::string(authority);
    path = url.substr(colon + 1);
  }
  while (!path.empty() && path.back() == '/')
    path.remove_suffix(1);
  if (path.ends_with(".git")) path.remove_suffix(4);
  while (!path.empty() && path.back() == '/')
    path.remove_suffix(1);
  size_t last = path.rfind('/');
  if (last == std::string_view::npos || last == 0) return false;
  std::string_view repo = path.substr(last + 1);
  std::string_view before = path.substr(0, last);
  std::string_view own = before.substr(before.rfind('/') + 1);
  if (repo.empty() || own.empty()) return false;
  owner = std::string(own);
  name = std::string(repo);
  return true;
}

void Repository::name_as(std::string_view full_name) {
  size_t slash = full_name.find('/');
  if (slash == std::string_view::npos) return;
  m_info.repository = std::string(full_name);
  m_info.repository_owner = std::string(full_name.substr(0, slash));
}

}  // namespace pipewright::plan
