// The event a run is for: its name and webhook payload (synthesized from the repository,
// or read from `-e FILE.json` and merged over the synthesized one, or a webhook
// delivery's as sent), plus the facts derived from it that triggers and contexts need
// (ref, sha, PR refs, changed files).
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "pipewright/expr/value.h"
#include "pipewright/plan/repository.h"
#include "pipewright/util/error.h"

namespace pipewright::plan {

struct Event {
  std::string name;     // push, pull_request, workflow_dispatch, schedule, ...
  expr::Value payload;  // github.event

  // Derived from the payload and the repository.
  std::string sha;       // github.sha
  std::string ref;       // github.ref (refs/heads/x, refs/tags/v1, refs/pull/1/merge, or "")
  std::string head_ref;  // PRs: the head branch; "" otherwise
  std::string base_ref;  // PRs: the base branch; "" otherwise
  std::string action;    // payload.action ("" when none), for `types`
  // Changed files for `paths` filters (first 300; see ChangedFiles::total). nullopt when
  // they cannot be known (not a git repository): path filters then pass.
  std::optional<ChangedFiles> changed_files;

  // The branch or tag name `ref` points at (refs/heads/ and refs/tags/ stripped).
  std::string ref_name() const;
  // branch or tag (from `ref`).
  RefType ref_type() const;
};

struct EventOptions {
  std::string name = "push";
  std::string event_path;  // -e FILE.json ("" when none); its payload wins over ours
  // A ref to run as: a full ref (`refs/tags/v1`) or a short name (a tag at HEAD becomes
  // refs/tags/<name>, anything else refs/heads/<name>). "" = the current branch, or the
  // tag when HEAD is detached exactly at one. A `ref` in the event file wins.
  std::string ref;
  // workflow_dispatch `--input k=v` (as strings; github.event.inputs holds strings). These
  // win over the event file's `inputs` (they are the more explicit of the two).
  std::vector<std::pair<std::string, std::string>> inputs;
};

// Builds the event for `options` from `repository`. Fails when the event file cannot be
// read or is not a JSON object.
util::Expected<Event> build_event(const EventOptions& options, const Repository& repository);

// The event of a webhook delivery: `payload` exactly as sent (nothing synthesized or
// merged), with ref, sha, PR refs, action and changed files derived as build_event
// derives them. Commits are looked up in `repository` (the run's repository or its
// mirror): a push's changed files are before..after when both commits are there,
// unknown otherwise (path filters then pass); a payload that names no commit runs at
// the default branch's head. Fails when `payload` is not a JSON object.
util::Expected<Event> event_from_payload(const std::string& name, const expr::Value& payload,
                                         const Repository& repository);

// Reads `path` as a JSON object (at most 16 MiB).
util::Expected<expr::Value> read_event_file(const std::string& path);

// Deep merge: objects merge key by key, anything else in `overlay` replaces `base`.
expr::Value merge_payload(const expr::Value& base, const expr::Value& overlay);

// The synthesized payloads (exposed for tests and `pipewright eval`).
expr::Value push_payload(const Repository& repository, const std::string& ref,
                         const std::string& before, const std::string& after);
expr::Value pull_request_payload(const Repository& repository, const std::string& head_branch,
                                 const std::string& base_branch);
// The `repository` object of payloads.
expr::Value repository_payload(const RepositoryInfo& info);

}  // namespace pipewright::plan
