// Expression engine throughput: parse only, evaluate only (pre-parsed) and both,
// for the kinds of expressions workflows are made of. Reports evaluations per second
// as items_per_second.
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

#include "pipewright/expr/evaluator.h"
#include "pipewright/expr/json.h"
#include "pipewright/expr/parser.h"

namespace {

using namespace pipewright::expr;

const char* const k_expressions[] = {
    "github.event_name == 'push' && contains(github.ref, 'refs/tags/')",
    "format('{0}-{1}-{2}', runner.os, matrix.python, hashFiles_key || github.sha)",
    "fromJSON('{\"include\": [{\"os\": \"ubuntu-latest\", \"python\": \"3.12\"}, {\"os\": "
    "\"macos-latest\"}]}')",
    "toJSON(github)",
    "github.event.pull_request.labels.*.name",
    "!cancelled() && (needs.build.result == 'success' || needs.build.result == 'skipped')",
};

const char* const k_names[] = {"condition", "format", "fromJSON", "toJSON", "wildcard", "status"};

ParseOptions options() {
  return ParseOptions{.named_values = {"github", "runner", "matrix", "needs", "hashFiles_key"}};
}

EvalContext make_context() {
  EvalContext c;
  c.set("github", *parse_json(R"({
    "event_name": "push", "ref": "refs/tags/v1.2.3", "sha": "2ce6b095f4cceb616efed52266e3e3c0367ba795",
    "repository": "monalisa/testing", "workflow": "CI", "run_id": "2827197126",
    "event": {"pull_request": {"number": 42, "labels": [{"name": "bug"}, {"name": "ci"}, {"name": "perf"}]},
              "commits": [{"id": "2ce6b095", "message": "Update main.yml", "author": {"name": "mona"}}]}})"));
  c.set("runner", *parse_json(R"({"os": "Linux", "arch": "X64", "temp": "/tmp"})"));
  c.set("matrix", *parse_json(R"({"python": "3.12", "os": "ubuntu-latest"})"));
  c.set("needs", *parse_json(R"({"build": {"result": "success", "outputs": {}}})"));
  return c;
}

void BM_Parse(benchmark::State& state) {
  const char* text = k_expressions[state.range(0)];
  ParseOptions opts = options();
  for (auto _ : state) {
    auto e = parse(text, opts);
    benchmark::DoNotOptimize(e);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetLabel(k_names[state.range(0)]);
}

void BM_Evaluate(benchmark::State& state) {
  auto e = parse(k_expressions[state.range(0)], options());
  if (!e) {
    state.SkipWithError(e.error().message.c_str());
    return;
  }
  EvalContext context = make_context();
  for (auto _ : state) {
    auto v = evaluate(*e, context);
    benchmark::DoNotOptimize(v);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetLabel(k_names[state.range(0)]);
}

void BM_ParseAndEvaluate(benchmark::State& state) {
  const char* text = k_expressions[state.range(0)];
  ParseOptions opts = options();
  EvalContext context = make_context();
  for (auto _ : state) {
    auto e = parse(text, opts);
    auto v = evaluate(*e, context);
    benchmark::DoNotOptimize(v);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetLabel(k_names[state.range(0)]);
}

constexpr int k_count = static_cast<int>(std::size(k_expressions));

BENCHMARK(BM_Parse)->DenseRange(0, k_count - 1);
BENCHMARK(BM_Evaluate)->DenseRange(0, k_count - 1);
BENCHMARK(BM_ParseAndEvaluate)->DenseRange(0, k_count - 1);

}  // namespace

BENCHMARK_MAIN();
