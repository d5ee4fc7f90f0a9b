// Masker throughput: 50 secrets over 64 MiB of log-like text, streamed in
// 64 KiB chunks (a pipe read), against a plain memcpy of the same bytes.
// Both report bytes_per_second; the ratio is what `pipewright run` pays for
// masking on top of copying output.
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

#include "pipewright/exec/masker.h"

namespace {

constexpr size_t k_log_size = 64 * 1024 * 1024;
constexpr size_t k_chunk = 64 * 1024;
constexpr int k_secrets = 50;

std::vector<std::string> make_secrets() {
  std::mt19937 random(1);
  const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";
  std::vector<std::string> secrets;
  for (int i = 0; i < k_secrets; ++i) {
    std::string secret = i % 5 == 0 ? "ghp_" : (i % 5 == 1 ? "AKIA" : "");
    size_t length = 12 + random() % 28;
    while (secret.size() < length)
      secret.push_back(alphabet[random() % alphabet.size()]);
    secrets.push_back(secret);
  }
  return secrets;
}

// Lines like a build's output: compiler invocations, test results, package
// downloads, timestamps; one line in 500 prints a secret.
std::string make_log(const std::vector<std::string>& secrets) {
  std::mt19937 random(2);
  const std::vector<std::string> templates = {
      "[%d/1834] Building CXX object src/pipewright/expr/CMakeFiles/pw_expr.dir/parser.cc.o",
      "2026-11-23T01:02:%dZ INFO  worker: job 'test (3.11, ubuntu-latest)' step 4 started",
      "Downloading https://files.pythonhosted.org/packages/%d/requests-2.31.0-py3-none-any.whl",
      "  PASSED tests/test_items.py::test_create_item[%d] in 0.03s",
      "warning: unused variable 'result' [-Wunused-variable] at src/app/service.cc:%d:17",
      "npm http fetch GET 200 https://registry.npmjs.org/lodash %dms (cache miss)",
      "   Compiling serde_json v1.0.%d",
      "{\"level\":\"debug\",\"ts\":%d,\"msg\":\"request "
      "served\",\"status\":200,\"path\":\"/items\"}",
  };
  std::string log;
  log.reserve(k_log_size + 256);
  char line[512];
  while (log.size() < k_log_size) {
    const std::string& pattern = templates[random() % templates.size()];
    int length =
        std::snprintf(line, sizeof line, pattern.c_str(), static_cast<int>(random() % 10000));
    log.append(line, static_cast<size_t>(length));
    if (random() % 500 == 0) log += " token=" + secrets[random() % secrets.size()];
    log.push_back('\n');
  }
  log.resize(k_log_size);
  return log;
}

const std::vector<std::string>& secrets() {
  static const std::vector<std::string> value = make_secrets();
  return value;
}

const std::string& log_text() {
  static const std::string value = make_log(secrets());
  return value;
}

void BM_Memcpy(benchmark::State& state) {
  const std::string& log = log_text();
  std::vector<char> out(k_chunk);
  for (auto _ : state) {
    for (size_t pos = 0; pos < log.size(); pos += k_chunk) {
      size_t n = std::min(k_chunk, log.size() - pos);
      std::memcpy(out.data(), log.data() + pos, n);
      benchmark::DoNotOptimize(out.data());
      benchmark::ClobberMemory();
    }
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) *
                          static_cast<int64_t>(log.size()));
}
BENCHMARK(BM_Memcpy)->Unit(benchmark::kMillisecond);

void BM_Masker50Secrets(benchmark::State& state) {
  const std::string& log = log_text();
  pipewright::exec::Masker masker;
  for (const std::string& secret : secrets())
    masker.add_secret(secret);
  std::string out;
  out.reserve(2 * k_chunk);
  size_t masked_bytes = 0;
  for (auto _ : state) {
    pipewright::exec::MaskStream stream(masker);
    masked_bytes = 0;
    for (size_t pos = 0; pos < log.size(); pos += k_chunk) {
      out.clear();
      stream.write(std::string_view(log).substr(pos, k_chunk), out);
      masked_bytes += out.size();
      benchmark::DoNotOptimize(out.data());
    }
    out.clear();
    stream.finish(out);
    masked_bytes += out.size();
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) *
                          static_cast<int64_t>(log.size()));
  state.counters["patterns"] = static_cast<double>(masker.pattern_count());
  state.counters["states"] = static_cast<double>(masker.automaton()->state_count());
  state.counters["out_MiB"] = static_cast<double>(masked_bytes) / (1024.0 * 1024.0);
}
BENCHMARK(BM_Masker50Secrets)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
