// The engine side of `services:` (issue 5): a job's `services.<id>` templates are
// evaluated into services::ServiceSpec, the job gets its own network namespace
// (services::JobNetwork) when the host allows it, the servers are started before the
// first step and stopped after the last one (also on failure, cancel and timeout),
// and the job sees them as `job.services.<id>.{id,network,ports}` and on
// localhost:<port> (service ids resolve as host names inside the namespace).
//
// Console: one line per started service, e.g.
//   service postgres (postgres:15): ready on localhost:5432 in 0.31s
// and, once per run, how the job network is set up or why it is not.
//
// Without namespaces (not root, or PIPEWRIGHT_NETNS=0) servers listen on the host's
// loopback; the scheduler then treats fixed host ports as exclusive resources
// (service_host_ports()), so two jobs that need 5432 never run at the same time.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "pipewright/exec/events.h"
#include "pipewright/expr/evaluator.h"
#include "pipewright/expr/value.h"
#include "pipewright/os/cancel.h"
#include "pipewright/workflow/model.h"

namespace pipewright::exec {

// How starting a job's services ended.
struct ServicesStart {
  Result result = Result::success;  // success, skipped (unsupported image), failure, cancelled
  std::string reason;               // one line for the job's end
};

// What JobServices::start() needs besides the job.
struct ServicesStartOptions {
  std::string job_key;     // unique per job run ("test-3")
  std::string source_dir;  // the working tree (.pipewright/services.yml)
  const os::CancelToken* cancel = nullptr;
  std::function<void(std::string_view)> message;  // console lines (already masked by caller)
};

class JobServicesImpl;

// The services of one job run. Stops everything on destruction.
class JobServices {
 public:
  JobServices();
  JobServices(const JobServices&) = delete;
  JobServices& operator=(const JobServices&) = delete;
  ~JobServices();

  // Evaluates job.services with `ctx` (the contexts the schema allows there), loads
  // .pipewright/services.yml, creates the job network and starts every server, waiting
  // until each is healthy. A job without services is a no-op success.
  ServicesStart start(const workflow::Job& job, const expr::EvalContext& ctx,
                      const ServicesStartOptions& options);

  // `job.services`: {<id>: {id, network, ports: {"5432": "5432"}}} (empty object when none).
  expr::Value services_value() const;
  // `job.container`: {id: "", network: <namespace>} when the job has a network, else null.
  expr::Value container_value() const;
  // Prepended to every step's argv (StepEnvironment::argv_prefix): enters the job network.
  std::vector<std::string> argv_prefix() const;

  // Stops the servers, deletes their data dirs and the network. Idempotent; problems
  // are reported through `message`.
  void stop(const std::function<void(std::string_view)>& message);

 private:
  std::unique_ptr<JobServicesImpl> m_impl;
};

// Cleans what crashed runs left behind (servers, data dirs, namespaces). Runs once per
// process; later calls do nothing.
void clean_stale_services_once();

// Whether jobs with services get their own network namespace here.
bool job_networks_available();

// The fixed host ports (`5432:5432`) the job's services would bind, evaluated with
// `ctx`; entries that do not evaluate or parse are left out (start() reports them).
std::vector<int> service_host_ports(const workflow::Job& job, const expr::EvalContext& ctx);

}  // namespace pipewright::exec
