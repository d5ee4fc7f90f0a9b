// Runs, jobs and steps as the API answers them: GitHub's REST field names (id, name,
// event, status, conclusion, head_sha, head_branch, run_number, run_attempt,
// created_at, run_started_at, updated_at; jobs with steps), RFC 3339 UTC times.
#pragma once

#include <nlohmann/json_fwd.hpp>

#include "pipewright/store/record.h"

namespace pipewright::server {

// "2026-12-07T21:40:00Z".
std::string rfc3339(store::TimePoint time);

// GitHub's status of a run or job: queued, in_progress, completed (an interrupted one
// is completed with conclusion "interrupted"); waiting when queued with a reason that
// is not a free slot.
std::string api_status(store::Status status);
// The conclusion, or null while not completed.
nlohmann::json api_conclusion(store::Status status, const std::optional<store::Result>& result);

nlohmann::json run_json(const store::RunRecord& run);
nlohmann::json job_json(const store::RunRecord& run, const store::JobDetail& job);

}  // namespace pipewright::server
