#include "pipewright/exec/services/service_state.h"

#include <sstream>

#include <signal.h>

#include "pipewright/os/file.h"

namespace pipewright::exec::services {

unsigned long long process_start_time(pid_t pid) {
  auto stat = os::read_file("/proc/" + std::to_string(pid) + "/stat", 4096);
  if (!stat) return 0;
  // The command name (field 2) may hold spaces and parentheses: skip past the last ')'.
  auto close = stat->rfind(')');
  if (close == std::string::npos) return 0;
  std::istringstream in(stat->substr(close + 2));
  std::string field;
  for (int i = 3; i <= 22; ++i) {
    if (!(in >> field)) return 0;
  }
  return std::stoull(field);
}

bool same_process(pid_t pid, unsigned long long start_time) {
  if (pid <= 0) return false;
  unsigned long long now = process_start_time(pid);
  return now != 0 && now == start_time;
}

std::string format_state(const ServiceState& state) {
  std::string out = "pipewright-services 1\n";
  out += "owner " + std::to_string(state.owner) + " " + std::to_string(state.owner_start) + "\n";
  for (const StateServer& s : state.servers)
    out +=
        "server " + std::to_string(s.pid) + " " + std::to_string(s.start_time) + " " + s.dir + "\n";
  if (!state.netns.empty()) out += "netns " + state.netns + "\n";
  return out;
}

util::Expected<ServiceState> parse_state(const std::string& text) {
  std::istringstream in(text);
  std::string line;
  if (!std::getline(in, line) || line != "pipewright-services 1")
    return util::fail("not a pipewright services state file (version 1)");
  ServiceState state;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string kind;
    fields >> kind;
    if (kind == "owner") {
      fields >> state.owner >> state.owner_start;
    } else if (kind == "server") {
      StateServer server;
      fields >> server.pid >> server.start_time;
      std::getline(fields >> std::ws, server.dir);
      state.servers.push_back(server);
    } else if (kind == "netns") {
      fields >> state.netns;
    }
    if (fields.fail()) return util::fail("malformed state line '" + line + "'");
  }
  return state;
}

}  // namespace pipewright::exec::services
