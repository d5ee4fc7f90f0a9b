#include "pipewright/os/proc_table.h"

#include <atomic>
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

// -1 when nothing is forced, else the forced ProcListing.
std::atomic<int> g_forced_listing{-1};

// The numeric names in a /proc directory; nullopt when it cannot be listed.
std::optional<std::vector<pid_t>> list_numeric_entries(const std::string& path) {
  std::unique_ptr<DIR, int (*)(DIR*)> dir(::opendir(path.c_str()), ::closedir);
  if (!dir) return std::nullopt;
  std::vector<pid_t> out;
  while (dirent* e = ::readdir(dir.get())) {
    pid_t id = 0;
    if (parse_number(std::string_view(e->d_name), id) && id > 0) out.push_back(id);
  }
  return out;
}

// The children of thread `tid` of process `pid`; nullopt when the thread is gone.
// The kernel fills at most a page per read(), so a read that left room for one more
// entry ("4194304 ": pid_max's limit and a space) ended at the list's end: one read()
// in practice, and the listing the kernel made in one go. A longer list takes further
// reads, which the kernel resumes after the last pid it returned.
std::optional<std::vector<pid_t>> read_children_file(pid_t pid, pid_t tid) {
  constexpr size_t k_chunk = 4096;  // no page is smaller
  constexpr size_t k_longest_entry = 8;
  Fd fd(::open(fmt::format("/proc/{}/task/{}/children", pid, tid).c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) return std::nullopt;
  std::string text;
  char buffer[k_chunk];
  for (;;) {
    ssize_t n = ::read(fd.get(), buffer, sizeof buffer);
    if (n < 0) {
      if (errno == EINTR) continue;
      return std::nullopt;
    }
    text.append(buffer, static_cast<size_t>(n));
    if (static_cast<size_t>(n) + k_longest_entry <= k_chunk) break;
  }
  std::vector<pid_t> out;
  std::string_view rest(text);
  while (!rest.empty()) {
    size_t start = rest.find_first_not_of(" \n");
    if (start == std::string_view::npos) break;
    rest.remove_prefix(start);
    size_t end = std::min(rest.find_first_of(" \n"), rest.size());
    pid_t child = 0;
    if (parse_number(rest.substr(0, end), child) && child > 0) out.push_back(child);
    rest.remove_prefix(end);
  }
  return out;
}

// The children of `parent`, every thread's; nullopt when its threads cannot be listed.
std::optional<std::vector<pid_t>> children_pids(pid_t parent, long num_threads) {
  // Most processes have one thread, whose id is the pid: no need to list them.
  std::vector<pid_t> tids{parent};
  if (num_threads != 1) {
    auto listed = list_numeric_entries(fmt::format("/proc/{}/task", parent));
    if (!listed) return std::nullopt;
    tids = std::move(*listed);
  }
  std::vector<pid_t> out;
  for (pid_t tid : tids) {
    if (auto children = read_children_file(parent, tid))  // nullopt: the thread exited
      out.insert(out.end(), children->begin(), children->end());
  }
  return out;
}

// How far below us a listing goes.
enum class Reach { children, subtree };

// Our subtree (or only our children) through the children files.
class SubtreeWalk {
 public:
  util::Expected<std::vector<ProcEntry>> run(Reach reach) {
    if (!visit(m_self, k_list_threads))
      return util::fail(fmt::format("cannot list /proc/{}/task: {}", m_self, std::strerror(errno)));
    if (reach == Reach::children) return std::move(m_found);
    drain();
    // A process that exited during the walk, after we read its parent's children and
    // before its own, handed its children to us (we are a subreaper): one more look
    // at our own children finds them.
    if (visit(m_self, k_list_threads)) drain();
    return std::move(m_found);
  }

 private:
  static constexpr long k_list_threads = 0;  // our own thread count keeps changing

  // Records the unseen children of `parent` and queues them; false when it is gone.
  bool visit(pid_t parent, long num_threads) {
    auto pids = children_pids(parent, num_threads);
    if (!pids) return false;
    for (pid_t pid : *pids) {
      if (m_seen.contains(pid)) continue;
      auto entry = read_proc_entry(pid);
      // Gone, or its pid already reused outside our subtree. A child reparented since
      // the listing names its new parent: us, or a subreaper below us.
      if (!entry || !m_seen.contains(entry->ppid)) continue;
      m_seen.insert(pid);
      m_found.push_back(*entry);
      m_queue.push_back(m_found.size() - 1);
    }
    return true;
  }

  void drain() {
    while (!m_queue.empty()) {
      const ProcEntry parent = m_found[m_queue.back()];
      m_queue.pop_back();
      visit(parent.pid, parent.num_threads);  // false: it exited meanwhile
    }
  }

  const pid_t m_self = ::getpid();
  std::unordered_set<pid_t> m_seen{m_self};
  std::vector<ProcEntry> m_found;
  std::vector<size_t> m_queue;  // indexes into m_found of processes still to visit
};

util::Expected<std::vector<ProcEntry>> full_scan_below_self(Reach reach) {
  PW_TRY(table, list_processes());
  const pid_t self = ::getpid();
  if (reach == Reach::subtree) return descendants_of(table, self);
  std::erase_if(table, [&](const ProcEntry& e) { return e.ppid != self; });
  return table;
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
      !parse_number(fields[3], entry.sid) || !parse_number(fields[17], entry.num_threads) ||
      !parse_number(fields[19], entry.start_time))
    return std::nullopt;
  return entry;
}

util::Expected<std::vector<pid_t>> list_pids() {
  auto pids = list_numeric_entries("/proc");
  if (!pids) return util::fail(fmt::format("cannot list /proc: {}", std::strerror(errno)));
  return std::move(*pids);
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

ProcListing proc_listing() {
  if (int forced = g_forced_listing.load(); forced >= 0) return static_cast<ProcListing>(forced);
  static const ProcListing kernel =
      ::access(fmt::format("/proc/self/task/{}/children", ::gettid()).c_str(), R_OK) == 0
          ? ProcListing::children_files
          : ProcListing::full_scan;
  return kernel;
}

util::Expected<std::vector<ProcEntry>> list_own_descendants() {
  if (proc_listing() == ProcListing::full_scan) return full_scan_below_self(Reach::subtree);
  return SubtreeWalk().run(Reach::subtree);
}

util::Expected<std::vector<ProcEntry>> list_own_children() {
  if (proc_listing() == ProcListing::full_scan) return full_scan_below_self(Reach::children);
  return SubtreeWalk().run(Reach::children);
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

std::string process_name(pid_t pid) {
  auto comm = read_small(fmt::format("/proc/{}/comm", pid), 64);
  if (!comm) return "";
  while (!comm->empty() && comm->back() == '\n')
    comm->pop_back();
  return *comm;
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

namespace detail {

void force_proc_listing(std::optional<ProcListing> listing) {
  g_forced_listing = listing ? static_cast<int>(*listing) : -1;
}

}  // namespace detail

}  // namespace pipewright::os
