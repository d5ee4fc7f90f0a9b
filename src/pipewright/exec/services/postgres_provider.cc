// PostgreSQL as the `postgres` image does it: POSTGRES_USER (default postgres),
// POSTGRES_PASSWORD (required unless POSTGRES_HOST_AUTH_METHOD=trust), POSTGRES_DB
// (default: the user), POSTGRES_INITDB_ARGS, POSTGRES_HOST_AUTH_METHOD (default
// scram-sha-256 from image 14 on, md5 before), password auth for TCP.
//
// Fast start: initdb (plus CREATE DATABASE in single-user mode) runs once per
// (version, user, password, db, initdb args, auth method) into a template cluster
// under the cache dir; each job copies it (cp --reflink=auto) into its data dir.
// Templates are built in a temporary dir and renamed into place, so concurrent jobs
// never see a half-built one; the jobs of one run build each template once.
//
// Servers are ephemeral: fsync, synchronous_commit and full_page_writes are off.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <string>

#include <signal.h>
#include <unistd.h>

#include "pipewright/exec/services/providers.h"
#include "pipewright/exec/services/service_util.h"
#include "pipewright/util/sha256.h"

namespace pipewright::exec::services {
namespace {

struct Installed {
  int major = 0;
  std::string bin_dir;
};

// The newest installed server, or the one matching `wanted` when present.
std::optional<Installed> find_installed(std::optional<int> wanted) {
  std::optional<Installed> best;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/usr/lib/postgresql", ec)) {
    std::string name = entry.path().filename().string();
    if (name.empty() || !std::all_of(name.begin(), name.end(), ::isdigit)) continue;
    std::string bin = entry.path().string() + "/bin";
    if (::access((bin + "/postgres").c_str(), X_OK) != 0) continue;
    Installed found{std::stoi(name), bin};
    if (wanted && found.major == *wanted) return found;
    if (!best || found.major > best->major) best = found;
  }
  return best;
}

std::string env_or(const std::map<std::string, std::string>& env, const std::string& key,
                   const std::string& fallback) {
  auto it = env.find(key);
  return it == env.end() || it->second.empty() ? fallback : it->second;
}

std::string sql_ident(const std::string& name) {
  std::string out = "\"";
  for (char c : name)
    out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

class PostgresProvider final : public ServiceProvider {
 public:
  std::string_view name() const override { return "postgres"; }
  int default_port() const override { return 5432; }
  std::string_view system_user() const override { return "postgres"; }

  util::Expected<LaunchPlan> prepare(const ProviderRequest& request) override {
    auto installed = find_installed(request.image.major);
    if (!installed)
      return util::fail("PostgreSQL is not installed", {},
                        "install it: apt-get install postgresql-15 (scripts/install-deps.sh)");
    LaunchPlan plan;
    if (request.image.major && *request.image.major != installed->major)
      plan.version_warning = request.image.path + ":" + request.image.tag +
                             " requested, running PostgreSQL " + std::to_string(installed->major);

    const auto& env = request.env;
    std::string user = env_or(env, "POSTGRES_USER", "postgres");
    std::string password = env_or(env, "POSTGRES_PASSWORD", "");
    std::string db = env_or(env, "POSTGRES_DB", user);
    std::string initdb_args = env_or(env, "POSTGRES_INITDB_ARGS", "");
    bool modern = !request.image.major || *request.image.major >= 14;
    std::string auth = env_or(env, "POSTGRES_HOST_AUTH_METHOD", modern ? "scram-sha-256" : "md5");
    if (password.empty() && auth != "trust")
      return util::fail(
          "Database is uninitialized and superuser password is not specified (as the postgres "
          "image)",
          {}, "set POSTGRES_PASSWORD in the service's env, or POSTGRES_HOST_AUTH_METHOD=trust");

    PW_TRY(template_dir,
           ensure_template(request, *installed, user, password, db, initdb_args, auth));
    std::string pgdata = request.data_dir + "/pgdata";
    PW_TRY_VOID(copy_tree(template_dir, pgdata));

    plan.log_file = request.data_dir + "/server.log";
    std::string port = std::to_string(request.port);
    plan.argv = {installed->bin_dir + "/postgres",
                 "-D",
                 pgdata,
                 "-p",
                 port,
                 "-c",
                 "listen_addresses=127.0.0.1",
                 "-c",
                 "unix_socket_directories=",
                 "-c",
                 "fsync=off",
                 "-c",
                 "synchronous_commit=off",
                 "-c",
                 "full_page_writes=off"};
    // `command:` args (e.g. "-c max_connections=200") go to the server, as in the image.
    std::vector<std::string> args = request.args;
    if (!args.empty() && args.front() == "postgres") args.erase(args.begin());
    plan.argv.insert(plan.argv.end(), args.begin(), args.end());
    plan.ready_argv = {installed->bin_dir + "/pg_isready",
                       "-q",
                       "-h",
                       "127.0.0.1",
                       "-p",
                       port,
                       "-U",
                       user,
                       "-d",
                       db};
    plan.stop_signal = SIGINT;
    plan.client_env = {"PGHOST=127.0.0.1", "PGPORT=" + port, "PGUSER=" + user,
                       "PGPASSWORD=" + password, "PGDATABASE=" + db};
    return plan;
  }

 private:
  // The template cluster for these settings, built when missing.
  util::Expected<std::string> ensure_template(const ProviderRequest& request,
                                              const Installed& installed, const std::string& user,
                                              const std::string& password, const std::string& db,
                                              const std::string& initdb_args,
                                              const std::string& auth) {
    util::Sha256 hash;
    for (const std::string& part : {std::to_string(installed.major), user, password, db,
                                    initdb_args, auth, request.run_as, std::string("v1")}) {
      hash.update(part);
      hash.update(std::string_view("\0", 1));
    }
    std::string key = util::to_hex(hash.finish()).substr(0, 24);
    std::string root = request.cache_dir + "/postgres";
    std::string final_dir = root + "/" + key;
    if (std::filesystem::exists(final_dir + "/PG_VERSION")) return final_dir;
    // Parallel jobs of this process wait for one build and reuse it (other processes
    // build in their own dir and the first rename wins).
    static std::mutex k_build_mutex;
    std::lock_guard lock(k_build_mutex);
    if (std::filesystem::exists(final_dir + "/PG_VERSION")) return final_dir;

    PW_TRY_VOID(make_dirs(root, 0755, request.run_as));
    std::string build = root + "/.build-" + std::to_string(::getpid()) + "-" + key;
    (void)remove_tree(build);
    PW_TRY_VOID(make_dirs(build, 0700, request.run_as));
    auto fail_with = [&](const std::string& what, const Captured& out) {
      (void)remove_tree(build);
      return util::fail(what + " failed:\n" + out.output);
    };
    std::string pwfile = build + "/.pwfile";
    { std::ofstream(pwfile) << password << "\n"; }
    PW_TRY_VOID(chown_tree(pwfile, request.run_as));
    std::string data = build + "/data";
    std::vector<std::string> initdb = {installed.bin_dir + "/initdb",
                                       "-D",
                                       data,
                                       "--username=" + user,
                                       "--auth-local=trust",
                                       "--auth-host=" + auth,
                                       "--no-sync",
                                       "--encoding=UTF8",
                                       "--locale=C.UTF-8"};
    if (!password.empty()) initdb.push_back("--pwfile=" + pwfile);
    PW_TRY(extra, split_shell_words(initdb_args));
    initdb.insert(initdb.end(), extra.begin(), extra.end());
    PW_TRY(init, capture(as_user(request.run_as, initdb), {}, std::chrono::minutes(5)));
    (void)remove_tree(pwfile);
    if (init.exit_code != 0) return fail_with("initdb", init);
    // The image: listen everywhere, password auth for every TCP connection.
    {
      std::ofstream hba(data + "/pg_hba.conf", std::ios::app);
      hba << "host all all all " << auth << "\n";
    }
    if (db != "postgres") {
      std::string sql = "CREATE DATABASE " + sql_ident(db) + ";";
      std::string script = "echo " + shell_quote(sql) + " | " +
                           shell_quote(installed.bin_dir + "/postgres") + " --single -j -D " +
                           shell_quote(data) + " postgres";
      PW_TRY(created,
             capture(as_user(request.run_as, {"sh", "-c", script}), {}, std::chrono::minutes(2)));
      if (created.exit_code != 0 || created.output.find("ERROR") != std::string::npos)
        return fail_with("CREATE DATABASE " + db, created);
    }
    std::error_code ec;
    std::filesystem::rename(data, final_dir, ec);
    (void)remove_tree(build);
    if (ec && !std::filesystem::exists(final_dir + "/PG_VERSION"))
      return util::fail("cannot store the template " + final_dir + ": " + ec.message());
    return final_dir;
  }
};

}  // namespace

std::unique_ptr<ServiceProvider> make_postgres_provider() {
  return std::make_unique<PostgresProvider>();
}

}  // namespace pipewright::exec::services
