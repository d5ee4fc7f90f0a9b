// The registry of built-in providers (STYLE.md rule 8): one row per provider with
// the image repositories it serves. Tags select versions (postgres:15-alpine).
#include <cstdlib>

#include <linux/magic.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "pipewright/exec/services/providers.h"

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

namespace {

bool on_tmpfs(const char* path) {
  struct statfs info {};
  return ::statfs(path, &info) == 0 && info.f_type == TMPFS_MAGIC;
}

}  // namespace

std::string default_runtime_dir() {
  // Data dirs of ephemeral servers belong in memory: a job's PostgreSQL is a copy of
  // a 1,264-file template, and creating that many files on disk costs far more than
  // the copy (on ext4 without a journal each create scans recently deleted inodes:
  // ~1 s per start right after other jobs). /run is a tmpfs on most systems; when it
  // is not (containers), /dev/shm is.
  std::string uid = std::to_string(::geteuid());
  if (::geteuid() == 0 && on_tmpfs("/run")) return "/run/pipewright/services";
  if (const char* xdg = std::getenv("XDG_RUNTIME_DIR"); xdg && *xdg)
    return std::string(xdg) + "/pipewright/services";
  if (on_tmpfs("/dev/shm")) return "/dev/shm/pipewright-" + uid + "/services";
  if (::geteuid() == 0) return "/run/pipewright/services";
  return "/tmp/pipewright-" + uid + "/services";
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
