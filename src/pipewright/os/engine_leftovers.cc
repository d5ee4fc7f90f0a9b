#include "pipewright/os/engine_leftovers.h"

#include <charconv>
#include <map>
#include <unordered_map>
#include <unordered_set>

#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pipewright/os/end_processes.h"
#include "pipewright/os/job_cgroup.h"
#include "pipewright/os/proc_table.h"
#include "pipewright/os/subreaper.h"

namespace pipewright::os {

namespace {

constexpr std::string_view k_id_prefix = "pipewright_";

template <class T>
bool parse_number(std::string_view text, T& out) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size() && !text.empty();
}

unsigned long long pid_namespace_of(const std::string& proc_dir) {
  struct stat st {};
  return ::stat((proc_dir + "/ns/pid").c_str(), &st) == 0 ? st.st_ino : 0;
}

// What one scan keeps for the next: the processes already taken for leftovers (by
// pid and start time, so that one stays taken once its environment is unreadable)
// and what the report says about each.
struct ScanState {
  EngineIdentity self;
  const std::function<bool(const EngineIdentity&)>& running;
  std::vector<EngineCgroups> cgroups;  // dead engines' cgroups (job_cgroup.h)
  std::unordered_map<pid_t, unsigned long long> known;
  std::unordered_map<pid_t, EndedLeftover> about;
};

// Ourselves and our ancestors: never ended, even when we run inside a step of a dead
// engine (a nested engine is then a leftover too, but not ours to end).
std::unordered_set<pid_t> own_line(const std::vector<ProcEntry>& table, pid_t self) {
  std::unordered_map<pid_t, pid_t> parent;
  for (const auto& e : table)
    parent[e.pid] = e.ppid;
  std::unordered_set<pid_t> line{self};
  for (pid_t p = self; parent.contains(p) && p > 1;) {
    p = parent[p];
    if (!line.insert(p).second) break;
  }
  return line;
}

// Whether some process carries the tracking id of an engine that is gone. Reads each
// process's environment and nothing else: the common case, at every start.
util::Expected<bool> any_dead_engine_id(const ScanState& state) {
  PW_TRY(pids, list_pids());
  for (pid_t pid : pids) {
    auto id = environment_variable(pid, ProcessScope::k_tracking_variable);
    auto engine = id ? tracking_id_engine(*id) : std::nullopt;
    if (engine && !(*engine == state.self) && !state.running(*engine)) return true;
  }
  return false;
}

// The processes of dead engines as they are now (see the top of the header).
util::Expected<std::vector<ProcEntry>> dead_engine_processes(ScanState& state) {
  if (state.known.empty() && state.cgroups.empty()) {
    PW_TRY(any, any_dead_engine_id(state));
    if (!any) return std::vector<ProcEntry>{};
  }
  PW_TRY(table, list_processes());
  const pid_t self = ::getpid();
  std::map<std::pair<pid_t, unsigned long long>, bool> running;  // per engine, this scan
  std::unordered_map<pid_t, pid_t> engine_of;                    // member → dead engine pid
  std::unordered_set<pid_t> carries_id;                          // has some Pipewright id
  for (const auto& e : table) {
    if (e.pid == self) continue;
    if (auto it = state.known.find(e.pid); it != state.known.end() && it->second == e.start_time) {
      engine_of[e.pid] = state.about[e.pid].engine_pid;
      continue;
    }
    if (e.zombie()) continue;
    auto id = environment_variable(e.pid, ProcessScope::k_tracking_variable);
    if (!id) continue;
    auto engine = tracking_id_engine(*id);
    if (!engine) continue;
    carries_id.insert(e.pid);
    if (*engine == state.self) continue;
    auto key = std::make_pair(engine->pid, engine->start_time);
    auto found = running.find(key);
    if (found == running.end()) found = running.emplace(key, state.running(*engine)).first;
    if (!found->second) engine_of[e.pid] = engine->pid;
  }
  // Whatever is in a dead engine's cgroups, whatever it did to its environment.
  for (const EngineCgroups& dead : state.cgroups)
    for (pid_t pid : cgroup_tree_pids(dead.dir))
      if (pid != self) engine_of.try_emplace(pid, dead.engine.pid);
  if (engine_of.empty()) return std::vector<ProcEntry>{};

  // Their process groups' other members (a process that cleared its environment but
  // stayed in its step's group), then everything below them.
  std::unordered_map<pid_t, pid_t> group_engine;
  for (const auto& e : table)
    if (auto it = engine_of.find(e.pid); it != engine_of.end()) group_engine[e.pgid] = it->second;
  for (const auto& e : table) {
    auto it = group_engine.find(e.pgid);
    if (it != group_engine.end() && !carries_id.contains(e.pid) && !engine_of.contains(e.pid))
      engine_of[e.pid] = it->second;
  }
  for (const auto& [pid, engine] : std::vector(engine_of.begin(), engine_of.end()))
    for (const auto& d : descendants_of(table, pid))
      engine_of.try_emplace(d.pid, engine);

  std::unordered_set<pid_t> spared = own_line(table, self);
  std::vector<ProcEntry> out;
  for (const auto& e : table) {
    auto it = engine_of.find(e.pid);
    if (it == engine_of.end() || spared.contains(e.pid)) continue;
    auto known = state.known.find(e.pid);
    if (known == state.known.end() || known->second != e.start_time) {
      state.known[e.pid] = e.start_time;
      state.about[e.pid] = EndedLeftover{e.pid, it->second, process_name(e.pid)};
    }
    out.push_back(e);
  }
  return out;
}

}  // namespace

EngineIdentity this_engine() {
  static thread_local EngineIdentity cached;
  if (cached.pid == ::getpid()) return cached;
  EngineIdentity self;
  self.pid = ::getpid();
  if (auto entry = read_proc_entry(self.pid)) self.start_time = entry->start_time;
  self.pid_namespace = pid_namespace_of("/proc/self");
  cached = self;
  return self;
}

std::string engine_key(const EngineIdentity& engine) {
  return fmt::format("{}_{}_{}", engine.pid, engine.start_time, engine.pid_namespace);
}

std::optional<EngineIdentity> parse_engine_key(std::string_view key) {
  std::string_view fields[3];
  for (int i = 0; i < 3; ++i) {
    size_t end = i < 2 ? key.find('_') : key.size();
    if (end == std::string_view::npos) return std::nullopt;
    fields[i] = key.substr(0, end);
    key.remove_prefix(i < 2 ? end + 1 : end);
  }
  EngineIdentity engine;
  if (!parse_number(fields[0], engine.pid) || engine.pid <= 0 ||
      !parse_number(fields[1], engine.start_time) ||
      !parse_number(fields[2], engine.pid_namespace) || engine.pid_namespace == 0)
    return std::nullopt;
  return engine;
}

std::string make_tracking_id(std::string_view unique) {
  return fmt::format("{}{}_{}", k_id_prefix, engine_key(this_engine()), unique);
}

std::optional<EngineIdentity> tracking_id_engine(std::string_view id) {
  if (!id.starts_with(k_id_prefix)) return std::nullopt;
  id.remove_prefix(k_id_prefix.size());
  // The key is the first three fields; a unique part must follow.
  size_t end = 0, from = 0;
  for (int i = 0; i < 3; ++i) {
    end = id.find('_', from);
    if (end == std::string_view::npos) return std::nullopt;
    from = end + 1;
  }
  if (from >= id.size()) return std::nullopt;
  return parse_engine_key(id.substr(0, end));
}

bool engine_running(const EngineIdentity& engine) {
  if (engine.pid_namespace != this_engine().pid_namespace) return true;
  auto entry = read_proc_entry(engine.pid);
  return entry && !entry->zombie() && entry->start_time == engine.start_time;
}

util::Expected<DeadEngineReport> end_dead_engine_leftovers(const DeadEngineOptions& options) {
  ScanState state{this_engine(), options.running, dead_engine_cgroups(options.running), {}, {}};
  PW_TRY(ended, detail::end_processes([&] { return dead_engine_processes(state); }, options.grace));
  for (const EngineCgroups& dead : state.cgroups)
    remove_cgroup_tree(dead.dir);
  DeadEngineReport report;
  report.needed_kill = ended.needed_kill;
  for (pid_t pid : ended.found)
    report.ended.push_back(state.about[pid]);
  return report;
}

}  // namespace pipewright::os
