// GitHub's limits on outputs ("Defining outputs for jobs"): the outputs of a job are at
// most 1 MB, all outputs of a run at most 50 MB, sizes approximated as UTF-16. The
// engine also holds each value a step writes to GITHUB_OUTPUT, GITHUB_ENV or
// GITHUB_STATE to the 1 MB, and counts step outputs with job outputs against the run's
// 50 MB: what a step writes is then bounded before anything parses it, and a run's
// memory does not grow with what its steps write.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>

namespace pipewright::exec {

inline constexpr uint64_t k_job_outputs_limit = 1024 * 1024;
inline constexpr uint64_t k_value_limit = k_job_outputs_limit;  // one env-file value
inline constexpr uint64_t k_run_outputs_limit = 50 * 1024 * 1024;
// A GITHUB_ENV / _OUTPUT / _STATE / _PATH file larger than this is refused unread (as
// many bytes as the outputs of a whole run).
inline constexpr uint64_t k_file_command_limit = k_run_outputs_limit;

// The size GitHub counts for `text` (UTF-8): its length in UTF-16, in bytes.
uint64_t output_size(std::string_view text);

// `bytes` with thousands separators, as GitHub writes its limits ("1,048,576").
std::string format_byte_count(uint64_t bytes);

// GitHub's annotation when a job's outputs are over k_job_outputs_limit:
// "Job outputs exceed 1,048,576 bytes".
std::string job_outputs_too_large_message();

// "Workflow run outputs exceed 52,428,800 bytes" (the same form for the run's limit).
std::string run_outputs_too_large_message();

// What the outputs of one run have used of k_run_outputs_limit. Thread-safe (the run's
// jobs share it).
class OutputBudget {
 public:
  explicit OutputBudget(uint64_t limit = k_run_outputs_limit) : m_limit(limit) {}
  // Takes `bytes`; false, taking nothing, when they do not fit in what is left.
  bool take(uint64_t bytes);
  uint64_t used() const { return m_used.load(); }

 private:
  uint64_t m_limit;
  std::atomic<uint64_t> m_used{0};
};

}  // namespace pipewright::exec
