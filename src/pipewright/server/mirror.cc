// The mirror is a bare repository whose refspecs map the source's refs one to one
// (refs/heads/*, refs/tags/*, refs/pull/*), so a ref means the same in both. Its HEAD
// follows the source's HEAD, which is how the default branch is remembered.
//
// Crash safety: libgit2 writes refs and packs through lock and temporary files renamed
// into place, so a killed fetch leaves the old refs intact plus, at worst, stale `*.lock`
// files that would make every later ref update fail. Every fetch holds an flock on
// <mirror>/pipewright.flock (released by the kernel when its holder dies); under it no
// other writer can be running, so any lock file found then is stale and removed.
//
// A checkout borrows the mirror's objects through objects/info/alternates (as
// `git clone --shared` does): instant, and the mirror never deletes objects.
#include "pipewright/server/mirror.h"

#include <algorithm>
#include <array>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <system_error>

#include <fmt/format.h>
#include <unistd.h>

#include "pipewright/os/file_lock.h"
#include "pipewright/plan/git_handles.h"

namespace pipewright::server {

namespace fs = std::filesystem;

namespace {

using namespace plan::git;  // owning libgit2 handles

constexpr const char* k_remote = "origin";
constexpr std::array<const char*, 3> k_refspecs{
    "+refs/heads/*:refs/heads/*", "+refs/tags/*:refs/tags/*",
    "+refs/pull/*:refs/pull/*",  // GitHub's and Gitea's pull request refs, when served
};
constexpr const char* k_flock = "pipewright.flock";
constexpr size_t k_max_file = 16 * 1024 * 1024;

void init_libgit2() {
  static std::once_flag once;
  std::call_once(once, [] { git_libgit2_init(); });
}

std::unexpected<util::Error> git_fail(std::string what) {
  const ::git_error* e = git_error_last();
  if (e && e->message) what += std::string(": ") + e->message;
  return std::unexpected(util::Error{std::move(what), {}, {}});
}

std::string oid_string(const git_oid& oid) {
  char buf[GIT_OID_HEXSZ + 1];
  git_oid_tostr(buf, sizeof buf, &oid);
  return buf;
}

bool is_url(const std::string& source) {
  return source.find("://") != std::string::npos;
}

// A local source becomes an absolute path, so the server's working directory never matters.
std::string normalise_source(const std::string& source) {
  if (is_url(source) || source.empty()) return source;
  std::error_code ec;
  fs::path abs = fs::absolute(source, ec);
  return ec ? source : abs.lexically_normal().string();
}

bool is_zero_sha(std::string_view sha) {
  return sha.size() == GIT_OID_HEXSZ && sha.find_first_not_of('0') == std::string_view::npos;
}

bool is_stale(const fs::path& file) {
  std::string name = file.filename().string();
  return name.ends_with(".lock") ||
         (file.parent_path().filename() == "pack" && name.starts_with("pack_git2_"));
}

// Removes lock and temporary files a killed writer left (see the top of the file): in the
// mirror's top directory (HEAD, config, packed-refs), under refs/ and in objects/pack/.
void remove_stale_files(const fs::path& dir) {
  std::error_code ec;
  for (const fs::path& flat : {dir, dir / "objects" / "pack"})
    for (fs::directory_iterator it(flat, ec), end; !ec && it != end; it.increment(ec))
      if (it->is_regular_file(ec) && is_stale(it->path())) fs::remove(it->path(), ec);
  ec.clear();
  for (fs::recursive_directory_iterator it(dir / "refs", ec), end; !ec && it != end;
       it.increment(ec))
    if (it->is_regular_file(ec) && is_stale(it->path())) fs::remove(it->path(), ec);
}

util::Expected<void> set_remote(git_repository* repo, const std::string& source) {
  git_remote* raw = nullptr;
  if (git_remote_lookup(&raw, repo, k_remote) == 0) {
    RemotePtr remote(raw);
    if (source == git_remote_url(raw)) return {};
    if (git_remote_set_url(repo, k_remote, source.c_str()) != 0)
      return git_fail("cannot set the mirror's source to " + source);
    return {};
  }
  if (git_remote_create_with_fetchspec(&raw, repo, k_remote, source.c_str(), k_refspecs[0]) != 0)
    return git_fail("cannot add the source " + source);
  RemotePtr remote(raw);
  for (size_t i = 1; i < k_refspecs.size(); ++i)
    if (git_remote_add_fetch(repo, k_remote, k_refspecs[i]) != 0)
      return git_fail("cannot configure the mirror's refspecs");
  return {};
}

}  // namespace

struct Mirror::Impl {
  RepoPtr repo;

  util::Expected<CommitPtr> commit(const std::string& spec) const {
    if (spec.empty()) return util::fail("an empty revision names no commit");
    git_object* obj = nullptr;
    if (git_revparse_single(&obj, repo.get(), spec.c_str()) != 0)
      return git_fail(fmt::format("unknown revision '{}' in the mirror", spec));
    ObjectPtr holder(obj);
    git_object* peeled = nullptr;
    if (git_object_peel(&peeled, obj, GIT_OBJECT_COMMIT) != 0)
      return git_fail(fmt::format("'{}' is not a commit", spec));
    return CommitPtr(reinterpret_cast<git_commit*>(peeled));
  }

  // The tree of `sha`; null for the zero sha (the empty tree).
  util::Expected<TreePtr> tree(const std::string& sha) const {
    if (is_zero_sha(sha)) return TreePtr();
    PW_TRY(c, commit(sha));
    git_tree* raw = nullptr;
    if (git_commit_tree(&raw, c.get()) != 0) return git_fail("cannot read the tree of " + sha);
    return TreePtr(raw);
  }

  // Every ref of the mirror with the commit (or tag object) it points at.
  std::vector<std::pair<std::string, std::string>> refs(const char* glob) const {
    std::vector<std::pair<std::string, std::string>> out;
    git_reference_iterator* raw = nullptr;
    if (git_reference_iterator_glob_new(&raw, repo.get(), glob) != 0) return out;
    IterPtr iter(raw);
    git_reference* ref = nullptr;
    while (git_reference_next(&ref, raw) == 0) {
      RefPtr holder(ref);
      if (git_reference_type(ref) != GIT_REFERENCE_DIRECT) continue;
      out.emplace_back(git_reference_name(ref), oid_string(*git_reference_target(ref)));
    }
    std::sort(out.begin(), out.end());
    return out;
  }
};

Mirror::Mirror(std::string dir, std::string source, std::unique_ptr<Impl> impl)
    : m_dir(std::move(dir)), m_source(std::move(source)), m_impl(std::move(impl)) {}
Mirror::Mirror(Mirror&&) noexcept = default;
Mirror& Mirror::operator=(Mirror&&) noexcept = default;
Mirror::~Mirror() = default;

util::Expected<Mirror> Mirror::open_or_create(const std::string& dir, const std::string& source) {
  init_libgit2();
  if (source.empty()) return util::fail("a repository needs a source (a path or a git URL)");
  std::string src = normalise_source(source);
  std::error_code ec;
  fs::path path = fs::absolute(dir, ec).lexically_normal();
  git_repository* raw = nullptr;
  if (fs::exists(path, ec)) {
    if (git_repository_open_bare(&raw, path.c_str()) != 0)
      return git_fail(fmt::format("{} exists but is not a git mirror", path.string()));
  } else {
    // Made aside and renamed into place, so a kill mid-creation leaves no half mirror.
    fs::create_directories(path.parent_path(), ec);
    if (ec)
      return util::fail(
          fmt::format("cannot create {}: {}", path.parent_path().string(), ec.message()));
    fs::path tmp = path;
    tmp += fmt::format(".new-{}", ::getpid());
    fs::remove_all(tmp, ec);
    if (git_repository_init(&raw, tmp.c_str(), /*is_bare=*/1) != 0)
      return git_fail("cannot create the mirror " + path.string());
    RepoPtr made(raw);
    if (auto r = set_remote(raw, src); !r) return std::unexpected(r.error());
    made.reset();
    fs::rename(tmp, path, ec);
    if (ec && !fs::exists(path))
      return util::fail("cannot create " + path.string() + ": " + ec.message());
    fs::remove_all(tmp, ec);  // another process won the race: use its mirror
    if (git_repository_open_bare(&raw, path.c_str()) != 0)
      return git_fail("cannot open the mirror " + path.string());
  }
  auto impl = std::make_unique<Impl>();
  impl->repo.reset(raw);
  if (auto r = set_remote(raw, src); !r) return std::unexpected(r.error());
  return Mirror(path.string(), src, std::move(impl));
}

util::Expected<void> Mirror::fetch() {
  PW_TRY(lock, os::FileLock::acquire((fs::path(m_dir) / k_flock).string()));
  remove_stale_files(m_dir);
  git_remote* raw = nullptr;
  if (git_remote_lookup(&raw, m_impl->repo.get(), k_remote) != 0)
    return git_fail("the mirror " + m_dir + " has no source");
  RemotePtr remote(raw);

  // The source's HEAD first (its default branch), then the objects and refs.
  git_remote_callbacks callbacks;
  git_remote_init_callbacks(&callbacks, GIT_REMOTE_CALLBACKS_VERSION);
  if (git_remote_connect(raw, GIT_DIRECTION_FETCH, &callbacks, nullptr, nullptr) != 0)
    return git_fail("cannot reach " + m_source);
  git_buf head = GIT_BUF_INIT;
  std::string head_ref;
  if (git_remote_default_branch(&head, raw) == 0) head_ref.assign(head.ptr, head.size);
  git_buf_dispose(&head);
  git_remote_disconnect(raw);

  git_fetch_options options;
  git_fetch_options_init(&options, GIT_FETCH_OPTIONS_VERSION);
  options.prune = GIT_FETCH_PRUNE;
  options.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_NONE;  // the refspecs name refs/tags/*
  options.update_fetchhead = 0;
  if (git_remote_fetch(raw, nullptr, &options, "pipewright: fetch") != 0)
    return git_fail("cannot fetch " + m_source);

  if (head_ref.starts_with("refs/heads/") &&
      git_repository_set_head(m_impl->repo.get(), head_ref.c_str()) != 0)
    return git_fail("cannot record the default branch " + head_ref);
  return {};
}

util::Expected<std::string> Mirror::resolve(const std::string& ref) {
  PW_TRY(c, m_impl->commit(ref));
  return oid_string(*git_commit_id(c.get()));
}

util::Expected<std::string> Mirror::default_branch() {
  git_reference* raw = nullptr;
  if (git_reference_lookup(&raw, m_impl->repo.get(), "HEAD") != 0)
    return git_fail("the mirror " + m_dir + " has no HEAD");
  RefPtr head(raw);
  std::string target = git_reference_type(raw) == GIT_REFERENCE_SYMBOLIC
                           ? git_reference_symbolic_target(raw)
                           : std::string();
  git_reference* branch = nullptr;
  if (!target.starts_with("refs/heads/") ||
      git_reference_lookup(&branch, m_impl->repo.get(), target.c_str()) != 0)
    return util::fail("the default branch of " + m_source + " is not known", {},
                      "fetch the mirror first; the source may have no branch yet");
  git_reference_free(branch);
  return target.substr(11);
}

util::Expected<void> Mirror::checkout(const std::string& sha, const std::string& ref,
                                      const std::string& dest) {
  PW_TRY(full, resolve(sha));
  std::error_code ec;
  fs::path path = fs::absolute(dest, ec).lexically_normal();
  if (fs::exists(path, ec) && !fs::is_empty(path, ec))
    return util::fail("cannot check out into " + path.string() + ": it is not empty");
  bool created = !fs::exists(path, ec);
  auto cleanup = [&] {
    std::error_code ignored;
    if (created) {
      fs::remove_all(path, ignored);
    } else {
      for (const auto& e : fs::directory_iterator(path, ignored))
        fs::remove_all(e, ignored);
    }
  };
  auto failed = [&](std::unexpected<util::Error> error) {
    cleanup();
    return error;
  };

  git_repository* raw = nullptr;
  if (git_repository_init(&raw, path.c_str(), /*is_bare=*/0) != 0)
    return failed(git_fail("cannot create a repository at " + path.string()));
  RepoPtr repo(raw);
  fs::path git_dir = git_repository_path(raw);
  {
    std::ofstream alternates(git_dir / "objects" / "info" / "alternates");
    alternates << (fs::path(m_dir) / "objects").string() << "\n";
    if (!alternates) return failed(util::fail("cannot write " + git_dir.string() + "/objects"));
  }
  // Reopen so libgit2 sees the borrowed objects.
  repo.reset();
  if (git_repository_open(&raw, path.c_str()) != 0)
    return failed(git_fail("cannot open " + path.string()));
  repo.reset(raw);
  if (auto r = set_remote(raw, m_source); !r) return failed(std::unexpected(r.error()));

  // Every ref of the mirror, packed in one file: branches both local and as origin/*, so
  // the run sees what a clone would (tags for `git describe`, the default branch).
  auto heads = m_impl->refs("refs/heads/*");
  {
    std::ofstream packed(git_dir / "packed-refs");
    packed << "# pack-refs with: sorted\n";
    std::vector<std::pair<std::string, std::string>> all;
    for (const auto& [name, oid] : heads) {
      all.emplace_back(name, oid);
      all.emplace_back("refs/remotes/origin/" + name.substr(11), oid);
    }
    for (const char* glob : {"refs/tags/*", "refs/pull/*"})
      for (auto& entry : m_impl->refs(glob))
        all.push_back(std::move(entry));
    std::sort(all.begin(), all.end());
    for (const auto& [name, oid] : all)
      packed << oid << ' ' << name << '\n';
    if (!packed) return failed(util::fail("cannot write the refs of " + path.string()));
  }
  if (auto branch = default_branch()) {
    git_reference* sym = nullptr;
    std::string target = "refs/remotes/origin/" + *branch;
    if (git_reference_symbolic_create(&sym, raw, "refs/remotes/origin/HEAD", target.c_str(), 1,
                                      nullptr) == 0)
      git_reference_free(sym);
  }

  // HEAD: on branch X for refs/heads/X (or a bare name), the ref itself pointing at the
  // commit otherwise, and detached at the commit.
  git_oid oid;
  git_oid_fromstr(&oid, full.c_str());
  std::string branch_ref;
  if (ref.starts_with("refs/heads/")) {
    branch_ref = ref;
  } else if (!ref.empty() && !ref.starts_with("refs/")) {
    branch_ref = "refs/heads/" + ref;
  }
  const std::string& named = branch_ref.empty() ? ref : branch_ref;
  // The run's ref points at the run's commit, even when the branch moved on since; a tag
  // that already peels to it keeps its (annotated) tag object.
  bool keep = named.starts_with("refs/tags/") && [&] {
    auto peeled = resolve(named);
    return peeled && *peeled == full;
  }();
  if (!named.empty() && !keep) {
    git_reference* made = nullptr;
    if (git_reference_create(&made, raw, named.c_str(), &oid, 1, "pipewright: checkout") != 0)
      return failed(git_fail("cannot create " + named));
    git_reference_free(made);
  }
  int rc = branch_ref.empty() ? git_repository_set_head_detached(raw, &oid)
                              : git_repository_set_head(raw, branch_ref.c_str());
  if (rc != 0) return failed(git_fail("cannot point HEAD at " + full));

  git_checkout_options options;
  git_checkout_options_init(&options, GIT_CHECKOUT_OPTIONS_VERSION);
  options.checkout_strategy = GIT_CHECKOUT_FORCE;
  if (git_checkout_head(raw, &options) != 0)
    return failed(git_fail("cannot check out " + full + " into " + path.string()));
  return {};
}

util::Expected<plan::ChangedFiles> Mirror::changed_files(const std::string& before,
                                                         const std::string& after,
                                                         plan::DiffMode mode, size_t limit) {
  std::string base = before;
  if (mode == plan::DiffMode::three_dot && !is_zero_sha(before)) {
    PW_TRY(a, resolve(before));
    PW_TRY(b, resolve(after));
    git_oid oa, ob, merge;
    git_oid_fromstr(&oa, a.c_str());
    git_oid_fromstr(&ob, b.c_str());
    if (git_merge_base(&merge, m_impl->repo.get(), &oa, &ob) != 0)
      return git_fail(fmt::format("{} and {} have no common ancestor", before, after));
    base = oid_string(merge);
  }
  PW_TRY(old_tree, m_impl->tree(base));
  PW_TRY(new_tree, m_impl->tree(after));
  git_diff_options options;
  git_diff_options_init(&options, GIT_DIFF_OPTIONS_VERSION);
  git_diff* raw = nullptr;
  if (git_diff_tree_to_tree(&raw, m_impl->repo.get(), old_tree.get(), new_tree.get(), &options) !=
      0)
    return git_fail(fmt::format("cannot diff {} and {}", base, after));
  DiffPtr diff(raw);
  plan::ChangedFiles out;
  auto add = [&](const char* path) {
    ++out.total;
    if (out.files.size() < limit) out.files.emplace_back(path);
  };
  for (size_t i = 0, n = git_diff_num_deltas(raw); i < n; ++i) {
    const git_diff_delta* delta = git_diff_get_delta(raw, i);
    const char* old_path = delta->old_file.path;
    const char* new_path = delta->new_file.path;
    if (old_path) add(old_path);
    if (new_path && (!old_path || std::string_view(old_path) != new_path)) add(new_path);
  }
  return out;
}

util::Expected<std::vector<std::pair<std::string, std::string>>> Mirror::branch_heads() {
  std::vector<std::pair<std::string, std::string>> out;
  for (auto& [name, oid] : m_impl->refs("refs/heads/*"))
    out.emplace_back(name.substr(11), oid);
  return out;
}

util::Expected<std::string> Mirror::read_file(const std::string& sha, const std::string& path) {
  PW_TRY(tree, m_impl->tree(sha));
  if (!tree) return util::fail("no file " + path + " in the empty tree");
  git_tree_entry* raw = nullptr;
  if (git_tree_entry_bypath(&raw, tree.get(), path.c_str()) != 0)
    return util::fail(fmt::format("no file {} at {}", path, sha));
  TreeEntryPtr entry(raw);
  if (git_tree_entry_type(raw) != GIT_OBJECT_BLOB)
    return util::fail(fmt::format("{} at {} is not a file", path, sha));
  git_blob* blob = nullptr;
  if (git_blob_lookup(&blob, m_impl->repo.get(), git_tree_entry_id(raw)) != 0)
    return git_fail(fmt::format("cannot read {} at {}", path, sha));
  BlobPtr holder(blob);
  auto size = static_cast<size_t>(git_blob_rawsize(blob));
  if (size > k_max_file)
    return util::fail(fmt::format("{} at {} is larger than 16 MiB", path, sha));
  return std::string(static_cast<const char*>(git_blob_rawcontent(blob)), size);
}

util::Expected<std::vector<std::string>> Mirror::list_files(const std::string& sha,
                                                            const std::string& dir) {
  PW_TRY(tree, m_impl->tree(sha));
  std::vector<std::string> names;
  if (!tree) return names;
  TreePtr sub;
  const git_tree* list = tree.get();
  std::string trimmed = dir;
  while (!trimmed.empty() && trimmed.back() == '/')
    trimmed.pop_back();
  if (!trimmed.empty() && trimmed != ".") {
    git_tree_entry* raw = nullptr;
    if (git_tree_entry_bypath(&raw, tree.get(), trimmed.c_str()) != 0) return names;
    TreeEntryPtr entry(raw);
    if (git_tree_entry_type(raw) != GIT_OBJECT_TREE) return names;
    git_tree* t = nullptr;
    if (git_tree_lookup(&t, m_impl->repo.get(), git_tree_entry_id(raw)) != 0)
      return git_fail(fmt::format("cannot read {} at {}", dir, sha));
    sub.reset(t);
    list = t;
  }
  for (size_t i = 0, n = git_tree_entrycount(list); i < n; ++i) {
    const git_tree_entry* e = git_tree_entry_byindex(list, i);
    if (git_tree_entry_type(e) == GIT_OBJECT_BLOB) names.emplace_back(git_tree_entry_name(e));
  }
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace pipewright::server
