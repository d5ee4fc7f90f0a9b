#include "pipewright/os/proc_table.h"

#include <cerrno>
#include <charconv>
#include <cstring>
#include <memory>
#include <string>
#include <unordered_map>
#include <unordered_set>

#include <dirent.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include "pipewright/os/fd.h"

namespace pipewright::os {

namespace {

// Reads a small /proc file in full (up to `limit` bytes); nullopt when it cannot.
std::optional<std::string> read_small(const std::string& path, size_t limit) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) return std::nullopt;
  std::string out;
  char buffer[4096];
  while (out.size() < limit) {
    ssize_t n = ::read(fd.get(), buffer, sizeof buffer);
    if (n < 0) {
      if (errno == EINTR) continue;
      return std::nullopt;
    }
    if (n == 0) break;
    out.append(buffer, static_cast<size_t>(n));
  }
  return out;
}

template <class T>
bool parse_number(std::string_view text, T& out) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size();
}

}  // namespace

std::optional<ProcEntry> read_proc_entry(pid_t pid) {
  auto stat = read_small(fmt::format("/proc/{}/stat", pid), 4096);
  if (!stat) return std::nullopt;
  // "pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt
  //  utime stime cutime cstime priority nice num_threads itrealvalue starttime ..."
  // comm may hold spaces and parentheses: the fields start after the LAST ')'.
  size_t close = stat->rfind(')');
  if (close == std::string::npos) return std::nullopt;
  std::vector<std::string_view> fields;
  std::string_view rest = std::string_view(*stat).substr(close + 1);
  while (!rest.empty() && fields.size() < 20) {
    size_t start = rest.find_first_not_of(' ');
    if (start == std::string_view::npos) break;
    rest.remove_prefix(start);
    size_t end = rest.find(' ');
    fields.push_back(rest.substr(0, end));
    rest.remove_prefix(end == std::string_view::npos ? rest.size() : end);
  }
  // fields[0] is the state (field 3 of the man page), so field N is fields[N - 3].
  if (fields.size() < 20 || fields[0].size() != 1) return std::nullopt;
  ProcEntry entry;
  entry.pid = pid;
  entry.state = fields[0][0];
  if (!parse_number(fields[1], entry.ppid) || !parse_number(fields[2], entry.pgid) ||
      !parse_number(fields[3], entry.sid) || !parse_number(fields[19], entry.start_time))
    return std::nullopt;
  return entry;
}

util::Expected<std::vector<ProcEntry>> list_processes() {
  std::unique_ptr<DIR, int (*)(DIR*)> dir(::opendir("/proc"), ::closedir);
  if (!dir) return util::fail(fmt::format("cannot list /proc: {}", std::strerror(errno)));
  std::vector<ProcEntry> out;
  while (dirent* e = ::readdir(dir.get())) {
    pid_t pid = 0;
    std::string_view name(e->d_name);
    if (!parse_number(name, pid) || pid <= 0) continue;
    if (auto entry = read_proc_entry(pid)) out.push_back(*entry);
  }
  return out;
}

std::optional<std::string> environment_variable(pid_t pid, std::string_view name) {
  // Environments are bounded by ARG_MAX-like limits; 4 MiB is far beyond real ones.
  auto environ = read_small(fmt::format("/proc/{}/environ", pid), 4 << 20);
  if (!environ) return std::nullopt;
  std::string_view rest(*environ);
  while (!rest.empty()) {
    size_t end = rest.find('\0');
    std::string_view entry = rest.substr(0, end);
    if (entry.size() > name.size() && entry.starts_with(name) && entry[name.size()] == '=')
      return std::string(entry.substr(name.size() + 1));
    if (end == std::string_view::npos) break;
    rest.remove_prefix(end + 1);
  }
  return std::nullopt;
}

std::vector<ProcEntry> descendants_of(const std::vector<ProcEntry>& table, pid_t root) {
  std::unordered_multimap<pid_t, const ProcEntry*> children;
  for (const auto& e : table)
    children.emplace(e.ppid, &e);
  std::vector<ProcEntry> out;
  std::vector<pid_t> queue{root};
  std::unordered_set<pid_t> seen{root};  // the snapshot is not atomic: guard against cycles
  while (!queue.empty()) {
    pid_t parent = queue.back();
    queue.pop_back();
    auto [begin, end] = children.equal_range(parent);
    for (auto it = begin; it != end; ++it) {
      if (!seen.insert(it->second->pid).second) continue;
      out.push_back(*it->second);
      queue.push_back(it->second->pid);
    }
  }
  return out;
}

}  // namespace pipewright::os
