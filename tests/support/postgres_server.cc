// pw_test_postgres: one PostgreSQL server for the store tests, started with our own
// service provider (exec/services, as `services:` runs it), as a ctest fixture:
//   pw_test_postgres start STATE_DIR   starts it in the background, writes STATE_DIR/url
//                                      (postgresql://postgres:PASSWORD@127.0.0.1:PORT,
//                                      no database: each test creates its own) and pid
//   pw_test_postgres stop STATE_DIR    stops it and removes its files
// When the server cannot start, `start` writes why to STATE_DIR/error and still exits
// 0: the SQLite variants of the store tests run, the PostgreSQL ones fail with that
// reason (backends.h). The server stops by itself after an hour if `stop` never comes
// (an aborted ctest).
#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <thread>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pipewright/exec/services/service_provider.h"

namespace {

using namespace pipewright::exec::services;

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  while (!text.empty() && text.back() == '\n')
    text.pop_back();
  return text;
}

std::string random_password() {
  std::random_device device;
  std::string out;
  for (int i = 0; i < 20; ++i)
    out += "abcdefghijklmnopqrstuvwxyz0123456789"[device() % 36];
  return out;
}

// Stops the server a previous `start` left in STATE_DIR, if any.
int stop(const std::string& state_dir) {
  std::string pid_text = read_file(state_dir + "/pid");
  std::filesystem::remove(state_dir + "/url");
  std::filesystem::remove(state_dir + "/pid");
  std::filesystem::remove(state_dir + "/error");
  if (pid_text.empty()) return 0;
  pid_t pid = static_cast<pid_t>(std::stol(pid_text));
  if (::kill(pid, SIGTERM) != 0) return 0;  // already gone
  for (int i = 0; i < 600 && ::kill(pid, 0) == 0; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  return 0;
}

// The daemon: starts the server, reports "url" or "error: ..." on `report`, then
// waits for SIGTERM (or an hour) and stops it.
[[noreturn]] void serve(int report, const std::string& state_dir) {
  ::setsid();
  int log = ::open((state_dir + "/server.log").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  int null = ::open("/dev/null", O_RDONLY);
  ::dup2(null, 0);
  ::dup2(log, 1);
  ::dup2(log, 2);
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  sigprocmask(SIG_BLOCK, &stop_signals, nullptr);

  char root_template[] = "/tmp/pw-store-postgres-XXXXXX";
  std::string root = ::mkdtemp(root_template) ? root_template : "";
  ::chmod(root.c_str(), 0755);  // the server runs as `postgres` when we are root
  StartContext context;
  context.job_key = "store-tests";
  context.runtime_dir = root + "/run";
  // The template cluster, reused across runs; per user (root's is owned by postgres).
  context.cache_dir = "/tmp/pw-store-postgres-cache-" + std::to_string(::geteuid());
  context.notice = [](std::string_view line) {
    std::fprintf(stderr, "%.*s\n", int(line.size()), line.data());
  };
  std::string password = random_password();
  ServiceSpec spec;
  spec.id = "store";
  spec.image = "postgres:15";
  spec.env = {{"POSTGRES_PASSWORD", password}};
  spec.ports = {"5432"};
  auto set = start_services({spec}, context);
  std::string message;
  if (set)
    message = "postgresql://postgres:" + password +
              "@127.0.0.1:" + set->services()[0].ports.at("5432") + "\n";
  else
    message = "error: " + set.error().message + "\n";
  if (::write(report, message.data(), message.size()) < 0) std::perror("report");
  ::close(report);
  if (set) {
    timespec hour{3600, 0};
    sigtimedwait(&stop_signals, nullptr, &hour);
    (void)set->stop();
  }
  std::filesystem::remove_all(root);
  ::_exit(set ? 0 : 1);
}

int start(const std::string& state_dir) {
  std::filesystem::create_directories(state_dir);
  stop(state_dir);
  int report[2];
  if (::pipe(report) != 0) return std::perror("pipe"), 1;
  std::fflush(nullptr);
  pid_t child = ::fork();
  if (child < 0) return std::perror("fork"), 1;
  if (child == 0) {
    ::close(report[0]);
    serve(report[1], state_dir);
  }
  ::close(report[1]);
  std::string line;
  char buffer[4096];
  for (ssize_t n; (n = ::read(report[0], buffer, sizeof buffer)) > 0;)
    line.append(buffer, static_cast<size_t>(n));
  ::close(report[0]);
  while (!line.empty() && line.back() == '\n')
    line.pop_back();
  if (!line.starts_with("postgresql://")) {
    std::string why = "PostgreSQL did not start: " + (line.empty() ? "no report" : line) +
                      " (log: " + state_dir + "/server.log)";
    std::ofstream(state_dir + "/error") << why << "\n";
    std::fprintf(stderr, "pw_test_postgres: %s\n", why.c_str());
    return 0;  // the PostgreSQL variants fail with this reason
  }
  std::ofstream(state_dir + "/pid") << child << "\n";
  std::ofstream(state_dir + "/url") << line << "\n";
  std::printf("PostgreSQL for the store tests: pid %d, state in %s\n", child, state_dir.c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::string command = argc == 3 ? argv[1] : "";
  if (command == "start") return start(argv[2]);
  if (command == "stop") return stop(argv[2]);
  std::fprintf(stderr, "usage: pw_test_postgres start|stop STATE_DIR\n");
  return 2;
}
