// The text exposition format 0.0.4 (prometheus.io/docs/instrumenting/exposition_formats):
// per family `# HELP name text` (`\` and newline escaped), `# TYPE name kind`, then one
// line per sample `name{label="value",...} number`; label values escape `\`, `"` and
// newline; numbers are Go-style floats (`+Inf`, `-Inf`, `NaN`).
#include "pipewright/server/metrics.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <stdexcept>
#include <variant>

namespace pipewright::server {
namespace {

bool valid_name(std::string_view name, bool allow_colon) {
  if (name.empty()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
              (allow_colon && c == ':') || (i > 0 && c >= '0' && c <= '9');
    if (!ok) return false;
  }
  return true;
}

void append_number(std::string& out, double value) {
  if (std::isnan(value)) {
    out += "NaN";
  } else if (std::isinf(value)) {
    out += value > 0 ? "+Inf" : "-Inf";
  } else {
    char buffer[32];
    auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
    out.append(buffer, end);
  }
}

void append_escaped(std::string& out, std::string_view text, bool escape_quote) {
  for (char c : text) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '"' && escape_quote) {
      out += "\\\"";
    } else {
      out += c;
    }
  }
}

// `name{a="x",b="y"` plus an optional extra label (a histogram's `le`), then `} ` — or
// just `name ` when there are no labels at all.
void append_series(std::string& out, std::string_view name, std::string_view suffix,
                   const std::vector<std::string>& label_names,
                   const std::vector<std::string>& values, std::string_view extra_name = {},
                   std::string_view extra_value = {}) {
  out += name;
  out += suffix;
  if (!label_names.empty() || !extra_name.empty()) {
    out += '{';
    for (size_t i = 0; i < label_names.size(); ++i) {
      if (i > 0) out += ',';
      out += label_names[i];
      out += "=\"";
      append_escaped(out, values[i], true);
      out += '"';
    }
    if (!extra_name.empty()) {
      if (!label_names.empty()) out += ',';
      out += extra_name;
      out += "=\"";
      out += extra_value;
      out += '"';
    }
    out += '}';
  }
  out += ' ';
}

void check_label_names(const std::vector<std::string>& names, bool histogram) {
  for (size_t i = 0; i < names.size(); ++i) {
    const std::string& label = names[i];
    if (!valid_name(label, false) || label.starts_with("__"))
      throw std::invalid_argument("metrics: invalid label name '" + label + "'");
    if (histogram && label == "le")
      throw std::invalid_argument("metrics: a histogram may not have the label 'le'");
    if (std::find(names.begin(), names.begin() + i, label) != names.begin() + i)
      throw std::invalid_argument("metrics: label '" + label + "' given twice");
  }
}

}  // namespace

void Counter::inc(double amount) {
  if (!(amount >= 0)) return;  // counters never go down; NaN fails the test too
  m_value.fetch_add(amount, std::memory_order_relaxed);
}

Histogram::Histogram(std::span<const double> bounds)
    : m_bounds(bounds.begin(), bounds.end()),
      m_buckets(new std::atomic<uint64_t>[bounds.size() + 1]) {
  for (size_t i = 0; i <= m_bounds.size(); ++i)
    m_buckets[i].store(0, std::memory_order_relaxed);
}

void Histogram::observe(double value) {
  if (std::isnan(value)) return;
  // The first bound >= value holds it (`le` is inclusive); past the last bound, +Inf.
  size_t bucket = std::lower_bound(m_bounds.begin(), m_bounds.end(), value) - m_bounds.begin();
  m_buckets[bucket].fetch_add(1, std::memory_order_relaxed);
  m_sum.fetch_add(value, std::memory_order_relaxed);
}

Histogram::Snapshot Histogram::snapshot() const {
  Snapshot snapshot;
  snapshot.bounds = m_bounds;
  snapshot.cumulative.reserve(m_bounds.size() + 1);
  // _count is the +Inf bucket by construction, so the two always agree even while
  // other threads observe.
  uint64_t running = 0;
  for (size_t i = 0; i <= m_bounds.size(); ++i) {
    running += m_buckets[i].load(std::memory_order_relaxed);
    snapshot.cumulative.push_back(running);
  }
  snapshot.count = running;
  snapshot.sum = m_sum.load(std::memory_order_relaxed);
  return snapshot;
}

template <typename Child>
Family<Child>::Family(std::string name, std::string help, std::vector<std::string> label_names,
                      std::vector<double> bounds)
    : m_name(std::move(name)),
      m_help(std::move(help)),
      m_label_names(std::move(label_names)),
      m_bounds(std::move(bounds)) {
  if (m_label_names.empty()) labels();  // the one series, rendered from the start
}

template <typename Child>
Child& Family<Child>::labels(std::initializer_list<std::string_view> values) {
  std::vector<std::string> copy(values.begin(), values.end());
  return labels(std::span<const std::string>(copy));
}

template <typename Child>
Child& Family<Child>::labels(std::span<const std::string> values) {
  if (values.size() != m_label_names.size()) {
    throw std::invalid_argument("metrics: " + m_name + " takes " +
                                std::to_string(m_label_names.size()) + " label values, got " +
                                std::to_string(values.size()));
  }
  std::vector<std::string> key(values.begin(), values.end());
  {
    std::shared_lock lock(m_mutex);
    if (auto it = m_children.find(key); it != m_children.end()) return *it->second;
  }
  std::unique_lock lock(m_mutex);
  auto& child = m_children[std::move(key)];
  if (!child) {
    if constexpr (std::is_same_v<Child, Histogram>) {
      child = std::make_unique<Histogram>(m_bounds);
    } else {
      child = std::make_unique<Child>();
    }
  }
  return *child;
}

template <typename Child>
void Family<Child>::render(std::string& out, std::string_view type) const {
  out += "# HELP ";
  out += m_name;
  out += ' ';
  append_escaped(out, m_help, false);
  out += "\n# TYPE ";
  out += m_name;
  out += ' ';
  out += type;
  out += '\n';
  std::shared_lock lock(m_mutex);
  for (const auto& [values, child] : m_children) {
    if constexpr (std::is_same_v<Child, Histogram>) {
      Histogram::Snapshot snap = child->snapshot();
      std::string le;
      for (size_t i = 0; i < snap.cumulative.size(); ++i) {
        le.clear();
        if (i < snap.bounds.size()) {
          append_number(le, snap.bounds[i]);
        } else {
          le = "+Inf";
        }
        append_series(out, m_name, "_bucket", m_label_names, values, "le", le);
        out += std::to_string(snap.cumulative[i]);
        out += '\n';
      }
      append_series(out, m_name, "_sum", m_label_names, values);
      append_number(out, snap.sum);
      out += '\n';
      append_series(out, m_name, "_count", m_label_names, values);
      out += std::to_string(snap.count);
      out += '\n';
    } else {
      append_series(out, m_name, "", m_label_names, values);
      append_number(out, child->value());
      out += '\n';
    }
  }
}

template class Family<Counter>;
template class Family<Gauge>;
template class Family<Histogram>;

struct Registry::Entry {
  std::variant<std::unique_ptr<CounterFamily>, std::unique_ptr<GaugeFamily>,
               std::unique_ptr<HistogramFamily>>
      family;
};

Registry::Registry() = default;
Registry::~Registry() = default;

void Registry::check_new_name(const std::string& name) const {
  if (!valid_name(name, true))
    throw std::invalid_argument("metrics: invalid metric name '" + name + "'");
  for (const auto& entry : m_entries) {
    bool taken =
        std::visit([&](const auto& family) { return family->name() == name; }, entry->family);
    if (taken) throw std::invalid_argument("metrics: '" + name + "' registered twice");
  }
}

CounterFamily& Registry::counter(std::string name, std::string help,
                                 std::vector<std::string> label_names) {
  check_label_names(label_names, false);
  std::lock_guard lock(m_mutex);
  check_new_name(name);
  auto family = std::unique_ptr<CounterFamily>(
      new CounterFamily(std::move(name), std::move(help), std::move(label_names), {}));
  CounterFamily& ref = *family;
  m_entries.push_back(std::make_unique<Entry>(Entry{std::move(family)}));
  return ref;
}

GaugeFamily& Registry::gauge(std::string name, std::string help,
                             std::vector<std::string> label_names) {
  check_label_names(label_names, false);
  std::lock_guard lock(m_mutex);
  check_new_name(name);
  auto family = std::unique_ptr<GaugeFamily>(
      new GaugeFamily(std::move(name), std::move(help), std::move(label_names), {}));
  GaugeFamily& ref = *family;
  m_entries.push_back(std::make_unique<Entry>(Entry{std::move(family)}));
  return ref;
}

HistogramFamily& Registry::histogram(std::string name, std::string help, std::vector<double> bounds,
                                     std::vector<std::string> label_names) {
  check_label_names(label_names, true);
  if (bounds.empty()) throw std::invalid_argument("metrics: histogram " + name + " has no buckets");
  for (size_t i = 0; i < bounds.size(); ++i) {
    if (!std::isfinite(bounds[i]) || (i > 0 && !(bounds[i - 1] < bounds[i])))
      throw std::invalid_argument("metrics: histogram " + name +
                                  " needs finite, strictly increasing bucket bounds");
  }
  std::lock_guard lock(m_mutex);
  check_new_name(name);
  auto family = std::unique_ptr<HistogramFamily>(new HistogramFamily(
      std::move(name), std::move(help), std::move(label_names), std::move(bounds)));
  HistogramFamily& ref = *family;
  m_entries.push_back(std::make_unique<Entry>(Entry{std::move(family)}));
  return ref;
}

void Registry::on_render(std::function<void()> hook) {
  std::lock_guard lock(m_mutex);
  m_hooks.push_back(std::move(hook));
}

std::string Registry::render() const {
  std::vector<std::function<void()>> hooks;
  {
    std::lock_guard lock(m_mutex);
    hooks = m_hooks;
  }
  for (const auto& hook : hooks)
    hook();  // outside the lock: a hook may touch the registry

  std::string out;
  std::lock_guard lock(m_mutex);
  for (const auto& entry : m_entries) {
    std::visit(
        [&](const auto& family) {
          using F = std::decay_t<decltype(*family)>;
          if constexpr (std::is_same_v<F, CounterFamily>) {
            family->render(out, "counter");
          } else if constexpr (std::is_same_v<F, GaugeFamily>) {
            family->render(out, "gauge");
          } else {
            family->render(out, "histogram");
          }
        },
        entry->family);
  }
  return out;
}

std::string_view to_string(WebhookOutcome outcome) {
  switch (outcome) {
    case WebhookOutcome::accepted:
      return "accepted";
    case WebhookOutcome::duplicate:
      return "duplicate";
    case WebhookOutcome::bad_signature:
      return "bad_signature";
    case WebhookOutcome::invalid:
      return "invalid";
    case WebhookOutcome::ignored:
      return "ignored";
  }
  return "invalid";
}

namespace {

constexpr WebhookOutcome k_outcomes[] = {WebhookOutcome::accepted, WebhookOutcome::duplicate,
                                         WebhookOutcome::bad_signature, WebhookOutcome::invalid,
                                         WebhookOutcome::ignored};
constexpr std::string_view k_results[] = {"success", "failure", "cancelled", "skipped",
                                          "interrupted"};

std::vector<double> bounds_of(std::span<const double> bounds) {
  return {bounds.begin(), bounds.end()};
}

}  // namespace

ServerMetrics::ServerMetrics(Registry& registry, const BuildInfo& build,
                             std::chrono::system_clock::time_point start_time)
    : build_info(registry
                     .gauge("pipewright_build_info",
                            "Always 1; the labels say which Pipewright is running.",
                            {"version", "commit"})
                     .labels({build.version, build.commit})),
      runs_total(registry.counter("pipewright_runs_total", "Workflow runs finished, by result.",
                                  {"result"})),
      jobs_total(
          registry.counter("pipewright_jobs_total", "Jobs finished, by result.", {"result"})),
      queue_depth(
          registry.gauge("pipewright_queue_depth", "Runs and jobs queued and not yet started.")
              .labels()),
      jobs_running(registry.gauge("pipewright_jobs_running", "Jobs running right now.").labels()),
      queue_wait_seconds(registry
                             .histogram("pipewright_queue_wait_seconds",
                                        "Time a job waited in the queue before it started.",
                                        bounds_of(k_queue_wait_buckets))
                             .labels()),
      job_duration_seconds(registry
                               .histogram("pipewright_job_duration_seconds",
                                          "Time from a job's start to its conclusion.",
                                          bounds_of(k_job_duration_buckets))
                               .labels()),
      webhook_deliveries_total(
          registry.counter("pipewright_webhook_deliveries_total",
                           "Webhook deliveries received, by outcome "
                           "(accepted|duplicate|bad_signature|invalid|ignored).",
                           {"outcome"})),
      retention_deleted_runs_total(registry
                                       .counter("pipewright_retention_deleted_runs_total",
                                                "Runs deleted by the retention policy.")
                                       .labels()),
      http_requests_total(registry.counter("pipewright_http_requests_total",
                                           "HTTP requests answered, by route class and status.",
                                           {"class", "code"})),
      server_start_time_seconds(registry
                                    .gauge("pipewright_server_start_time_seconds",
                                           "When the server started, in seconds since the "
                                           "Unix epoch.")
                                    .labels()) {
  build_info.set(1);
  server_start_time_seconds.set(
      std::chrono::duration<double>(start_time.time_since_epoch()).count());
  for (std::string_view result : k_results) {
    runs_total.labels({result});
    jobs_total.labels({result});
  }
  static_assert(std::size(k_outcomes) == k_outcome_count, "a slot per outcome");
  for (WebhookOutcome outcome : k_outcomes)
    m_webhook[static_cast<size_t>(outcome)] =
        &webhook_deliveries_total.labels({to_string(outcome)});
}

void ServerMetrics::webhook_delivery(WebhookOutcome outcome) {
  m_webhook[static_cast<size_t>(outcome)]->inc();
}

}  // namespace pipewright::server
