// The state file of a job's services: who owns them (pid + start time, so a reused
// pid is not mistaken for a live owner), each server's process group and data dir,
// and the job's network namespace. Written as servers start; read by
// clean_stale_services() after a crash. Format (version 1), one record per line:
//   pipewright-services 1
//   owner <pid> <starttime>
//   server <pid> <starttime> <dir>
//   netns <name>
#pragma once

#include <string>
#include <vector>

#include <sys/types.h>

#include "pipewright/util/error.h"

namespace pipewright::exec::services {

struct StateServer {
  pid_t pid = -1;
  unsigned long long start_time = 0;
  std::string dir;
};

struct ServiceState {
  pid_t owner = -1;
  unsigned long long owner_start = 0;
  std::vector<StateServer> servers;
  std::string netns;
};

// Field 22 of /proc/<pid>/stat, or 0 when the process does not exist.
unsigned long long process_start_time(pid_t pid);
// Whether pid is alive and still started at start_time.
bool same_process(pid_t pid, unsigned long long start_time);

std::string format_state(const ServiceState& state);
// Fails on a file of another format or version.
util::Expected<ServiceState> parse_state(const std::string& text);

}  // namespace pipewright::exec::services
