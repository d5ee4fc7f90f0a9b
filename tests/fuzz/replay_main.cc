// Runs a fuzz harness (LLVMFuzzerTestOneInput) over files, in an ordinary build: the
// regression test for every seed and every reproducer kept in tests/fuzz/regressions/.
//
// Usage: fuzz_replay_<target> PATH...   (a PATH is a file or a directory, read recursively;
// a missing directory counts as empty). Exits 0 after replaying at least one input,
// 2 when there was nothing to replay or a file could not be read. A crash in the harness
// crashes this program, which is how the test fails.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

namespace fs = std::filesystem;

// Regular files under `path` (or `path` itself), sorted for a stable order.
std::vector<fs::path> inputs_under(const fs::path& path) {
  std::vector<fs::path> files;
  std::error_code ec;
  if (fs::is_directory(path, ec)) {
    for (const auto& entry : fs::recursive_directory_iterator(path, ec)) {
      if (entry.is_regular_file()) files.push_back(entry.path());
    }
  } else if (fs::exists(path, ec)) {
    files.push_back(path);
  }
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace

int main(int argc, char** argv) {
  size_t replayed = 0;
  for (int i = 1; i < argc; ++i) {
    for (const fs::path& file : inputs_under(argv[i])) {
      std::ifstream in(file, std::ios::binary);
      std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      if (!in.good() && !in.eof()) {
        std::fprintf(stderr, "fuzz_replay: cannot read %s\n", file.c_str());
        return 2;
      }
      std::fprintf(stderr, "fuzz_replay: %s\n", file.c_str());
      LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(data.data()), data.size());
      ++replayed;
    }
  }
  if (replayed == 0) {
    std::fprintf(stderr, "fuzz_replay: no inputs found\n");
    return 2;
  }
  std::printf("fuzz_replay: %zu inputs replayed without a crash\n", replayed);
  return 0;
}
