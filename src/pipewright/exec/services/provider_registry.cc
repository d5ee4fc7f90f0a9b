// The registry of built-in providers (STYLE.md rule 8): one row per provider with
// the image repositories it serves. Tags select versions (postgres:15-alpine).
#include <cstdlib>

#include <unistd.h>

#include "pipewright/exec/services/providers.h"
#include "pipewright/os/runtime_dir.h"

namespace pipewright::exec::services {

const std::vector<ProviderEntry>& provider_table() {
  static const std::vector<ProviderEntry> k_table = [] {
    std::vector<ProviderEntry> table;
    table.push_back({{"postgres"}, "postgres", &make_postgres_provider});
    table.push_back({{"redis"}, "redis", &make_redis_provider});
    table.push_back({{"mysql", "mariadb"}, "mysql/mariadb", &make_mariadb_provider});
    table.push_back({{"memcached"}, "memcached", &make_memcached_provider});
    return table;
  }();
  return k_table;
}

std::unique_ptr<ServiceProvider> find_provider(const ImageRef& image) {
  for (const ProviderEntry& entry : provider_table()) {
    for (std::string_view name : entry.images) {
      if (image.path == name) return entry.make();
    }
  }
  return nullptr;
}

std::string unsupported_message(std::string_view image) {
  std::string known;
  for (const ProviderEntry& entry : provider_table()) {
    for (std::string_view name : entry.images)
      known += (known.empty() ? "" : ", ") + std::string(name);
  }
  return "no native provider for image '" + std::string(image) + "' (known images: " + known +
         "; tags select the version, e.g. postgres:15-alpine). Services run as native servers, "
         "not containers: to add one, map the image to an installed server in "
         ".pipewright/services.yml (command, env mapping, readiness check, data dir flag).";
}

std::string default_runtime_dir() {
  // A job's PostgreSQL is a copy of a 1,264-file template: in memory, creating those
  // files costs far less than the copy (on disk: ~1 s per start right after other jobs).
  return os::runtime_dir() + "/services";
}

std::string default_cache_dir() {
  // Root's home is private, but the servers run as system users who must read it.
  if (::geteuid() == 0) return "/var/cache/pipewright/services";
  if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg && *xdg)
    return std::string(xdg) + "/pipewright/services";
  const char* home = std::getenv("HOME");
  return std::string(home && *home ? home : "/tmp") + "/.cache/pipewright/services";
}

}  // namespace pipewright::exec::services
