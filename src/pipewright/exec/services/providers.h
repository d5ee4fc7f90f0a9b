// Factories of the built-in providers (internal to services/; the table is in
// provider_registry.cc).
#pragma once

#include <memory>

#include "pipewright/exec/services/service_provider.h"

namespace pipewright::exec::services {

std::unique_ptr<ServiceProvider> make_postgres_provider();
std::unique_ptr<ServiceProvider> make_redis_provider();
std::unique_ptr<ServiceProvider> make_mariadb_provider();
std::unique_ptr<ServiceProvider> make_memcached_provider();

// A bash probe that succeeds once 127.0.0.1:port accepts TCP connections.
std::vector<std::string> tcp_probe(int port);

}  // namespace pipewright::exec::services
