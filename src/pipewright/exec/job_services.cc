// job.services: template evaluation, the job network, start/stop and the contexts.
#include "pipewright/exec/job_services.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <mutex>

#include <unistd.h>

#include "pipewright/exec/actions/action_run_eval.h"
#include "pipewright/exec/services/custom_provider.h"
#include "pipewright/exec/services/job_network.h"
#include "pipewright/exec/services/service_provider.h"
#include "pipewright/expr/template.h"

namespace pipewright::exec {

namespace svc = services;
using expr::Object;
using expr::Value;

namespace {

constexpr std::string_view k_services_file = ".pipewright/services.yml";

util::Expected<Value> eval_value(const workflow::Text& text, const expr::EvalContext& ctx) {
  if (!text.present()) return Value(std::string());
  if (!text.tmpl) return Value(text.value);
  auto value = text.tmpl->evaluate(ctx);
  if (!value) return util::fail(value.error().message, text.location);
  return *value;
}

util::Expected<std::string> eval_string(const workflow::Text& text, const expr::EvalContext& ctx) {
  PW_TRY(value, eval_value(text, ctx));
  return value.to_display_string();
}

// A list whose items may each be an array (`ports: ${{ fromJSON(...) }}` per item).
util::Expected<std::vector<std::string>> eval_list(const workflow::TextList& list,
                                                   const expr::EvalContext& ctx) {
  std::vector<std::string> out;
  for (const workflow::Text& item : list.items) {
    PW_TRY(value, eval_value(item, ctx));
    if (value.kind() == expr::Kind::array) {
      for (const Value& v : value.as_array())
        out.push_back(v.to_display_string());
    } else {
      out.push_back(value.to_display_string());
    }
  }
  return out;
}

// env: of a service or container, like any env: (a whole-map expression, ${{ insert }}).
util::Expected<std::vector<std::pair<std::string, std::string>>> eval_map(
    const workflow::TextMap& map, const expr::EvalContext& ctx) {
  EnvList out;
  PW_TRY_VOID(actions::eval_step_map(map, ctx, out));
  return out;
}

util::Expected<svc::ServiceSpec> evaluate_spec(const workflow::Container& service,
                                               const expr::EvalContext& ctx) {
  svc::ServiceSpec spec;
  spec.id = service.id.value;
  PW_TRY(image, eval_string(service.image, ctx));
  spec.image = std::move(image);
  PW_TRY(env, eval_map(service.env, ctx));
  spec.env = std::move(env);
  PW_TRY(ports, eval_list(service.ports, ctx));
  spec.ports = std::move(ports);
  PW_TRY(volumes, eval_list(service.volumes, ctx));
  spec.volumes = std::move(volumes);
  PW_TRY(options, eval_string(service.options, ctx));
  spec.options = std::move(options);
  PW_TRY(command, eval_string(service.command, ctx));
  spec.command = std::move(command);
  PW_TRY(entrypoint, eval_string(service.entrypoint, ctx));
  spec.entrypoint = std::move(entrypoint);
  return spec;
}

std::string first_line(const std::string& text) {
  return text.substr(0, text.find('\n'));
}

std::string seconds(std::chrono::milliseconds elapsed) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.2fs",
                std::chrono::duration_cast<std::chrono::duration<double>>(elapsed).count());
  return buffer;
}

// "localhost:5432" or "localhost:5432 (5432), localhost:8080 (80)" for several ports.
std::string where(const svc::RunningService& service) {
  std::string out;
  for (const auto& [container, host] : service.ports) {
    out += (out.empty() ? "" : ", ") + std::string("localhost:") + host;
    if (service.ports.size() > 1 || container != host) out += " (port " + container + ")";
  }
  if (!out.empty()) return out;
  return "port " + std::to_string(service.port) + " (not published" +
         (service.network.empty()
              ? ")"
              : "; " + service.id + ":" + std::to_string(service.port) + " inside the job)");
}

}  // namespace

class JobServicesImpl {
 public:
  std::vector<svc::CustomProviderDef> custom;
  std::optional<svc::JobNetwork> network;
  std::optional<svc::ServiceSet> set;
};

JobServices::JobServices() : m_impl(std::make_unique<JobServicesImpl>()) {}

JobServices::~JobServices() {
  stop({});
}

ServicesStart JobServices::start(const workflow::Job& job, const expr::EvalContext& ctx,
                                 const ServicesStartOptions& options) {
  // One console line per call, so a log tail keeps the job's prefix on every line.
  auto say = [&](std::string_view text) {
    if (!options.message) return;
    for (size_t start = 0; start <= text.size();) {
      size_t end = std::min(text.find('\n', start), text.size());
      if (end > start || end < text.size()) options.message(text.substr(start, end - start));
      start = end + 1;
    }
  };
  auto failed = [](Result result, std::string reason) {
    return ServicesStart{result, std::move(reason)};
  };
  std::vector<svc::ServiceSpec> specs;
  for (const workflow::Container& service : job.services) {
    auto spec = evaluate_spec(service, ctx);
    if (!spec) {
      say(util::format_error(spec.error()));
      return failed(Result::failure, "service '" + service.id.value + "': " + spec.error().message);
    }
    if (service.username.present() || service.password.present())
      say("service " + service.id.value + ": credentials ignored (native server, no registry)");
    if (!spec->image.empty()) specs.push_back(std::move(*spec));
  }
  if (specs.empty()) return {};

  auto custom = svc::load_custom_providers(options.source_dir + "/" + std::string(k_services_file),
                                           std::string(k_services_file));
  if (!custom) {
    say(util::format_error(custom.error()));
    return failed(Result::failure, util::format_error(custom.error()));
  }
  m_impl->custom = std::move(*custom);

  // Unknown images skip the job before anything starts.
  for (const svc::ServiceSpec& spec : specs) {
    auto image = svc::parse_image(spec.image);
    if (!image) continue;  // start_services() fails it with the reason
    if (!svc::find_custom_provider(m_impl->custom, *image) && !svc::find_provider(*image))
      return failed(Result::skipped, "unsupported: service '" + spec.id +
                                         "': " + svc::unsupported_message(spec.image));
  }

  if (job_networks_available()) {
    auto network = svc::JobNetwork::create(options.job_key);
    if (!network) {
      say(util::format_error(network.error()));
      return failed(Result::failure,
                    "cannot create the job network: " + first_line(network.error().message));
    }
    std::vector<std::string> names;
    for (const svc::ServiceSpec& spec : specs)
      names.push_back(spec.id);
    if (auto hosts = network->set_hosts(names); !hosts)
      say("service host names unavailable: " + hosts.error().message);
    auto outbound = network->enable_outbound();
    static std::once_flag k_network_notice;
    std::call_once(k_network_notice, [&] {
      say("each job with services gets its own network namespace (localhost and the "
          "service names are the job's own servers); " +
          (outbound
               ? std::string("steps reach the outside through slirp4netns")
               : "steps have no outbound network there: " + outbound.error().message +
                     (outbound.error().hint.empty() ? "" : " (" + outbound.error().hint + ")")));
    });
    m_impl->network = std::move(*network);
  } else {
    static std::once_flag k_fallback_notice;
    std::call_once(k_fallback_notice, [&] {
      say("network namespaces are not available here (they need root and iproute2; "
          "PIPEWRIGHT_NETNS=0 turns them off): services listen on the host's loopback, and "
          "jobs whose services use the same fixed host port run one after another");
    });
  }

  svc::StartContext context;
  context.job_key = options.job_key;
  context.network = m_impl->network ? &*m_impl->network : nullptr;
  context.cancel = options.cancel;
  context.custom = &m_impl->custom;
  context.notice = say;
  auto set = svc::start_services(specs, context);
  if (!set) {
    const svc::StartFailure& failure = set.error();
    if (m_impl->network) (void)m_impl->network->destroy();
    m_impl->network.reset();
    switch (failure.kind) {
      case svc::StartFailure::Kind::unsupported:
        return failed(Result::skipped, "unsupported: " + failure.message);
      case svc::StartFailure::Kind::cancelled:
        return failed(Result::cancelled, "the run was cancelled while services started");
      case svc::StartFailure::Kind::failed:
        say(failure.message);
        return failed(Result::failure, first_line(failure.message));
    }
  }
  for (const svc::RunningService& service : set->services())
    say("service " + service.id + " (" + service.image + "): ready on " + where(service) + " in " +
        seconds(service.start_time));
  m_impl->set = std::move(*set);
  return {};
}

Value JobServices::services_value() const {
  Object services;
  if (m_impl->set) {
    for (const svc::RunningService& service : m_impl->set->services()) {
      Object ports;
      for (const auto& [container, host] : service.ports)
        ports.set(container, Value(host));
      Object entry;
      entry.set("id", Value(std::to_string(service.pid)));
      entry.set("network", Value(service.network));
      entry.set("ports", Value(std::move(ports)));
      services.set(service.id, Value(std::move(entry)));
    }
  }
  return Value(std::move(services));
}

Value JobServices::container_value() const {
  if (!m_impl->network) return Value();
  Object container;
  container.set("id", Value(std::string()));
  container.set("network", Value(m_impl->network->name()));
  return Value(std::move(container));
}

std::vector<std::string> JobServices::argv_prefix() const {
  return m_impl->network ? m_impl->network->prefix() : std::vector<std::string>{};
}

void JobServices::stop(const std::function<void(std::string_view)>& message) {
  if (m_impl->set) {
    if (auto stopped = m_impl->set->stop(); !stopped && message)
      message("stopping the services: " + stopped.error().message);
    m_impl->set.reset();
  }
  if (m_impl->network) {
    if (auto destroyed = m_impl->network->destroy(); !destroyed && message)
      message("removing the job network: " + destroyed.error().message);
    m_impl->network.reset();
  }
}

void clean_stale_services_once() {
  static std::once_flag k_once;
  std::call_once(k_once, [] {
    // Both only list a directory when nothing is stale (no probe namespace here, so
    // runs without services pay nothing).
    // Networks first: their slirp4netns are found by the namespace's name.
    if (::geteuid() == 0) (void)svc::JobNetwork::clean_stale();
    (void)svc::clean_stale_services();
  });
}

bool job_networks_available() {
  return svc::JobNetwork::available();
}

std::vector<int> service_host_ports(const workflow::Job& job, const expr::EvalContext& ctx) {
  std::vector<int> ports;
  for (const workflow::Container& service : job.services) {
    auto image = eval_string(service.image, ctx);
    if (!image || image->empty()) continue;
    auto entries = eval_list(service.ports, ctx);
    if (!entries) continue;
    for (const std::string& entry : *entries) {
      auto mapping = svc::parse_port(entry);
      if (mapping && mapping->host_port > 0) ports.push_back(mapping->host_port);
    }
  }
  return ports;
}

}  // namespace pipewright::exec
