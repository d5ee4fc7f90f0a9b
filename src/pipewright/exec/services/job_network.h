// A private network namespace per job, so that parallel jobs can each bind the
// same fixed port (5432) on their own loopback, as on GitHub where every job has a
// machine of its own.
//
// Mechanism: `ip netns add <name>` (a named, bind-mounted namespace under
// /run/netns that outlives no one: destroy() deletes it) and `ip link set lo up`
// inside it. Processes enter it with `nsenter --net=/run/netns/<name> --` which
// wrap() prepends to an argv. Chosen over `unshare --net` (the namespace dies with
// its first process, so servers and later steps could not share it) and bwrap (not
// needed: we only want the network, not a filesystem view). Needs root (or
// CAP_SYS_ADMIN); available() says whether it works here.
//
// How the engine uses it: for a job with services, create a JobNetwork before
// start_services() (pass it in StartContext::network); run each step's argv through
// wrap() so steps see the services on localhost:<port>; destroy it (or let it go out
// of scope) after ServiceSet::stop(). When available() is false, the engine treats
// each fixed host port as an exclusive scheduler resource instead.
//
// The namespace has loopback only: no outbound network for steps inside it. Debian
// ships slirp4netns and passt (`pasta`) which could give it user-mode outbound
// access; not wired up yet.
#pragma once

#include <string>
#include <vector>

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

  // Whether namespaces can be created here (root, `ip` and `nsenter` present, and a
  // probe namespace could be created once). Cached after the first call.
  static bool available();

  // Creates the namespace "pw-<key>" (key sanitized, made unique) with loopback up.
  // Fails with the `ip` output when it cannot.
  static util::Expected<JobNetwork> create(const std::string& key);

  // Removes namespaces named pw-* whose creating process is gone (crashed runs).
  static int clean_stale();

  // "pw-..." or "" when empty/destroyed.
  const std::string& name() const { return m_name; }
  // /run/netns/<name>
  std::string path() const;
  // {"nsenter", "--net=/run/netns/<name>", "--", argv...}; argv unchanged when empty.
  std::vector<std::string> wrap(const std::vector<std::string>& argv) const;
  // Deletes the namespace. Idempotent.
  util::Expected<void> destroy();

 private:
  explicit JobNetwork(std::string name) : m_name(std::move(name)) {}
  std::string m_name;
};

}  // namespace pipewright::exec::services
