#include "pipewright/store/backup.h"

#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <set>
#include <thread>

#include <fcntl.h>
#include <fmt/format.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pipewright/os/file.h"
#include "pipewright/store/data_dir.h"
#include "pipewright/store/schema.h"
#include "pipewright/store/store.h"

namespace pipewright::store {

namespace {

namespace fs = std::filesystem;

constexpr std::string_view k_manifest = "manifest";
constexpr std::string_view k_manifest_header = "pipewright-backup";
constexpr size_t k_max_manifest_bytes = size_t{1} << 30;
constexpr int k_busy_timeout_ms = 10000;
// The data dir's folders of per-run files, each named by run id.
constexpr std::string_view k_run_folders[] = {"logs", "artifacts"};

std::string_view database_name(BackupDatabase database) {
  return database == BackupDatabase::sqlite ? "sqlite" : "postgresql";
}

util::Expected<void> errno_fail(std::string_view what, const std::string& path) {
  return util::fail(fmt::format("{} {}: {}", what, path, std::strerror(errno)));
}

// A file descriptor closed on every path.
struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

util::Expected<void> fsync_path(const std::string& path, int flags) {
  Fd file{::open(path.c_str(), flags | O_CLOEXEC)};
  if (file.fd < 0) return errno_fail("cannot open", path);
  if (::fsync(file.fd) != 0) return errno_fail("cannot sync", path);
  return {};
}

// Copies the first `size` bytes `from` had when opened (a log still being written grows
// meanwhile) into `to`, which must not exist, and syncs it. Returns the bytes copied
// (fewer when the file shrank).
util::Expected<int64_t> copy_file(const std::string& from, const std::string& to) {
  Fd in{::open(from.c_str(), O_RDONLY | O_CLOEXEC)};
  if (in.fd < 0) return std::unexpected(errno_fail("cannot read", from).error());
  struct stat st {};
  if (::fstat(in.fd, &st) != 0) return std::unexpected(errno_fail("cannot stat", from).error());
  Fd out{::open(to.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)};
  if (out.fd < 0) return std::unexpected(errno_fail("cannot create", to).error());
  int64_t left = st.st_size;
  int64_t copied = 0;
  char buffer[64 * 1024];
  while (left > 0) {
    ssize_t got =
        ::read(in.fd, buffer, static_cast<size_t>(std::min<int64_t>(left, sizeof buffer)));
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) return std::unexpected(errno_fail("cannot read", from).error());
    if (got == 0) break;
    for (ssize_t done = 0; done < got;) {
      ssize_t put = ::write(out.fd, buffer + done, static_cast<size_t>(got - done));
      if (put < 0 && errno == EINTR) continue;
      if (put < 0) return std::unexpected(errno_fail("cannot write", to).error());
      done += put;
    }
    left -= got;
    copied += got;
  }
  if (::fsync(out.fd) != 0) return std::unexpected(errno_fail("cannot sync", to).error());
  return copied;
}

util::Expected<bool> is_empty_or_missing(const std::string& dir) {
  std::error_code ec;
  auto status = fs::symlink_status(dir, ec);
  if (!fs::exists(status)) return true;
  if (!fs::is_directory(status)) return false;
  bool empty = fs::is_empty(dir, ec);
  if (ec) return util::fail(fmt::format("cannot read {}: {}", dir, ec.message()));
  return empty;
}

// A run id folder name: digits only.
std::optional<int64_t> run_of(const std::string& name) {
  int64_t id = 0;
  auto [end, ec] = std::from_chars(name.data(), name.data() + name.size(), id);
  if (ec != std::errc() || end != name.data() + name.size() || id <= 0) return std::nullopt;
  return id;
}

// Files in flight in a run's folder: an artifact being uploaded or being deleted.
bool in_flight(const std::string& name) {
  return name.starts_with(".tmp-") || name.starts_with(".trash-");
}

struct ManifestFile {
  int64_t bytes = 0;
  std::string path;  // relative, '/'-separated
};

struct Manifest {
  BackupDatabase database = BackupDatabase::sqlite;
  int64_t schema_version = 0;
  int64_t layout_version = 0;
  int64_t created_at_ms = 0;
  int64_t runs = 0;
  std::vector<ManifestFile> files;
};

std::string to_text(const Manifest& m) {
  std::string text = fmt::format(
      "{} {}\ndatabase {}\nschema-version {}\nlayout-version {}\ncreated-at-ms {}\nruns {}\n",
      k_manifest_header, k_backup_format, database_name(m.database), m.schema_version,
      m.layout_version, m.created_at_ms, m.runs);
  for (const ManifestFile& file : m.files)
    text += fmt::format("file {} {}\n", file.bytes, file.path);
  text += fmt::format("end {}\n", m.files.size());
  return text;
}

// A relative path that stays inside the backup (no '..', no absolute path, no empty
// or '.' part).
bool safe_relative(std::string_view path) {
  if (path.empty() || path.front() == '/') return false;
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    std::string_view part = path.substr(start, end - start);
    if (part.empty() || part == "." || part == "..") return false;
    start = end + 1;
  }
  return path.find('\0') == std::string_view::npos;
}

util::Expected<Manifest> parse_manifest(const std::string& path, std::string_view text) {
  auto bad = [&](std::string_view why) {
    return util::fail(fmt::format("{}: {}", path, why), {},
                      "this is not a complete pipewright backup: make a new one");
  };
  Manifest m;
  std::optional<int64_t> end_count;
  bool header = false;
  size_t line_number = 0;
  while (!text.empty()) {
    size_t eol = text.find('\n');
    if (eol == std::string_view::npos) return bad("the last line is cut short");
    std::string_view line = text.substr(0, eol);
    text.remove_prefix(eol + 1);
    ++line_number;
    if (end_count) return bad("lines after the end line");
    size_t space = line.find(' ');
    std::string_view key = line.substr(0, space);
    std::string_view value = space == std::string_view::npos ? "" : line.substr(space + 1);
    auto number = [&](std::string_view digits) -> std::optional<int64_t> {
      int64_t n = 0;
      auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
      if (ec != std::errc() || ptr != digits.data() + digits.size() || n < 0) return std::nullopt;
      return n;
    };
    if (line_number == 1) {
      if (key != k_manifest_header) return bad("not a pipewright backup manifest");
      auto format = number(value);
      if (!format) return bad("no format version");
      if (*format > k_backup_format)
        return util::fail(fmt::format("{}: backup format {} is newer than this pipewright "
                                      "understands ({})",
                                      path, *format, k_backup_format),
                          {}, "restore it with the pipewright that made it, or a newer one");
      header = true;
      continue;
    }
    if (key == "database") {
      if (value == "sqlite")
        m.database = BackupDatabase::sqlite;
      else if (value == "postgresql")
        m.database = BackupDatabase::postgresql;
      else
        return bad(fmt::format("unknown database '{}'", value));
      continue;
    }
    if (key == "file") {
      size_t gap = value.find(' ');
      auto bytes = number(value.substr(0, gap));
      if (!bytes || gap == std::string_view::npos) return bad("a malformed file line");
      std::string_view file = value.substr(gap + 1);
      if (!safe_relative(file)) return bad(fmt::format("file path '{}' leaves the backup", file));
      m.files.push_back({*bytes, std::string(file)});
      continue;
    }
    auto n = number(value);
    if (!n) return bad(fmt::format("line {}: '{}' is not a number", line_number, value));
    if (key == "schema-version")
      m.schema_version = *n;
    else if (key == "layout-version")
      m.layout_version = *n;
    else if (key == "created-at-ms")
      m.created_at_ms = *n;
    else if (key == "runs")
      m.runs = *n;
    else if (key == "end")
      end_count = *n;
    // Unknown keys come from a newer build of the same format: ignored.
  }
  if (!header) return bad("empty");
  if (!end_count || *end_count != static_cast<int64_t>(m.files.size()))
    return bad("the file list is incomplete");
  return m;
}

// Writes the manifest last: temporary file, fsync, rename, fsync of the directory.
util::Expected<void> write_manifest(const std::string& dest, const Manifest& manifest) {
  std::string path = fmt::format("{}/{}", dest, k_manifest);
  std::string temp = path + ".tmp";
  {
    Fd out{::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)};
    if (out.fd < 0) return errno_fail("cannot create", temp);
    std::string text = to_text(manifest);
    for (size_t done = 0; done < text.size();) {
      ssize_t put = ::write(out.fd, text.data() + done, text.size() - done);
      if (put < 0 && errno == EINTR) continue;
      if (put < 0) return errno_fail("cannot write", temp);
      done += static_cast<size_t>(put);
    }
    if (::fsync(out.fd) != 0) return errno_fail("cannot sync", temp);
  }
  if (::rename(temp.c_str(), path.c_str()) != 0) return errno_fail("cannot rename", temp);
  return fsync_path(dest, O_RDONLY | O_DIRECTORY);
}

// SQLite's online backup of `from` into the new database `to`, in one step (one read
// transaction: one snapshot); retried while the source is locked.
util::Expected<void> copy_database(const std::string& from, const std::string& to) {
  sqlite3* source = nullptr;
  sqlite3* target = nullptr;
  struct Close {
    sqlite3*& db;
    ~Close() { sqlite3_close_v2(db); }
  } close_source{source}, close_target{target};
  if (sqlite3_open_v2(from.c_str(), &source, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK)
    return util::fail(fmt::format("cannot open the history database {}: {}", from,
                                  source ? sqlite3_errmsg(source) : "out of memory"));
  sqlite3_busy_timeout(source, k_busy_timeout_ms);
  if (sqlite3_open_v2(to.c_str(), &target, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) !=
      SQLITE_OK)
    return util::fail(
        fmt::format("cannot create {}: {}", to, target ? sqlite3_errmsg(target) : "out of memory"));
  sqlite3_backup* copy = sqlite3_backup_init(target, "main", source, "main");
  if (!copy) return util::fail(fmt::format("cannot back up {}: {}", from, sqlite3_errmsg(target)));
  auto give_up = std::chrono::steady_clock::now() + std::chrono::milliseconds(k_busy_timeout_ms);
  int rc = SQLITE_OK;
  for (;;) {
    rc = sqlite3_backup_step(copy, -1);
    if (rc != SQLITE_BUSY && rc != SQLITE_LOCKED) break;
    if (std::chrono::steady_clock::now() >= give_up) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  sqlite3_backup_finish(copy);
  if (rc != SQLITE_DONE)
    return util::fail(fmt::format("cannot back up {}: {}", from, sqlite3_errstr(rc)), {},
                      "the database stayed locked; try again when the server is less busy");
  // The copy is kept in rollback-journal mode: one self-contained file.
  if (sqlite3_exec(target, "PRAGMA journal_mode=DELETE", nullptr, nullptr, nullptr) != SQLITE_OK)
    return util::fail(fmt::format("cannot finish {}: {}", to, sqlite3_errmsg(target)));
  return {};
}

struct CopiedDatabase {
  int64_t schema_version = 0;
  std::set<int64_t> runs;
};

// The schema version and run ids of a database copy.
util::Expected<CopiedDatabase> read_copy(const std::string& path) {
  sqlite3* db = nullptr;
  struct Close {
    sqlite3*& db;
    ~Close() { sqlite3_close_v2(db); }
  } close_db{db};
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK)
    return util::fail(fmt::format("cannot read {}", path));
  CopiedDatabase copy;
  auto each_row = [&](const char* sql, auto&& row) -> util::Expected<void> {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db, sql, -1, &stmt, nullptr) != SQLITE_OK)
      return util::fail(fmt::format("cannot read {}: {}", path, sqlite3_errmsg(db)));
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
      row(stmt);
    sqlite3_finalize(stmt);
    if (rc != SQLITE_DONE)
      return util::fail(fmt::format("cannot read {}: {}", path, sqlite3_errmsg(db)));
    return {};
  };
  PW_TRY_VOID(each_row("PRAGMA user_version", [&](sqlite3_stmt* stmt) {
    copy.schema_version = sqlite3_column_int64(stmt, 0);
  }));
  // A database never opened by a store has no runs table yet.
  bool has_runs = false;
  PW_TRY_VOID(each_row("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'runs'",
                       [&](sqlite3_stmt*) { has_runs = true; }));
  if (has_runs)
    PW_TRY_VOID(each_row("SELECT id FROM runs", [&](sqlite3_stmt* stmt) {
      copy.runs.insert(sqlite3_column_int64(stmt, 0));
    }));
  return copy;
}

// Copies the files of the run folders under `data_dir` (those of `runs` only, when
// given) into `dest`, appending them to the manifest.
util::Expected<void> copy_run_files(const BackupOptions& options,
                                    const std::optional<std::set<int64_t>>& runs,
                                    Manifest& manifest, BackupSummary& summary) {
  std::set<int64_t> with_files;
  for (std::string_view folder : k_run_folders) {
    std::string root = fmt::format("{}/{}", options.data_dir, folder);
    std::error_code ec;
    if (!fs::is_directory(root, ec)) continue;
    std::vector<fs::path> run_dirs;
    for (const auto& entry : fs::directory_iterator(root, ec)) {
      auto run = run_of(entry.path().filename().string());
      if (!run || (runs && !runs->contains(*run))) continue;
      if (!entry.is_directory(ec) || entry.is_symlink(ec)) continue;
      run_dirs.push_back(entry.path());
    }
    if (ec) return util::fail(fmt::format("cannot list {}: {}", root, ec.message()));
    std::sort(run_dirs.begin(), run_dirs.end());
    for (const fs::path& run_dir : run_dirs) {
      with_files.insert(*run_of(run_dir.filename().string()));
      auto it = fs::recursive_directory_iterator(run_dir, ec);
      for (; !ec && it != fs::end(it); it.increment(ec)) {
        std::string name = it->path().filename().string();
        if (in_flight(name) || it->is_symlink(ec)) {
          if (it->is_directory(ec)) it.disable_recursion_pending();
          continue;
        }
        std::string relative = fs::relative(it->path(), options.data_dir).string();
        std::string target = fmt::format("{}/{}", options.dest, relative);
        if (it->is_directory(ec)) {
          fs::create_directories(target, ec);
          if (ec) return util::fail(fmt::format("cannot create {}: {}", target, ec.message()));
          continue;
        }
        if (!it->is_regular_file(ec)) continue;
        if (relative.find('\n') != std::string::npos) continue;  // not ours: no such names
        fs::create_directories(fs::path(target).parent_path(), ec);
        auto copied = copy_file(it->path().string(), target);
        // Deleted meanwhile (retention, or an artifact replaced): not part of the copy.
        if (!copied && !fs::exists(it->path())) continue;
        if (!copied) return std::unexpected(copied.error());
        manifest.files.push_back({*copied, relative});
        summary.files += 1;
        summary.bytes += *copied;
        if (options.on_file_copied) options.on_file_copied(relative);
      }
      // A run folder deleted by retention while being copied is simply left out.
      if (ec && fs::exists(run_dir))
        return util::fail(fmt::format("cannot list {}: {}", run_dir.string(), ec.message()));
      ec.clear();
    }
  }
  if (!runs) summary.runs = static_cast<int64_t>(with_files.size());
  return {};
}

// Runs that were running at backup time belong to no process in the restored data dir
// (their engine writes to the original one, if it still runs): without an owner they
// are marked interrupted, with their unfinished jobs, when the store is opened.
util::Expected<void> disown_running_runs(const std::string& path) {
  sqlite3* db = nullptr;
  struct Close {
    sqlite3*& db;
    ~Close() { sqlite3_close_v2(db); }
  } close_db{db};
  char* message = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK ||
      sqlite3_exec(db, "UPDATE runs SET owner_pid = 0, owner_boot_id = '' WHERE status = 'running'",
                   nullptr, nullptr, &message) != SQLITE_OK) {
    std::string detail = message ? message : (db ? sqlite3_errmsg(db) : "out of memory");
    sqlite3_free(message);
    return util::fail(fmt::format("cannot prepare the restored database {}: {}", path, detail));
  }
  return {};
}

// Syncs every directory of the copy (files are synced as they are written).
util::Expected<void> sync_dirs(const std::string& root) {
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(root, ec); !ec && it != fs::end(it);
       it.increment(ec))
    if (it->is_directory(ec)) PW_TRY_VOID(fsync_path(it->path().string(), O_RDONLY | O_DIRECTORY));
  if (ec) return util::fail(fmt::format("cannot list {}: {}", root, ec.message()));
  return fsync_path(root, O_RDONLY | O_DIRECTORY);
}

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

util::Expected<BackupSummary> backup(const BackupOptions& options) {
  PW_TRY(empty, is_empty_or_missing(options.dest));
  if (!empty)
    return util::fail(fmt::format("{} is not empty", options.dest), {},
                      "back up into a new or empty directory");
  std::error_code ec;
  if (!fs::is_directory(options.data_dir, ec))
    return util::fail(fmt::format("no data directory at {}", options.data_dir), {},
                      "pass the server's --data-dir");
  fs::create_directories(options.dest, ec);
  if (ec) return util::fail(fmt::format("cannot create {}: {}", options.dest, ec.message()));

  Manifest manifest;
  manifest.database = options.database;
  manifest.layout_version = k_layout_version;
  manifest.created_at_ms = now_ms();
  BackupSummary summary;
  summary.database = options.database;
  std::optional<std::set<int64_t>> runs;
  if (options.database == BackupDatabase::sqlite) {
    // The database first: its snapshot decides which runs' files belong to the backup.
    std::string source = options.data_dir + "/history.db";
    if (!fs::exists(source, ec))
      return util::fail(fmt::format("no history database in {}", options.data_dir), {},
                        "pass the data directory that holds history.db (--data-dir)");
    std::string target = options.dest + "/history.db";
    PW_TRY_VOID(copy_database(source, target));
    PW_TRY_VOID(fsync_path(target, O_RDONLY));
    PW_TRY(copy, read_copy(target));
    manifest.schema_version = copy.schema_version;
    manifest.runs = summary.runs = static_cast<int64_t>(copy.runs.size());
    int64_t bytes = static_cast<int64_t>(fs::file_size(target, ec));
    manifest.files.push_back({bytes, "history.db"});
    summary.files = 1;
    summary.bytes = bytes;
    if (options.on_file_copied) options.on_file_copied("history.db");
    runs = std::move(copy.runs);
  }
  PW_TRY_VOID(copy_run_files(options, runs, manifest, summary));
  if (!runs) manifest.runs = summary.runs;
  PW_TRY_VOID(sync_dirs(options.dest));
  PW_TRY_VOID(write_manifest(options.dest, manifest));
  return summary;
}

util::Expected<BackupSummary> restore(const std::string& backup_dir, const std::string& data_dir) {
  // Everything is checked before anything is written.
  std::string manifest_path = fmt::format("{}/{}", backup_dir, k_manifest);
  std::error_code ec;
  if (!fs::exists(manifest_path, ec))
    return util::fail(
        fmt::format("{} is not a complete pipewright backup: it has no manifest", backup_dir), {},
        "a backup that was interrupted never gets one; make a new backup");
  PW_TRY(text, os::read_file(manifest_path, k_max_manifest_bytes));
  PW_TRY(manifest, parse_manifest(manifest_path, text));
  if (manifest.layout_version > k_layout_version)
    return util::fail(fmt::format("{}: data layout version {} is newer than this pipewright "
                                  "understands ({})",
                                  manifest_path, manifest.layout_version, k_layout_version),
                      {}, "restore it with a newer pipewright");
  if (manifest.database == BackupDatabase::sqlite &&
      manifest.schema_version > latest_schema_version())
    return util::fail(fmt::format("{}: database schema version {} is newer than this pipewright "
                                  "understands ({})",
                                  manifest_path, manifest.schema_version, latest_schema_version()),
                      {}, "restore it with a newer pipewright");
  for (const ManifestFile& file : manifest.files) {
    std::string path = fmt::format("{}/{}", backup_dir, file.path);
    auto status = fs::symlink_status(path, ec);
    if (!fs::is_regular_file(status))
      return util::fail(fmt::format("{}: {} is missing", backup_dir, file.path), {},
                        "the backup is damaged; restore another one");
    auto size = fs::file_size(path, ec);
    if (ec || static_cast<int64_t>(size) != file.bytes)
      return util::fail(fmt::format("{}: {} has {} bytes, the manifest says {}", backup_dir,
                                    file.path, ec ? 0 : size, file.bytes),
                        {}, "the backup is damaged; restore another one");
  }
  PW_TRY(empty, is_empty_or_missing(data_dir));
  if (!empty)
    return util::fail(fmt::format("{} is not empty", data_dir), {},
                      "restore into a new or empty data directory");

  // Staged beside the data dir, renamed into place once complete: an interrupted
  // restore leaves no half-filled data dir.
  fs::path target = fs::absolute(data_dir, ec).lexically_normal();
  if (target.filename().empty()) target = target.parent_path();
  fs::create_directories(target.parent_path(), ec);
  std::string staging = (target.parent_path() /
                         fmt::format(".{}.restoring-{}", target.filename().string(), ::getpid()))
                            .string();
  fs::remove_all(staging, ec);
  struct Cleanup {
    std::string dir;
    ~Cleanup() {
      std::error_code ignored;
      if (!dir.empty()) fs::remove_all(dir, ignored);
    }
  } cleanup{staging};
  fs::create_directories(staging, ec);
  if (ec) return util::fail(fmt::format("cannot create {}: {}", staging, ec.message()));
  BackupSummary summary;
  summary.database = manifest.database;
  summary.runs = manifest.runs;
  for (const ManifestFile& file : manifest.files) {
    std::string to = fmt::format("{}/{}", staging, file.path);
    fs::create_directories(fs::path(to).parent_path(), ec);
    if (ec) return util::fail(fmt::format("cannot create {}: {}", to, ec.message()));
    PW_TRY(copied, copy_file(fmt::format("{}/{}", backup_dir, file.path), to));
    summary.files += 1;
    summary.bytes += copied;
  }
  if (manifest.database == BackupDatabase::sqlite)
    PW_TRY_VOID(disown_running_runs(staging + "/history.db"));
  PW_TRY_VOID(prepare_data_dir(staging));  // its layout-version file
  PW_TRY_VOID(sync_dirs(staging));
  // rename(2) replaces an empty directory and fails on a non-empty one (filled since
  // the check): nothing is overwritten.
  if (::rename(staging.c_str(), target.c_str()) != 0)
    return std::unexpected(
        errno_fail("cannot move the restored data into", target.string()).error());
  cleanup.dir.clear();
  PW_TRY_VOID(fsync_path(target.parent_path().string(), O_RDONLY | O_DIRECTORY));
  if (manifest.database == BackupDatabase::sqlite) {
    // Migrates an older schema; runs in progress at backup time become interrupted.
    PW_TRY(store, open_sqlite_store(target.string()));
    PW_TRY(page, store->list_runs({}, 1, 1));
    summary.runs = page.total_count;
  }
  return summary;
}

}  // namespace pipewright::store
