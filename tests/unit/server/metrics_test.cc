#include "pipewright/server/metrics.h"

#include <array>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <limits>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include "unit/temp_dir.h"

namespace pipewright::server {
namespace {

using namespace std::chrono_literals;

class MetricsTest : public test_support::TempDirTest {
 protected:
  struct Check {
    int exit_code = -1;
    std::string output;
  };

  // Feeds `text` to the real `promtool check metrics` (Prometheus' own parser and
  // linter), as a scraper would read it. Skips when promtool is not installed.
  Check promtool_check(const std::string& text) {
    if (::access("/usr/bin/promtool", X_OK) != 0) {
      ADD_FAILURE() << "promtool missing: apt-get install prometheus (scripts/install-deps.sh)";
      return {};
    }
    std::string input = path("metrics.txt");
    std::ofstream(input) << text;
    std::string command = "/usr/bin/promtool check metrics < '" + input + "' 2>&1";
    FILE* pipe = ::popen(command.c_str(), "r");
    Check check;
    std::array<char, 4096> buffer;
    size_t n;
    while ((n = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0)
      check.output.append(buffer.data(), n);
    int status = ::pclose(pipe);
    check.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return check;
  }

  // The sample lines of `text` whose series starts with `prefix`.
  static std::vector<std::string> lines_starting(const std::string& text,
                                                 const std::string& prefix) {
    std::vector<std::string> found;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);)
      if (line.starts_with(prefix)) found.push_back(line);
    return found;
  }
};

TEST_F(MetricsTest, ServerMetricsPassPromtoolWithZeroProblems) {
  Registry registry;
  ServerMetrics metrics(registry, {"0.1.0", "c5ac548"}, std::chrono::system_clock::time_point{});
  metrics.runs_total.labels({"success"}).inc();
  metrics.jobs_total.labels({"failure"}).inc(2);
  metrics.queue_depth.set(3);
  metrics.jobs_running.inc();
  metrics.queue_wait_seconds.observe(0.2);
  metrics.job_duration_seconds.observe(42);
  metrics.webhook_delivery(WebhookOutcome::bad_signature);
  metrics.retention_deleted_runs_total.inc(7);
  metrics.http_requests_total.labels({"api", "200"}).inc();

  std::string text = registry.render();
  Check check = promtool_check(text);
  EXPECT_EQ(check.exit_code, 0) << check.output << "\n" << text;
  EXPECT_EQ(check.output, "") << text;

  // Every contract name is there with its HELP and TYPE.
  for (std::string name :
       {"pipewright_build_info gauge", "pipewright_runs_total counter",
        "pipewright_jobs_total counter", "pipewright_queue_depth gauge",
        "pipewright_jobs_running gauge", "pipewright_queue_wait_seconds histogram",
        "pipewright_job_duration_seconds histogram", "pipewright_webhook_deliveries_total counter",
        "pipewright_retention_deleted_runs_total counter", "pipewright_http_requests_total counter",
        "pipewright_server_start_time_seconds gauge"}) {
    EXPECT_NE(text.find("\n# TYPE " + name + "\n"), std::string::npos) << name << "\n" << text;
  }
  EXPECT_NE(text.find("pipewright_build_info{version=\"0.1.0\",commit=\"c5ac548\"} 1\n"),
            std::string::npos);
  EXPECT_NE(text.find("pipewright_jobs_total{result=\"failure\"} 2\n"), std::string::npos);
  EXPECT_NE(text.find("pipewright_http_requests_total{class=\"api\",code=\"200\"} 1\n"),
            std::string::npos);
  EXPECT_NE(text.find("pipewright_retention_deleted_runs_total 7\n"), std::string::npos);
}

TEST_F(MetricsTest, PromtoolRejectsWhatItShould) {
  // The check above means something only if promtool reports problems it is shown.
  Check unescaped = promtool_check("# TYPE a_total counter\na_total{x=\"b\nc\"} 1\n");
  EXPECT_NE(unescaped.exit_code, 0);
  Check unlinted = promtool_check("# HELP a x\n# TYPE a counter\na 1\n");
  EXPECT_NE(unlinted.exit_code, 0);
  EXPECT_NE(unlinted.output.find("_total"), std::string::npos) << unlinted.output;
}

TEST_F(MetricsTest, WebhookOutcomesExistAtZeroAndCountSeparately) {
  Registry registry;
  ServerMetrics metrics(registry, {"v", "c"}, std::chrono::system_clock::time_point{});
  metrics.webhook_delivery(WebhookOutcome::accepted);
  metrics.webhook_delivery(WebhookOutcome::accepted);
  metrics.webhook_delivery(WebhookOutcome::duplicate);

  std::string text = registry.render();
  EXPECT_EQ(lines_starting(text, "pipewright_webhook_deliveries_total{"),
            (std::vector<std::string>{
                "pipewright_webhook_deliveries_total{outcome=\"accepted\"} 2",
                "pipewright_webhook_deliveries_total{outcome=\"bad_signature\"} 0",
                "pipewright_webhook_deliveries_total{outcome=\"duplicate\"} 1",
                "pipewright_webhook_deliveries_total{outcome=\"ignored\"} 0",
                "pipewright_webhook_deliveries_total{outcome=\"invalid\"} 0",
            }));
  // Results are there before the first run finishes, so rate() works from the start.
  EXPECT_EQ(lines_starting(text, "pipewright_runs_total{result=\"failure\"}"),
            std::vector<std::string>{"pipewright_runs_total{result=\"failure\"} 0"});
}

TEST_F(MetricsTest, StartTimeIsSecondsSinceTheEpoch) {
  Registry registry;
  ServerMetrics metrics(registry, {"v", "c"},
                        std::chrono::system_clock::time_point{1765000000s + 500ms});
  EXPECT_EQ(lines_starting(registry.render(), "pipewright_server_start_time_seconds "),
            std::vector<std::string>{"pipewright_server_start_time_seconds 1765000000.5"});
}

TEST_F(MetricsTest, LabelValuesAndHelpAreEscaped) {
  Registry registry;
  registry.counter("odd_total", "Help with a \\ backslash\nand a \"quote\".", {"path"})
      .labels({"C:\\dir \"x\"\nnext"})
      .inc();
  std::string text = registry.render();
  // HELP escapes backslash and newline only; label values also escape the quote.
  EXPECT_EQ(text,
            "# HELP odd_total Help with a \\\\ backslash\\nand a \"quote\".\n"
            "# TYPE odd_total counter\n"
            "odd_total{path=\"C:\\\\dir \\\"x\\\"\\nnext\"} 1\n");
  Check check = promtool_check(text);
  EXPECT_EQ(check.exit_code, 0) << check.output;
  EXPECT_EQ(check.output, "");
}

TEST_F(MetricsTest, HistogramBucketsAreCumulativeAndCountMatchesInf) {
  Registry registry;
  Histogram& h = registry.histogram("wait_seconds", "Wait.", {0.25, 1, 10}).labels();
  for (double v : {0.125, 0.25, 0.5, 1.0, 3.0, 11.0, 500.0})
    h.observe(v);
  h.observe(std::numeric_limits<double>::quiet_NaN());  // ignored

  std::string text = registry.render();
  EXPECT_EQ(lines_starting(text, "wait_seconds"), (std::vector<std::string>{
                                                      "wait_seconds_bucket{le=\"0.25\"} 2",
                                                      "wait_seconds_bucket{le=\"1\"} 4",
                                                      "wait_seconds_bucket{le=\"10\"} 5",
                                                      "wait_seconds_bucket{le=\"+Inf\"} 7",
                                                      "wait_seconds_sum 515.875",
                                                      "wait_seconds_count 7",
                                                  }));
  Check check = promtool_check(text);
  EXPECT_EQ(check.exit_code, 0) << check.output;
  EXPECT_EQ(check.output, "");
}

TEST_F(MetricsTest, LabelledHistogramPutsLeLast) {
  Registry registry;
  registry.histogram("d_seconds", "D.", {1}, {"repo"}).labels({"acme/api"}).observe(0.5);
  EXPECT_EQ(lines_starting(registry.render(), "d_seconds_bucket"),
            (std::vector<std::string>{"d_seconds_bucket{repo=\"acme/api\",le=\"1\"} 1",
                                      "d_seconds_bucket{repo=\"acme/api\",le=\"+Inf\"} 1"}));
}

TEST_F(MetricsTest, SpecialValuesRenderAsPrometheusFloats) {
  Registry registry;
  GaugeFamily& g = registry.gauge("g", "G.", {"k"});
  g.labels({"inf"}).set(std::numeric_limits<double>::infinity());
  g.labels({"ninf"}).set(-std::numeric_limits<double>::infinity());
  g.labels({"nan"}).set(std::numeric_limits<double>::quiet_NaN());
  g.labels({"small"}).set(0.001);
  std::string text = registry.render();
  EXPECT_EQ(lines_starting(text, "g{"),
            (std::vector<std::string>{"g{k=\"inf\"} +Inf", "g{k=\"nan\"} NaN", "g{k=\"ninf\"} -Inf",
                                      "g{k=\"small\"} 0.001"}));
  Check check = promtool_check(text);
  EXPECT_EQ(check.exit_code, 0) << check.output;
}

TEST_F(MetricsTest, CountersNeverGoDown) {
  Registry registry;
  Counter& c = registry.counter("c_total", "C.").labels();
  c.inc(2);
  c.inc(-1);
  c.inc(std::numeric_limits<double>::quiet_NaN());
  EXPECT_EQ(c.value(), 2);
}

TEST_F(MetricsTest, OnRenderHooksRunBeforeRendering) {
  Registry registry;
  Gauge& depth = registry.gauge("depth", "Depth.").labels();
  int calls = 0;
  registry.on_render([&] { depth.set(++calls * 10); });
  EXPECT_NE(registry.render().find("\ndepth 10\n"), std::string::npos);
  EXPECT_NE(registry.render().find("\ndepth 20\n"), std::string::npos);
}

TEST_F(MetricsTest, ProgrammingErrorsThrow) {
  Registry registry;
  registry.counter("a_total", "A.", {"x"});
  EXPECT_THROW(registry.counter("a_total", "Again."), std::invalid_argument);
  EXPECT_THROW(registry.gauge("a_total", "Again as a gauge."), std::invalid_argument);
  EXPECT_THROW(registry.counter("1bad", "B."), std::invalid_argument);
  EXPECT_THROW(registry.counter("has-dash", "B."), std::invalid_argument);
  EXPECT_THROW(registry.counter("", "B."), std::invalid_argument);
  EXPECT_THROW(registry.counter("b_total", "B.", {"__reserved"}), std::invalid_argument);
  EXPECT_THROW(registry.counter("b_total", "B.", {"ok:no"}), std::invalid_argument);
  EXPECT_THROW(registry.counter("b_total", "B.", {"x", "x"}), std::invalid_argument);
  EXPECT_THROW(registry.histogram("h", "H.", {1}, {"le"}), std::invalid_argument);
  EXPECT_THROW(registry.histogram("h", "H.", {}), std::invalid_argument);
  EXPECT_THROW(registry.histogram("h", "H.", {1, 1}), std::invalid_argument);
  EXPECT_THROW(registry.histogram("h", "H.", {2, 1}), std::invalid_argument);
  EXPECT_THROW(registry.histogram("h", "H.", {1, std::numeric_limits<double>::infinity()}),
               std::invalid_argument);
  CounterFamily& a = registry.counter("c_total", "C.", {"x", "y"});
  EXPECT_THROW(a.labels({"only one"}), std::invalid_argument);
  EXPECT_THROW(a.labels(), std::invalid_argument);
  // A rejected registration leaves nothing behind: the name is still free.
  EXPECT_NO_THROW(registry.histogram("h", "H.", {1, 2}));
}

TEST_F(MetricsTest, ConcurrentUpdatesSumExactly) {
  Registry registry;
  CounterFamily& counters = registry.counter("hits_total", "Hits.", {"route"});
  Gauge& gauge = registry.gauge("inflight", "In flight.").labels();
  Histogram& histogram = registry.histogram("lat_seconds", "Latency.", {0.5, 1.5}).labels();

  constexpr int k_threads = 8;
  constexpr int k_iterations = 20000;
  std::vector<std::thread> threads;
  for (int t = 0; t < k_threads; ++t) {
    threads.emplace_back([&, t] {
      // Each thread resolves children itself (some shared, one its own) while others
      // render, as request handlers and a scraper do.
      Counter& shared = counters.labels({"shared"});
      Counter& own = counters.labels({"t" + std::to_string(t)});
      for (int i = 0; i < k_iterations; ++i) {
        shared.inc();
        own.inc();
        counters.labels({"looked_up"}).inc();
        gauge.inc();
        gauge.dec(0.5);
        histogram.observe(i % 2);  // half in le=0.5, half in le=1.5
        if (i % 5000 == 0) (void)registry.render();
      }
    });
  }
  for (auto& thread : threads)
    thread.join();

  constexpr double k_total = double(k_threads) * k_iterations;
  EXPECT_EQ(counters.labels({"shared"}).value(), k_total);
  EXPECT_EQ(counters.labels({"looked_up"}).value(), k_total);
  for (int t = 0; t < k_threads; ++t)
    EXPECT_EQ(counters.labels({"t" + std::to_string(t)}).value(), k_iterations);
  EXPECT_EQ(gauge.value(), k_total / 2);
  Histogram::Snapshot snap = histogram.snapshot();
  EXPECT_EQ(snap.cumulative,
            (std::vector<uint64_t>{uint64_t(k_total / 2), uint64_t(k_total), uint64_t(k_total)}));
  EXPECT_EQ(snap.count, uint64_t(k_total));
  EXPECT_EQ(snap.sum, k_total / 2);
}

}  // namespace
}  // namespace pipewright::server
