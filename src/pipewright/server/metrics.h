// Prometheus metrics for `pipewright serve`: a small thread-safe registry of counters,
// gauges and fixed-bucket histograms, rendered in the text exposition format 0.0.4
// (what `GET /metrics` answers), and ServerMetrics, the server's metric set whose names
// and labels are a contract with dashboards and contrib/prometheus/alerts.yml.
//
// Hand-written rather than prometheus-cpp: the format is small, and this way the hot path
// (webhook ingest, job start/finish) is a single relaxed atomic add on a child resolved
// once — no lock, no label lookup. Looking a child up by label values takes a shared
// lock; creating one takes the family's lock once. Children live as long as the registry.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace pipewright::server {

// The Content-Type of render()'s output.
inline constexpr std::string_view k_metrics_content_type =
    "text/plain; version=0.0.4; charset=utf-8";

// A monotonically increasing value (Prometheus counter).
class Counter {
 public:
  // Adds `amount` (>= 0; a negative or NaN amount is a programming error and is ignored).
  void inc(double amount = 1);
  double value() const { return m_value.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> m_value{0};
};

// A value that goes up and down (Prometheus gauge).
class Gauge {
 public:
  void set(double value) { m_value.store(value, std::memory_order_relaxed); }
  void inc(double amount = 1) { m_value.fetch_add(amount, std::memory_order_relaxed); }
  void dec(double amount = 1) { m_value.fetch_add(-amount, std::memory_order_relaxed); }
  double value() const { return m_value.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> m_value{0};
};

// Observations counted into fixed buckets (Prometheus histogram). Bounds are upper
// bounds (inclusive, `le`), strictly increasing; `+Inf` is implicit.
class Histogram {
 public:
  explicit Histogram(std::span<const double> bounds);

  // Counts one observation (NaN is ignored).
  void observe(double value);

  struct Snapshot {
    std::vector<double> bounds;        // without +Inf
    std::vector<uint64_t> cumulative;  // one per bound, then one for +Inf
    double sum = 0;
    uint64_t count = 0;  // always == cumulative.back()
  };
  Snapshot snapshot() const;

 private:
  std::vector<double> m_bounds;
  std::unique_ptr<std::atomic<uint64_t>[]> m_buckets;  // per bucket, not cumulative; +Inf last
  std::atomic<double> m_sum{0};
};

// A metric family: one name, HELP text, label names, and a child per set of label
// values. Label values are given in the order of the label names.
template <typename Child>
class Family {
 public:
  // The child for these label values, created on first use. The reference stays valid
  // for the registry's lifetime: resolve it once, then use it lock-free. Throws
  // std::invalid_argument when the number of values differs from the label names.
  Child& labels(std::initializer_list<std::string_view> values);
  Child& labels(std::span<const std::string> values);
  // The single child of a family without labels.
  Child& labels() { return labels(std::span<const std::string>{}); }

  const std::string& name() const { return m_name; }

 private:
  friend class Registry;
  Family(std::string name, std::string help, std::vector<std::string> label_names,
         std::vector<double> bounds);
  void render(std::string& out, std::string_view type) const;

  std::string m_name;
  std::string m_help;
  std::vector<std::string> m_label_names;
  std::vector<double> m_bounds;  // histograms only
  mutable std::shared_mutex m_mutex;
  std::map<std::vector<std::string>, std::unique_ptr<Child>> m_children;
};

using CounterFamily = Family<Counter>;
using GaugeFamily = Family<Gauge>;
using HistogramFamily = Family<Histogram>;

// Owns the families; renders them in registration order. Registering is done at start-up;
// a bad metric or label name, a name registered twice, or the label `le` on a histogram
// is a programming error (std::invalid_argument).
class Registry {
 public:
  Registry();
  ~Registry();
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  CounterFamily& counter(std::string name, std::string help,
                         std::vector<std::string> label_names = {});
  GaugeFamily& gauge(std::string name, std::string help, std::vector<std::string> label_names = {});
  // `bounds`: strictly increasing finite upper bounds, at least one.
  HistogramFamily& histogram(std::string name, std::string help, std::vector<double> bounds,
                             std::vector<std::string> label_names = {});

  // Runs `hook` at the start of every render(), e.g. to set gauges read from the store.
  void on_render(std::function<void()> hook);

  // The whole registry in the text exposition format 0.0.4 (HELP and TYPE lines, label
  // values escaped, histograms as cumulative _bucket{le=...}, _sum, _count).
  std::string render() const;

 private:
  struct Entry;
  void check_new_name(const std::string& name) const;

  mutable std::mutex m_mutex;
  std::vector<std::unique_ptr<Entry>> m_entries;
  std::vector<std::function<void()>> m_hooks;
};

// Bucket bounds in seconds.
inline constexpr double k_queue_wait_buckets[] = {0.01, 0.05, 0.1, 0.5, 1,   2.5,  5,   10,
                                                  30,   60,   120, 300, 600, 1800, 3600};
inline constexpr double k_job_duration_buckets[] = {1,   5,    10,   30,   60,   120,  300,
                                                    600, 1200, 1800, 3600, 7200, 21600};

// How a webhook delivery ended (`outcome` label of pipewright_webhook_deliveries_total).
enum class WebhookOutcome { accepted, duplicate, bad_signature, invalid, ignored };
std::string_view to_string(WebhookOutcome outcome);

struct BuildInfo {
  std::string version;
  std::string commit;
};

// The server's metrics (names and labels are the contract; see alerts.yml). Every member
// is registered in `registry` by the constructor; the known label values (webhook
// outcomes, run/job results success|failure|cancelled|skipped|interrupted) are created at
// zero so that rate() and alerts see the series before the first event.
struct ServerMetrics {
  ServerMetrics(Registry& registry, const BuildInfo& build,
                std::chrono::system_clock::time_point start_time);

  // Counts one delivery: lock-free, no allocation.
  void webhook_delivery(WebhookOutcome outcome);

  Gauge& build_info;                        // pipewright_build_info{version,commit} = 1
  CounterFamily& runs_total;                // pipewright_runs_total{result}
  CounterFamily& jobs_total;                // pipewright_jobs_total{result}
  Gauge& queue_depth;                       // pipewright_queue_depth: queued jobs + runs
  Gauge& jobs_running;                      // pipewright_jobs_running
  Histogram& queue_wait_seconds;            // pipewright_queue_wait_seconds
  Histogram& job_duration_seconds;          // pipewright_job_duration_seconds
  CounterFamily& webhook_deliveries_total;  // pipewright_webhook_deliveries_total{outcome}
  Counter& retention_deleted_runs_total;    // pipewright_retention_deleted_runs_total
  // pipewright_http_requests_total{class,code}: class is http::RouteClass (api, webhook,
  // health), code the status as decimal ("200", "429").
  CounterFamily& http_requests_total;
  Gauge& server_start_time_seconds;  // pipewright_server_start_time_seconds

 private:
  static constexpr size_t k_outcome_count = 5;  // WebhookOutcome's values
  Counter* m_webhook[k_outcome_count];          // indexed by WebhookOutcome
};

}  // namespace pipewright::server
