// The server API's JSON (GitHub's REST field names, /work/briefs/api.md) read into the
// records the local commands print, so `history`, `logs` and `artifacts` have one
// printing path whether their data comes from the local history or a server.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "pipewright/server/admin.h"
#include "pipewright/store/record.h"
#include "pipewright/util/error.h"

namespace pipewright::cli {

// An artifact as `pipewright artifacts RUN` lists it ('-' where the source does not say).
struct ArtifactRow {
  std::string id;
  std::string name;
  std::string files;
  uint64_t bytes = 0;
  int64_t created_s = 0;  // seconds since the epoch
};

// An RFC 3339 time ("2026-12-07T21:40:00Z", fractions and offsets allowed); nullopt for
// anything else (an absent or null field included).
std::optional<store::TimePoint> parse_api_time(std::string_view text);

// A run object ("id", "name", "path", "event", "status", "conclusion", ...). Fails
// naming the field when a required one ("id") is missing or of the wrong type.
util::Expected<store::RunRecord> run_from_api(const nlohmann::json& run);
// A run object with its "jobs" (each with "steps").
util::Expected<store::RunDetail> run_detail_from_api(const nlohmann::json& run);
// {"workflow_runs": [...]}.
util::Expected<std::vector<store::RunRecord>> runs_from_api(const nlohmann::json& page);
// A job's log as GET .../jobs/{job_id}/logs gives it, split into its steps' logs: each
// step's lines sit between "##[group]<step name>" and "##[endgroup]" lines (GitHub's
// downloaded-log layout), in the order of `steps`. nullopt when the text is not exactly
// that (then it is shown whole).
std::optional<std::vector<std::string>> split_job_log(std::string_view text,
                                                      const std::vector<store::StepRecord>& steps);
// {"artifacts": [{"name", "size_in_bytes", "created_at", ...}]}.
util::Expected<std::vector<ArtifactRow>> artifacts_from_api(const nlohmann::json& list);
// A repository object ("full_name", "source", "default_branch", "poll_seconds", ...).
util::Expected<server::admin::RepoInfo> repo_from_api(const nlohmann::json& repo);

}  // namespace pipewright::cli
