// Helpers shared by the service runner and the providers (internal to services/).
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <sys/types.h>

#include "pipewright/util/error.h"

namespace pipewright::exec::services {

// Splits like sh: whitespace separates, '...' and "..." quote, backslash escapes.
// Fails on an unterminated quote.
util::Expected<std::vector<std::string>> split_shell_words(std::string_view text);

// Quotes one word for sh ('it'\''s').
std::string shell_quote(std::string_view word);

// Result of capture().
struct Captured {
  int exit_code = -1;  // -1 when killed (timeout) or by a signal
  bool timed_out = false;
  std::string output;  // stdout+stderr, at most ~64 KiB kept (the tail)
};

// Runs argv (PATH of ours, env = base env + extra) and collects its output, killing
// it after `timeout`. Fails only when it cannot be started.
util::Expected<Captured> capture(const std::vector<std::string>& argv,
                                 const std::vector<std::string>& extra_env,
                                 std::chrono::milliseconds timeout);

// The environment a child gets: PATH, HOME=/tmp-ish, LANG=C.UTF-8, plus extra.
std::vector<std::string> base_env(const std::vector<std::string>& extra);

// A system user's uid/gid, or nullopt when it does not exist.
struct UserIds {
  uid_t uid;
  gid_t gid;
};
std::optional<UserIds> lookup_user(const std::string& name);

// argv prefixed to run as `user` (setpriv, with the user's groups), unchanged when
// user is empty.
std::vector<std::string> as_user(const std::string& user, std::vector<std::string> argv);

// mkdir -p with mode; chown to user when non-empty. Fails with errno text.
util::Expected<void> make_dirs(const std::string& path, mode_t mode, const std::string& user = "");
// chown -R path to user (no-op when user is empty).
util::Expected<void> chown_tree(const std::string& path, const std::string& user);
// rm -rf; missing is fine.
util::Expected<void> remove_tree(const std::string& path);
// Copies a tree (cp -a --reflink=auto).
util::Expected<void> copy_tree(const std::string& from, const std::string& to);
// The last `lines` lines of a file ("" when unreadable).
std::string tail_lines(const std::string& path, int lines);
// A free TCP port on 127.0.0.1 (in our current network namespace).
util::Expected<int> free_port();
// First path among candidates that is executable, or "".
std::string find_program(const std::vector<std::string>& candidates);

}  // namespace pipewright::exec::services
