// Driver for bench/cache/run.sh and bench/artifact/run.sh (not a Google Benchmark:
// one timed save + restore of a whole tree, like the tar commands it is compared with).
//
//   cache_bench cache TREE DATA_DIR     save TREE under a key, move TREE aside to
//                                       TREE.orig, restore it; prints the timings
//   cache_bench artifact TREE DATA_DIR  upload TREE as an artifact, download it into
//                                       TREE.download; prints the timings
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>

#include <sys/resource.h>

#include "pipewright/exec/actions/artifact_store.h"
#include "pipewright/exec/actions/cache_store.h"

namespace {

using pipewright::exec::actions::ArtifactStore;
using pipewright::exec::actions::ArtifactStoreOptions;
using pipewright::exec::actions::CacheStore;
using pipewright::exec::actions::CacheStoreOptions;
using pipewright::exec::actions::DownloadRequest;
using pipewright::exec::actions::UploadRequest;
using Clock = std::chrono::steady_clock;

// User + system CPU seconds of this process (all threads) so far.
double cpu_seconds() {
  rusage usage{};
  ::getrusage(RUSAGE_SELF, &usage);
  auto secs = [](const timeval& t) { return static_cast<double>(t.tv_sec) + t.tv_usec / 1e6; };
  return secs(usage.ru_utime) + secs(usage.ru_stime);
}

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

int fail(const std::string& what, const std::string& message) {
  std::fprintf(stderr, "cache_bench: %s: %s\n", what.c_str(), message.c_str());
  return 1;
}

int bench_cache(const std::string& tree, const std::string& data) {
  CacheStoreOptions options;
  options.dir = data + "/caches";
  options.workspace = std::filesystem::path(tree).parent_path().string();
  CacheStore store(options);
  auto start = Clock::now();
  auto saved = store.save({"bench-key", tree, "refs/heads/main", false});
  double save_s = seconds_since(start);
  if (!saved) return fail("save", saved.error().message);
  if (!saved->saved) return fail("save", saved->warning);
  std::filesystem::rename(tree, tree + ".orig");
  start = Clock::now();
  auto restored = store.restore({"bench-key", {}, tree, {"refs/heads/main"}, false, false});
  double restore_s = seconds_since(start);
  if (!restored) return fail("restore", restored.error().message);
  if (!restored->exact) return fail("restore", "no exact hit");
  std::printf("save %.3f\nrestore %.3f\ncpu %.3f\nfiles %llu\narchive_bytes %llu\n", save_s,
              restore_s, cpu_seconds(), static_cast<unsigned long long>(saved->files),
              static_cast<unsigned long long>(saved->size));
  return 0;
}

int bench_artifact(const std::string& tree, const std::string& data) {
  ArtifactStoreOptions options;
  options.dir = data + "/artifacts";
  options.workspace = std::filesystem::path(tree).parent_path().string();
  ArtifactStore store(options);
  UploadRequest up;
  up.run_id = "1";
  up.name = "bench";
  up.paths = tree;
  up.include_hidden_files = true;
  auto start = Clock::now();
  auto uploaded = store.upload(up);
  double upload_s = seconds_since(start);
  if (!uploaded) return fail("upload", uploaded.error().message);
  if (!uploaded->artifact_id) return fail("upload", "nothing uploaded");
  start = Clock::now();
  auto downloaded = store.download({"1", "bench", std::nullopt, "", false, tree + ".download"});
  double download_s = seconds_since(start);
  if (!downloaded) return fail("download", downloaded.error().message);
  std::printf("upload %.3f\ndownload %.3f\nfiles %llu\narchive_bytes %llu\n", upload_s, download_s,
              static_cast<unsigned long long>(uploaded->files),
              static_cast<unsigned long long>(uploaded->size));
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: cache_bench cache|artifact TREE DATA_DIR\n");
    return 2;
  }
  std::string mode = argv[1];
  if (mode == "cache") return bench_cache(argv[2], argv[3]);
  if (mode == "artifact") return bench_artifact(argv[2], argv[3]);
  std::fprintf(stderr, "cache_bench: unknown mode %s\n", argv[1]);
  return 2;
}
