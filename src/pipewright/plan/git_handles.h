// Owning pointers for libgit2 handles, for the .cc files that use libgit2 (the local
// repository here, the server's mirror). Include only from .cc files: it pulls in git2.h.
#pragma once

#include <memory>

#include <git2.h>

namespace pipewright::plan::git {

template <class T, void (*Free)(T*)>
struct GitFree {
  void operator()(T* p) const { Free(p); }
};
template <class T, void (*Free)(T*)>
using GitPtr = std::unique_ptr<T, GitFree<T, Free>>;

using RepoPtr = GitPtr<git_repository, git_repository_free>;
using RefPtr = GitPtr<git_reference, git_reference_free>;
using ObjectPtr = GitPtr<git_object, git_object_free>;
using CommitPtr = GitPtr<git_commit, git_commit_free>;
using TreePtr = GitPtr<git_tree, git_tree_free>;
using TreeEntryPtr = GitPtr<git_tree_entry, git_tree_entry_free>;
using BlobPtr = GitPtr<git_blob, git_blob_free>;
using DiffPtr = GitPtr<git_diff, git_diff_free>;
using ConfigPtr = GitPtr<git_config, git_config_free>;
using WalkPtr = GitPtr<git_revwalk, git_revwalk_free>;
using IndexPtr = GitPtr<git_index, git_index_free>;
using StatusPtr = GitPtr<git_status_list, git_status_list_free>;
using RemotePtr = GitPtr<git_remote, git_remote_free>;
using IterPtr = GitPtr<git_reference_iterator, git_reference_iterator_free>;

}  // namespace pipewright::plan::git
