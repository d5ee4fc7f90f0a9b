// Internal: the generated table of simple uppercase mappings (casefold_table.cc).
#pragma once

#include <cstddef>
#include <cstdint>

namespace pipewright::expr::detail {

// Code points first..last (every `stride`-th) map to cp + delta.
struct CaseRun {
  char32_t first;
  char32_t last;
  int32_t delta;
  int32_t stride;
};

extern const CaseRun k_upper_runs[];
extern const size_t k_upper_run_count;

}  // namespace pipewright::expr::detail
