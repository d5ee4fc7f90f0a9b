// A private network namespace per job, so that parallel jobs can each bind the
// same fixed port (5432) on their own loopback, as on GitHub where every job has a
// machine of its own.
//
// Mechanism: `ip netns add <name>` (a named, bind-mounted namespace under
// /run/netns; destroy() deletes it) and `ip link set lo up` inside it. Processes
// enter it with `ip netns exec <name>`, which wrap() prepends to an argv. Chosen over
// `unshare --net` (the namespace dies with its first process, so servers and later
// steps could not share it) and bwrap (we only want the network, not a filesystem
// view). Needs root (or CAP_SYS_ADMIN); available() says whether it works here.
//
// Host names: `ip netns exec` gives the process a private mount namespace and
// bind-mounts every file of /etc/netns/<name>/ over /etc (iproute2's documented
// per-namespace config). set_hosts() writes /etc/netns/<name>/hosts with the host's
// entries plus "127.0.0.1 <service ids>", so `postgres:5432` resolves to the job's
// own server, inside the job only, without touching the host's /etc/hosts.
// `ip netns exec` execs the command in place (no extra process between the engine
// and the step), so signals and exit codes pass through unchanged.
//
// Outbound network: enable_outbound() attaches slirp4netns (Debian package
// `slirp4netns`, user-mode NAT: tap0 10.0.2.100, gateway 10.0.2.2, DNS 10.0.2.3,
// --disable-host-loopback so steps cannot reach the host's own loopback servers).
// Without slirp4netns the namespace has loopback only and steps have no outbound
// network; the engine says so. slirp4netns is ended by destroy(); a crashed run's
// is found by its /run/netns/<name> argument and killed by clean_stale().
//
// How the engine uses it (exec/job_services.cc): for a job with services, create a
// JobNetwork before start_services() (pass it in StartContext::network); run each
// step's argv through wrap(); destroy it after ServiceSet::stop(). When available()
// is false (not root, no `ip`, or PIPEWRIGHT_NETNS=0 in the environment), the engine
// treats each fixed host port as an exclusive scheduler resource instead.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "pipewright/os/process.h"
#include "pipewright/util/error.h"

namespace pipewright::exec::services {

class JobNetwork {
 public:
  JobNetwork() = default;
  JobNetwork(JobNetwork&& other) noexcept;
  JobNetwork& operator=(JobNetwork&& other) noexcept;
  JobNetwork(const JobNetwork&) = delete;
  JobNetwork& operator=(const JobNetwork&) = delete;
  ~JobNetwork();  // destroy(), errors ignored

  // Whether namespaces can be used here (root, `ip` present, PIPEWRIGHT_NETNS not
  // "0", and a probe namespace could be created and entered once). Cached after the
  // first call.
  static bool available();

  // Creates the namespace "pw-<pid>-<n>-<key>" (key sanitized) with loopback up.
  // Fails with the `ip` output when it cannot.
  static util::Expected<JobNetwork> create(const std::string& key);

  // Removes namespaces named pw-* whose creating process is gone (crashed runs),
  // with their /etc/netns config and slirp4netns. Returns how many.
  static int clean_stale();

  // Maps `names` to 127.0.0.1 inside the namespace (see the header comment).
  util::Expected<void> set_hosts(const std::vector<std::string>& names);
  // Gives the namespace outbound network through slirp4netns. Fails (and changes
  // nothing) when slirp4netns is not installed or does not come up.
  util::Expected<void> enable_outbound();
  bool has_outbound() const { return m_slirp.has_value(); }

  // "pw-..." or "" when empty/destroyed.
  const std::string& name() const { return m_name; }
  // /run/netns/<name>
  std::string path() const;
  // {"/usr/sbin/ip", "netns", "exec", <name>, argv...}; argv unchanged when empty.
  std::vector<std::string> wrap(const std::vector<std::string>& argv) const;
  // The prefix wrap() adds ({} when empty), e.g. for StepEnvironment::argv_prefix.
  std::vector<std::string> prefix() const;
  // Ends slirp4netns, deletes the namespace and its /etc/netns dir. Idempotent.
  util::Expected<void> destroy();

 private:
  explicit JobNetwork(std::string name) : m_name(std::move(name)) {}
  std::string m_name;
  std::optional<os::Process> m_slirp;
};

}  // namespace pipewright::exec::services
