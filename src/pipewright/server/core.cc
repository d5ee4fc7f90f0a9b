#include "pipewright/server/core.h"

#include <filesystem>

#include "pipewright/server/repos.h"
#include "pipewright/util/ascii.h"

namespace pipewright::server {

namespace fs = std::filesystem;

namespace {

// A log value: bare when it is one plain word, quoted (with \" and \\) otherwise.
void append_value(std::string& line, std::string_view value) {
  bool plain = !value.empty();
  for (char c : value)
    if (c == ' ' || c == '"' || c == '\\' || c == '=' || static_cast<unsigned char>(c) < 0x20)
      plain = false;
  if (plain) {
    line += value;
    return;
  }
  line += '"';
  for (char c : value) {
    if (c == '"' || c == '\\') line += '\\';
    if (c == '\n') {
      line += "\\n";
      continue;
    }
    if (static_cast<unsigned char>(c) < 0x20) continue;
    line += c;
  }
  line += '"';
}

}  // namespace

store::TimePoint now_ms() {
  return std::chrono::time_point_cast<std::chrono::milliseconds>(store::Clock::now());
}

std::string secret_context(std::string_view repo, std::string_view name) {
  return "secret:" + util::ascii_lower(repo) + ":" + util::ascii_lower(name);
}

std::string webhook_secret_context(std::string_view repo) {
  return "webhook:" + util::ascii_lower(repo);
}

util::Expected<void> Mirrors::with(const Repo& repo,
                                   const std::function<util::Expected<void>(Mirror&)>& use) {
  std::shared_ptr<Entry> entry;
  {
    std::lock_guard lock(m_mutex);
    auto& slot = m_entries[util::ascii_lower(repo.full_name)];
    if (!slot) slot = std::make_shared<Entry>();
    entry = slot;
  }
  std::lock_guard lock(entry->mutex);
  if (!entry->mirror || entry->mirror->source() != repo.source) {
    PW_TRY(mirror, Mirror::open_or_create(mirror_dir(m_root, repo.full_name), repo.source));
    entry->mirror.emplace(std::move(mirror));
  }
  return use(*entry->mirror);
}

void Core::log(std::string_view event, const LogFields& fields) const {
  if (!options.log) return;
  std::string line = "serve event=";
  line += event;
  for (const auto& [key, value] : fields) {
    line += ' ';
    line += key;
    line += '=';
    append_value(line, value);
  }
  options.log(line);
}

util::Expected<std::vector<std::pair<std::string, std::string>>> Core::secrets_of(
    std::string_view repo) const {
  PW_TRY(sealed, db->sealed_secrets(repo));
  std::vector<std::pair<std::string, std::string>> out;
  for (auto& [name, value] : sealed) {
    auto plain = box->unseal(value, secret_context(repo, name));
    if (!plain)
      return util::fail("secret " + name + " of " + std::string(repo) +
                            " cannot be read: " + plain.error().message,
                        {},
                        "set it again (pipewright secret set), or start the server with "
                        "the key it was stored under");
    out.emplace_back(name, std::move(*plain));
  }
  return out;
}

std::string Core::checkout_dir(std::string_view repo, std::string_view sha) const {
  return data_dir + "/checkouts/" + util::ascii_lower(repo) + "/" + std::string(sha);
}

util::Expected<std::string> Core::ensure_checkout(const Repo& repo, const std::string& sha,
                                                  const std::string& ref) {
  std::string dir = checkout_dir(repo.full_name, sha);
  std::error_code ec;
  if (fs::exists(dir + "/.git", ec)) return dir;
  // Checked out beside the final place and renamed into it, so a crash never leaves a
  // half-made checkout where a run would use it.
  std::string partial = dir + ".partial";
  PW_TRY_VOID(mirrors->with(repo, [&](Mirror& mirror) -> util::Expected<void> {
    // Under the mirror's lock: one thread makes a checkout, the others find it made.
    if (fs::exists(dir + "/.git", ec)) return {};
    fs::remove_all(partial, ec);
    fs::create_directories(fs::path(dir).parent_path(), ec);
    PW_TRY_VOID(mirror.checkout(sha, ref, partial));
    fs::rename(partial, dir, ec);
    if (ec) return util::fail("cannot move checkout into " + dir + ": " + ec.message());
    return {};
  }));
  return dir;
}

}  // namespace pipewright::server
