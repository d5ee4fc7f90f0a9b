// User-defined service providers: `.pipewright/services.yml` maps an image we do not
// know (Neo4j, Qdrant, an in-house echo server, ...) to a server installed on the
// host. Also overrides a built-in provider for the same image.
//
//   providers:
//     example/echo:                  # image repository, as in `image:` (tags ignored)
//       command: [python3, -m, http.server, --bind, 127.0.0.1, "{port}"]
//       port: 8000                   # the port the image serves (ports: - 8080:8000)
//       env:                         # the server's environment
//         GREETING: "{env.ECHO_GREETING}"
//       ready: "curl -sf http://127.0.0.1:{port}/"  # exit 0 = ready; default: TCP connect
//       data-dir-flag: --directory   # adds `--directory <private data dir>`
//       user: nobody                 # run as this user when we are root (default: us)
//
// Placeholders in command, env values and ready: {port} (the host port the server
// must listen on, on 127.0.0.1), {data_dir}, {env.NAME} (the service's env). The
// service's own env is passed to the server as well; its `command:` args are
// appended to `command`. Validation errors carry file:line:col.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "pipewright/exec/services/service_provider.h"
#include "pipewright/util/error.h"

namespace pipewright::exec::services {

// One `providers.<image>` entry.
struct CustomProviderDef {
  std::string image;  // repository path matched against ImageRef::path
  std::vector<std::string> command;
  int port = 0;
  std::vector<std::pair<std::string, std::string>> env;
  std::string ready;          // "" = TCP connect to {port}
  std::string data_dir_flag;  // "" = none
  std::string user;           // "" = ourselves
  util::Location location;
};

// Parses the text of a services.yml (`file` names it in locations). Fails with the
// first problem, located.
util::Expected<std::vector<CustomProviderDef>> parse_custom_providers(const std::string& text,
                                                                      const std::string& file);

// Reads `path` (missing file = no custom providers); `display` names it in errors.
util::Expected<std::vector<CustomProviderDef>> load_custom_providers(const std::string& path,
                                                                     const std::string& display);

// A provider running `def`.
std::unique_ptr<ServiceProvider> make_custom_provider(const CustomProviderDef& def);

// The definition serving `image` (by path, then by repository), or nullptr.
const CustomProviderDef* find_custom_provider(const std::vector<CustomProviderDef>& defs,
                                              const ImageRef& image);

}  // namespace pipewright::exec::services
