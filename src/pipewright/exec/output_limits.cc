#include "pipewright/exec/output_limits.h"

#include "pipewright/util/utf8.h"

namespace pipewright::exec {

uint64_t output_size(std::string_view text) {
  return static_cast<uint64_t>(util::utf16_length(text)) * 2;
}

std::string format_byte_count(uint64_t bytes) {
  std::string digits = std::to_string(bytes);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out.push_back(',');
    out.push_back(digits[i]);
  }
  return out;
}

std::string job_outputs_too_large_message() {
  return "Job outputs exceed " + format_byte_count(k_job_outputs_limit) + " bytes";
}

std::string run_outputs_too_large_message() {
  return "Workflow run outputs exceed " + format_byte_count(k_run_outputs_limit) + " bytes";
}

bool OutputBudget::take(uint64_t bytes) {
  uint64_t used = m_used.load();
  do {
    if (bytes > m_limit || used > m_limit - bytes) return false;
  } while (!m_used.compare_exchange_weak(used, used + bytes));
  return true;
}

}  // namespace pipewright::exec
