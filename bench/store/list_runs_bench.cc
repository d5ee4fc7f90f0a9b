// Store::list_runs with 100,000 runs stored (issue 12 §7: `GET /api/v1/runs` p99 ≤ 20 ms):
// one page of 30 runs plus total_count, for the filters the API offers. Each case times
// every call and reports p50/p99 in milliseconds as counters (Google Benchmark's own
// figure is the mean).
//
// The runs are written in one transaction straight into history.db (the API would take
// minutes to record 100k runs and is not what is measured): 20 repositories, 5 workflow
// files, 10 branches, 4 events, 1 in 7 failed, 1 in 100 queued, in creation order. No
// ANALYZE: the store never runs one, so the planner works without statistics here too.
#include <algorithm>
#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>
#include <fmt/format.h>
#include <unistd.h>

#include "pipewright/store/schema.h"
#include "pipewright/store/sqlite.h"
#include "pipewright/store/store.h"

namespace {

using namespace pipewright;

constexpr int k_runs = 100'000;
constexpr int k_repos = 20;

struct Filled {
  std::string dir;
  std::unique_ptr<store::Store> store;
  ~Filled() {
    store.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
};

std::string repo_name(int index) {
  return fmt::format("acme/repo-{}", index % k_repos);
}

// The data dir with k_runs runs, opened once for every case.
void fill(Filled& f) {
  f.dir = (std::filesystem::temp_directory_path() / fmt::format("pw-bench-runs-{}", ::getpid()))
              .string();
  std::filesystem::remove_all(f.dir);
  auto opened = store::open_sqlite_store(f.dir);  // creates and migrates
  if (!opened) throw std::runtime_error(opened.error().message);
  opened->reset();
  auto db = store::sql::Database::open(f.dir + "/history.db", 10000);
  if (!db) throw std::runtime_error(db.error().message);
  auto tx = store::sql::Transaction::begin(*db);
  if (!tx) throw std::runtime_error(tx.error().message);
  const char* events[] = {"push", "pull_request", "schedule", "workflow_dispatch"};
  std::vector<int> numbers(k_repos * 5, 0);
  for (int i = 0; i < k_runs; ++i) {
    int repo = i % k_repos;
    int workflow = (i / k_repos) % 5;
    int64_t at = 1'700'000'000'000 + int64_t{i} * 60'000;
    bool queued = i % 100 == 99;
    auto insert = db->prepare(
        "INSERT INTO runs (repo, workflow_file, workflow_name, run_number, event, ref, "
        "head_branch, sha, status, result, created_at, started_at, updated_at, finished_at, "
        "owner_pid, owner_boot_id, owner_start) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, '', 0)");
    if (!insert) throw std::runtime_error(insert.error().message);
    std::string branch = fmt::format("branch-{}", (i / 7) % 10);
    std::optional<std::string> result;
    if (!queued) result = i % 7 == 3 ? "failure" : "success";
    std::optional<int64_t> finished;
    if (!queued) finished = at + 30'000;
    insert->bind(repo_name(i), fmt::format(".github/workflows/w{}.yml", workflow),
                 fmt::format("W{}", workflow), ++numbers[repo * 5 + workflow], events[i % 4],
                 "refs/heads/" + branch, branch, "0123456789abcdef0123456789abcdef01234567",
                 queued ? "queued" : "completed", result, at, at, at, finished);
    if (auto ran = insert->run(); !ran) throw std::runtime_error(ran.error().message);
  }
  if (auto done = tx->commit(); !done) throw std::runtime_error(done.error().message);
  if (auto analyzed = db->exec("ANALYZE"); !analyzed)
    throw std::runtime_error(analyzed.error().message);
  auto store = store::open_sqlite_store(f.dir);
  if (!store) throw std::runtime_error(store.error().message);
  f.store = std::move(*store);
}

Filled& filled() {
  static Filled filled;
  if (!filled.store) fill(filled);
  return filled;
}

void list_page(benchmark::State& state, const store::RunFilter& filter, int page) {
  store::Store& store = *filled().store;
  std::vector<double> ms;
  for (auto _ : state) {
    auto start = std::chrono::steady_clock::now();
    auto listed = store.list_runs(filter, page, 30);
    auto end = std::chrono::steady_clock::now();
    if (!listed || listed->runs.empty()) {
      state.SkipWithError("list_runs failed or returned nothing");
      return;
    }
    benchmark::DoNotOptimize(listed->total_count);
    ms.push_back(std::chrono::duration<double, std::milli>(end - start).count());
  }
  std::sort(ms.begin(), ms.end());
  auto at = [&](double q) {
    return ms[std::min(ms.size() - 1, static_cast<size_t>(q * ms.size()))];
  };
  state.counters["p50_ms"] = at(0.50);
  state.counters["p99_ms"] = at(0.99);
}

void BM_ListRunsAll(benchmark::State& state) {
  list_page(state, {}, 1);
}
void BM_ListRunsRepo(benchmark::State& state) {
  list_page(state, {.repo = repo_name(3)}, 1);
}
void BM_ListRunsRepoBranch(benchmark::State& state) {
  list_page(state, {.repo = repo_name(3), .branch = "branch-4"}, 1);
}
void BM_ListRunsRepoEventFailed(benchmark::State& state) {
  list_page(state,
            {.repo = repo_name(3), .event = "workflow_dispatch", .result = store::Result::failure},
            1);
}
void BM_ListRunsQueued(benchmark::State& state) {
  list_page(state, {.status = store::Status::queued}, 1);
}
void BM_ListRunsRepoWorkflow(benchmark::State& state) {
  list_page(state, {.repo = repo_name(3), .workflow_file = ".github/workflows/w2.yml"}, 1);
}
// Filters no index leads with: the count reads every run.
void BM_ListRunsFailed(benchmark::State& state) {
  list_page(state, {.result = store::Result::failure}, 1);
}
void BM_ListRunsBranch(benchmark::State& state) {
  list_page(state, {.branch = "branch-4"}, 1);
}
void BM_ListRunsAllPage100(benchmark::State& state) {
  list_page(state, {}, 100);
}

BENCHMARK(BM_ListRunsAll)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ListRunsRepo)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ListRunsRepoBranch)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ListRunsRepoEventFailed)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ListRunsQueued)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ListRunsRepoWorkflow)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ListRunsFailed)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ListRunsBranch)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ListRunsAllPage100)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
