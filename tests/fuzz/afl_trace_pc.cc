// Coverage feedback for AFL++ from GCC's -fsanitize-coverage=trace-pc, used when the
// AFL++ GCC plugin cannot load (scripts/fuzz.sh explains when). GCC calls
// __sanitizer_cov_trace_pc() at the start of every instrumented basic block; this file
// turns the caller's address into a block id and records the edge (previous block,
// this block) in AFL++'s shared coverage map, the way AFL's own instrumentation does.
// It is compiled without instrumentation (it would otherwise call itself).
#include <cstddef>
#include <cstdint>

extern "C" {

// Provided by AFL++'s afl-compiler-rt.o: the coverage map (the shared memory when run
// under afl-fuzz, a private buffer otherwise).
extern uint8_t* __afl_area_ptr;

void __sanitizer_cov_trace_pc();

}  // extern "C"

namespace {

// The map is at least 64 KiB (AFL++'s MAP_SIZE); edge ids stay below that.
constexpr uintptr_t k_map_mask = (uintptr_t{1} << 16) - 1;

thread_local uintptr_t t_previous_block = 0;

// A well-mixed 16-bit id for a code address (a multiplicative hash).
inline uintptr_t block_id(uintptr_t pc) {
  uint64_t x = static_cast<uint64_t>(pc);
  x ^= x >> 29;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 32;
  return static_cast<uintptr_t>(x) & k_map_mask;
}

}  // namespace

extern "C" __attribute__((no_sanitize_coverage)) void __sanitizer_cov_trace_pc() {
  uintptr_t current = block_id(reinterpret_cast<uintptr_t>(__builtin_return_address(0)));
  uint8_t& counter = __afl_area_ptr[(current ^ t_previous_block) & k_map_mask];
  counter = static_cast<uint8_t>(counter + 1 + (counter == 255));  // never wraps to 0
  t_previous_block = current >> 1;
}
