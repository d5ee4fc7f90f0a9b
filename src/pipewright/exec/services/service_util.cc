#include "pipewright/exec/services/service_util.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>

#include <arpa/inet.h>
#include <fcntl.h>
#include <grp.h>
#include <netinet/in.h>
#include <pwd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pipewright/os/fd.h"
#include "pipewright/os/process.h"

namespace pipewright::exec::services {
namespace {

util::Expected<void> run_quiet(const std::vector<std::string>& argv, const std::string& what) {
  PW_TRY(result, capture(argv, {}, std::chrono::minutes(5)));
  if (result.exit_code != 0) return util::fail(what + " failed: " + result.output);
  return {};
}

}  // namespace

util::Expected<std::vector<std::string>> split_shell_words(std::string_view text) {
  std::vector<std::string> words;
  std::string current;
  bool in_word = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      if (in_word) words.push_back(std::move(current));
      current.clear();
      in_word = false;
      continue;
    }
    in_word = true;
    if (c == '\\' && i + 1 < text.size()) {
      current += text[++i];
    } else if (c == '\'' || c == '"') {
      size_t end = i + 1;
      for (; end < text.size() && text[end] != c; ++end) {
        if (c == '"' && text[end] == '\\' && end + 1 < text.size()) {
          current += text[++end];
          continue;
        }
        current += text[end];
      }
      if (end >= text.size())
        return util::fail("unterminated quote in '" + std::string(text) + "'");
      i = end;
    } else {
      current += c;
    }
  }
  if (in_word) words.push_back(std::move(current));
  return words;
}

std::string shell_quote(std::string_view word) {
  std::string out = "'";
  for (char c : word)
    out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::vector<std::string> base_env(const std::vector<std::string>& extra) {
  const char* path = std::getenv("PATH");
  std::vector<std::string> env = {
      std::string("PATH=") + (path ? path : "/usr/local/bin:/usr/bin:/bin") + ":/usr/sbin:/sbin",
      "LANG=C.UTF-8",
      "HOME=/tmp",
  };
  env.insert(env.end(), extra.begin(), extra.end());
  return env;
}

util::Expected<Captured> capture(const std::vector<std::string>& argv,
                                 const std::vector<std::string>& extra_env,
                                 std::chrono::milliseconds timeout) {
  Captured captured;
  os::SpawnOptions spawn;
  spawn.argv = argv;
  spawn.env = base_env(extra_env);
  os::RunOptions run;
  run.timeout = timeout;
  run.grace.after_interrupt = std::chrono::milliseconds(200);
  run.grace.after_terminate = std::chrono::milliseconds(300);
  run.on_output = [&](std::string_view chunk) {
    captured.output += chunk;
    if (captured.output.size() > 65536) captured.output.erase(0, captured.output.size() - 65536);
  };
  PW_TRY(result, os::run(spawn, run));
  captured.timed_out = result.reason == os::TerminationReason::timed_out;
  captured.exit_code = result.exit_code().value_or(-1);
  return captured;
}

std::optional<UserIds> lookup_user(const std::string& name) {
  struct passwd pw;
  struct passwd* found = nullptr;
  char buffer[4096];
  if (getpwnam_r(name.c_str(), &pw, buffer, sizeof buffer, &found) != 0 || !found)
    return std::nullopt;
  return UserIds{pw.pw_uid, pw.pw_gid};
}

std::vector<std::string> as_user(const std::string& user, std::vector<std::string> argv) {
  if (user.empty()) return argv;
  std::vector<std::string> out = {"setpriv", "--reuid=" + user, "--regid=" + user, "--init-groups",
                                  "--"};
  out.insert(out.end(), argv.begin(), argv.end());
  return out;
}

util::Expected<void> make_dirs(const std::string& path, mode_t mode, const std::string& user) {
  std::error_code ec;
  std::filesystem::create_directories(path, ec);
  if (ec) return util::fail("cannot create " + path + ": " + ec.message());
  if (::chmod(path.c_str(), mode) != 0)
    return util::fail("cannot chmod " + path + ": " + std::strerror(errno));
  if (!user.empty()) {
    auto ids = lookup_user(user);
    if (!ids) return util::fail("no such user '" + user + "'");
    if (::chown(path.c_str(), ids->uid, ids->gid) != 0)
      return util::fail("cannot chown " + path + ": " + std::strerror(errno));
  }
  return {};
}

util::Expected<void> chown_tree(const std::string& path, const std::string& user) {
  if (user.empty()) return {};
  return run_quiet({"chown", "-R", user + ":", path}, "chown " + path);
}

util::Expected<void> remove_tree(const std::string& path) {
  if (path.empty() || path == "/") return util::fail("refusing to remove '" + path + "'");
  std::error_code ec;
  std::filesystem::remove_all(path, ec);
  if (ec) return util::fail("cannot remove " + path + ": " + ec.message());
  return {};
}

util::Expected<void> copy_tree(const std::string& from, const std::string& to) {
  return run_quiet({"cp", "-a", "--reflink=auto", from, to}, "copy " + from);
}

std::string tail_lines(const std::string& path, int lines) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return "";
  std::vector<std::string> ring;
  std::string line;
  while (std::getline(in, line)) {
    ring.push_back(line);
    if (static_cast<int>(ring.size()) > lines) ring.erase(ring.begin());
  }
  std::string out;
  for (const std::string& l : ring)
    out += l + "\n";
  return out;
}

util::Expected<int> free_port() {
  os::Fd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (fd.get() < 0) return util::fail(std::string("socket: ") + std::strerror(errno));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
    return util::fail(std::string("bind: ") + std::strerror(errno));
  socklen_t len = sizeof addr;
  if (::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&addr), &len) != 0)
    return util::fail(std::string("getsockname: ") + std::strerror(errno));
  return static_cast<int>(ntohs(addr.sin_port));
}

std::string find_program(const std::vector<std::string>& candidates) {
  for (const std::string& c : candidates) {
    if (::access(c.c_str(), X_OK) == 0) return c;
  }
  return "";
}

}  // namespace pipewright::exec::services
