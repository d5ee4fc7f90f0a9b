// Driver for bench/services/run.sh (not a Google Benchmark): starts one service
// with exec/services, prints the milliseconds until it was ready, checks it with
// its client, stops it.
//
// Usage: services_bench postgres|redis RUNTIME_DIR CACHE_DIR
#include <chrono>
#include <cstdio>
#include <string>

#include "pipewright/exec/services/service_provider.h"
#include "pipewright/exec/services/service_util.h"

using namespace pipewright::exec::services;

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: services_bench postgres|redis RUNTIME_DIR CACHE_DIR\n");
    return 2;
  }
  std::string kind = argv[1];
  ServiceSpec spec;
  spec.id = kind;
  spec.image = kind == "postgres" ? "postgres:15" : "redis:7";
  spec.ports = {kind == "postgres" ? "5432" : "6379"};
  if (kind == "postgres") spec.env = {{"POSTGRES_PASSWORD", "bench"}, {"POSTGRES_DB", "bench"}};
  StartContext context;
  context.job_key = "bench";
  context.runtime_dir = argv[2];
  context.cache_dir = argv[3];
  auto start = std::chrono::steady_clock::now();
  auto set = start_services({spec}, context);
  auto ready = std::chrono::steady_clock::now();
  if (!set) {
    std::fprintf(stderr, "%s\n", set.error().message.c_str());
    return 1;
  }
  std::string port = set->services()[0].ports.begin()->second;
  std::vector<std::string> check =
      kind == "postgres"
          ? std::vector<std::string>{"pg_isready", "-q", "-h", "127.0.0.1", "-p", port}
          : std::vector<std::string>{"redis-cli", "-p", port, "ping"};
  auto checked = capture(check, {}, std::chrono::seconds(10));
  if (!checked || checked->exit_code != 0) {
    std::fprintf(stderr, "the %s service does not answer\n", kind.c_str());
    return 1;
  }
  std::printf("%.1f\n", std::chrono::duration<double, std::milli>(ready - start).count());
  return set->stop() ? 0 : 1;
}
