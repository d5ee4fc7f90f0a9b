// MySQL/MariaDB as the `mysql` and `mariadb` images do it, served by MariaDB:
// MYSQL_ROOT_PASSWORD / MYSQL_ALLOW_EMPTY_PASSWORD / MYSQL_RANDOM_ROOT_PASSWORD (one
// is required), MYSQL_DATABASE, MYSQL_USER + MYSQL_PASSWORD (all privileges on the
// database), MYSQL_ROOT_HOST (default %), each also spelled MARIADB_*.
//
// The system tables come from mariadb-install-db once per (version, user) into a
// template under the cache dir; a job copies it. Users and the database are created
// over the server's private socket once it is up, root's password last.
#include <filesystem>
#include <memory>
#include <random>
#include <string>

#include <unistd.h>

#include "pipewright/exec/services/providers.h"
#include "pipewright/exec/services/service_util.h"

namespace pipewright::exec::services {
namespace {

// MYSQL_x or MARIADB_x (MariaDB's image accepts both; MARIADB_ wins).
std::string setting(const std::map<std::string, std::string>& env, const std::string& name,
                    const std::string& mariadb_name = "") {
  auto it = env.find("MARIADB_" + (mariadb_name.empty() ? name : mariadb_name));
  if (it != env.end() && !it->second.empty()) return it->second;
  it = env.find("MYSQL_" + name);
  return it == env.end() ? "" : it->second;
}

std::string sql_string(const std::string& text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'' || c == '\\') out += '\\';
    out += c;
  }
  return out + "'";
}

std::string sql_ident(const std::string& name) {
  std::string out = "`";
  for (char c : name)
    out += c == '`' ? std::string("``") : std::string(1, c);
  return out + "`";
}

bool truthy(const std::string& value) {
  return !value.empty() && value != "0" && value != "no";
}

std::string random_password() {
  static constexpr std::string_view k_chars =
      "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  std::random_device device;
  std::string out;
  for (int i = 0; i < 24; ++i)
    out += k_chars[device() % k_chars.size()];
  return out;
}

// "10.11" from `mariadbd --version` ("... Ver 10.11.6-MariaDB-0+deb12u1 ...").
int installed_major(const std::string& server) {
  auto out = capture({server, "--version"}, {}, std::chrono::seconds(10));
  if (!out) return 0;
  auto at = out->output.find("Ver ");
  if (at == std::string::npos) return 0;
  return std::atoi(out->output.c_str() + at + 4);
}

class MariadbProvider final : public ServiceProvider {
 public:
  std::string_view name() const override { return "mariadb"; }
  int default_port() const override { return 3306; }
  std::string_view system_user() const override { return "mysql"; }

  util::Expected<LaunchPlan> prepare(const ProviderRequest& request) override {
    std::string server = find_program({"/usr/sbin/mariadbd", "/usr/sbin/mysqld"});
    std::string install =
        find_program({"/usr/bin/mariadb-install-db", "/usr/bin/mysql_install_db"});
    std::string client = find_program({"/usr/bin/mariadb", "/usr/bin/mysql"});
    if (server.empty() || install.empty() || client.empty())
      return util::fail("MariaDB is not installed", {},
                        "apt-get install mariadb-server mariadb-client");
    LaunchPlan plan;
    int major = installed_major(server);
    bool is_mysql = request.image.repository == "mysql";
    if (request.image.major && (is_mysql || *request.image.major != major))
      plan.version_warning = request.image.path + ":" + request.image.tag +
                             " requested, running MariaDB " + std::to_string(major);

    const auto& env = request.env;
    std::string root_password = setting(env, "ROOT_PASSWORD");
    bool allow_empty = truthy(setting(env, "ALLOW_EMPTY_PASSWORD", "ALLOW_EMPTY_ROOT_PASSWORD"));
    bool random_root = truthy(setting(env, "RANDOM_ROOT_PASSWORD"));
    if (root_password.empty() && !allow_empty && !random_root)
      return util::fail(
          "database is uninitialized and password option is not specified (as the " +
              request.image.repository + " image)",
          {}, "set MYSQL_ROOT_PASSWORD, MYSQL_ALLOW_EMPTY_PASSWORD or MYSQL_RANDOM_ROOT_PASSWORD");
    if (random_root && root_password.empty()) {
      root_password = random_password();
      if (request.notice) request.notice("GENERATED ROOT PASSWORD: " + root_password);
    }
    std::string database = setting(env, "DATABASE");
    std::string user = setting(env, "USER");
    std::string password = setting(env, "PASSWORD");
    std::string root_host = setting(env, "ROOT_HOST");
    if (root_host.empty()) root_host = "%";
    if (!user.empty() && password.empty())
      return util::fail("MYSQL_USER is set but MYSQL_PASSWORD is empty (as the image)");
    if (user == "root") return util::fail("MYSQL_USER=root is not allowed (as the image)");

    PW_TRY(template_dir, ensure_template(request, install, major));
    std::string data = request.data_dir + "/data";
    PW_TRY_VOID(copy_tree(template_dir, data));

    std::string socket = request.data_dir + "/mysqld.sock";
    std::string port = std::to_string(request.port);
    plan.log_file = request.data_dir + "/server.log";
    plan.argv = {server,
                 "--no-defaults",
                 "--datadir=" + data,
                 "--port=" + port,
                 "--bind-address=127.0.0.1",
                 "--socket=" + socket,
                 "--pid-file=" + request.data_dir + "/mysqld.pid",
                 "--skip-name-resolve",
                 "--innodb-flush-log-at-trx-commit=2",
                 "--skip-log-bin"};
    std::vector<std::string> args = request.args;
    if (!args.empty() && (args.front() == "mysqld" || args.front() == "mariadbd"))
      args.erase(args.begin());
    plan.argv.insert(plan.argv.end(), args.begin(), args.end());
    plan.ready_argv = {client + "-admin",    "--no-defaults", "--protocol=socket",
                       "--socket=" + socket, "-uroot",        "ping"};
    if (::access(plan.ready_argv[0].c_str(), X_OK) != 0) plan.ready_argv[0] = "/usr/bin/mysqladmin";

    // As the image: no anonymous accounts, and root only at localhost and
    // MYSQL_ROOT_HOST (install-db also adds root@127.0.0.1, ::1 and the host name,
    // without a password).
    std::string sql =
        "DELETE FROM mysql.global_priv WHERE User='' OR (User='root' AND Host<>'localhost'); "
        "FLUSH PRIVILEGES; ";
    std::string root_auth =
        root_password.empty() ? "" : " IDENTIFIED BY " + sql_string(root_password);
    if (root_host != "localhost")
      sql += "CREATE USER IF NOT EXISTS 'root'@" + sql_string(root_host) + root_auth +
             "; GRANT ALL ON *.* TO 'root'@" + sql_string(root_host) + " WITH GRANT OPTION; ";
    if (!database.empty()) sql += "CREATE DATABASE IF NOT EXISTS " + sql_ident(database) + "; ";
    if (!user.empty()) {
      sql +=
          "CREATE USER " + sql_string(user) + "@'%' IDENTIFIED BY " + sql_string(password) + "; ";
      if (!database.empty())
        sql += "GRANT ALL ON " + sql_ident(database) + ".* TO " + sql_string(user) + "@'%'; ";
    }
    if (!root_password.empty()) sql += "ALTER USER 'root'@'localhost'" + root_auth + "; ";
    sql += "FLUSH PRIVILEGES;";
    plan.after_ready = {
        {client, "--no-defaults", "--protocol=socket", "--socket=" + socket, "-uroot", "-e", sql}};
    plan.client_env = {"MYSQL_HOST=127.0.0.1", "MYSQL_TCP_PORT=" + port,
                       "MYSQL_UNIX_PORT=" + socket, "MYSQL_PWD=" + root_password};
    std::vector<std::string> tcp = {"--protocol=TCP", "-h", "127.0.0.1", "-P", port};
    for (std::string tool :
         std::vector<std::string>{"mysqladmin", "mariadb-admin", "mysql", "mariadb"}) {
      std::vector<std::string> prefix = {"/usr/bin/" + tool};
      prefix.insert(prefix.end(), tcp.begin(), tcp.end());
      plan.client_wrappers.emplace_back(tool, prefix);
    }
    return plan;
  }

 private:
  util::Expected<std::string> ensure_template(const ProviderRequest& request,
                                              const std::string& install, int major) {
    std::string root = request.cache_dir + "/mariadb";
    std::string final_dir = root + "/" + std::to_string(major) + "-" +
                            (request.run_as.empty() ? std::string("self") : request.run_as) + "-v1";
    if (std::filesystem::exists(final_dir + "/mysql")) return final_dir;
    PW_TRY_VOID(make_dirs(root, 0755, request.run_as));
    std::string build = root + "/.build-" + std::to_string(::getpid());
    (void)remove_tree(build);
    PW_TRY_VOID(make_dirs(build, 0700, request.run_as));
    PW_TRY(out, capture(as_user(request.run_as,
                                {install, "--no-defaults", "--datadir=" + build + "/data",
                                 "--auth-root-authentication-method=normal", "--skip-test-db",
                                 "--skip-name-resolve"}),
                        {}, std::chrono::minutes(5)));
    if (out.exit_code != 0) {
      (void)remove_tree(build);
      return util::fail("mariadb-install-db failed:\n" + out.output);
    }
    std::error_code ec;
    std::filesystem::rename(build + "/data", final_dir, ec);
    (void)remove_tree(build);
    if (ec && !std::filesystem::exists(final_dir + "/mysql"))
      return util::fail("cannot store the template " + final_dir + ": " + ec.message());
    return final_dir;
  }
};

}  // namespace

std::unique_ptr<ServiceProvider> make_mariadb_provider() {
  return std::make_unique<MariadbProvider>();
}

}  // namespace pipewright::exec::services
