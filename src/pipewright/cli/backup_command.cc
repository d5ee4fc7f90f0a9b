// `pipewright backup DIR` and `pipewright restore DIR` (store/backup.h): a consistent
// copy of a data directory while the server or a run writes to it, and back. Exit
// codes: 0 done, 2 refused (not empty, incomplete or damaged backup, bad --database) or
// failed.
#include <iostream>
#include <memory>
#include <string>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "pipewright/cli/commands.h"
#include "pipewright/store/backup.h"
#include "pipewright/store/data_dir.h"

namespace pipewright::cli {

namespace {

constexpr int k_exit_usage = 2;

struct BackupCommandOptions {
  std::string dir;
  std::string data_dir;  // '' : the default data dir
  std::string database;  // '' : SQLite in the data dir
};

// The database kind a --database URL names. The URL itself is never printed: it may
// carry a password.
util::Expected<store::BackupDatabase> database_of(const std::string& url) {
  if (url.empty()) return store::BackupDatabase::sqlite;
  if (url.starts_with("postgresql://") || url.starts_with("postgres://"))
    return store::BackupDatabase::postgresql;
  return util::fail(
      "--database must be a postgresql:// URL (without it, the SQLite history in "
      "the data directory is backed up)");
}

util::Expected<std::string> data_dir_of(const BackupCommandOptions& options) {
  if (!options.data_dir.empty()) return options.data_dir;
  return store::default_data_dir();
}

std::string runs_text(int64_t runs) {
  return fmt::format("{} run{}", runs, runs == 1 ? "" : "s");
}

std::string size_text(int64_t bytes) {
  if (bytes >= 1024 * 1024) return fmt::format("{:.1f} MB", bytes / (1024.0 * 1024.0));
  if (bytes >= 1024) return fmt::format("{:.1f} kB", bytes / 1024.0);
  return fmt::format("{} bytes", bytes);
}

int fail(std::string_view command, const util::Error& error) {
  std::cerr << "pipewright " << command << ": " << util::format_error(error) << "\n";
  return k_exit_usage;
}

int run_backup(const BackupCommandOptions& options) {
  auto database = database_of(options.database);
  if (!database) return fail("backup", database.error());
  auto data_dir = data_dir_of(options);
  if (!data_dir) return fail("backup", data_dir.error());
  store::BackupOptions backup_options;
  backup_options.data_dir = *data_dir;
  backup_options.dest = options.dir;
  backup_options.database = *database;
  auto made = store::backup(backup_options);
  if (!made) return fail("backup", made.error());
  std::cout << fmt::format("Backed up {}: {} files, {}, in {}\n", runs_text(made->runs),
                           made->files, size_text(made->bytes), options.dir);
  if (*database == store::BackupDatabase::postgresql)
    std::cout << fmt::format(
        "The PostgreSQL database is not in this backup, only its logs and artifacts. Dump it "
        "with pg_dump, before `pipewright backup` so that every run in the dump has its files "
        "in the backup:\n"
        "  pg_dump --format=custom --file {}.pgdump '<your --database URL>'\n",
        options.dir);
  return 0;
}

int run_restore(const BackupCommandOptions& options) {
  auto data_dir = data_dir_of(options);
  if (!data_dir) return fail("restore", data_dir.error());
  auto restored = store::restore(options.dir, *data_dir);
  if (!restored) return fail("restore", restored.error());
  std::cout << fmt::format("Restored {}: {} files, {}, into {}\n", runs_text(restored->runs),
                           restored->files, size_text(restored->bytes), *data_dir);
  if (restored->database == store::BackupDatabase::postgresql)
    std::cout << "This backup holds no database (PostgreSQL). Restore your pg_dump with "
                 "pg_restore, e.g.:\n"
                 "  pg_restore --clean --if-exists --dbname '<your --database URL>' "
                 "BACKUP.pgdump\n";
  return 0;
}

void add_options(CLI::App& cmd, BackupCommandOptions& options) {
  cmd.add_option("--data-dir", options.data_dir,
                 "The data directory (default: $XDG_DATA_HOME/pipewright)");
}

}  // namespace

void add_backup_commands(CLI::App& app, int& exit_code) {
  auto backup_options = std::make_shared<BackupCommandOptions>();
  auto* backup = app.add_subcommand("backup",
                                    "Copy the run history, logs and artifacts, consistently, "
                                    "while a server or run writes them");
  backup->add_option("dir", backup_options->dir, "A new or empty directory")->required();
  add_options(*backup, *backup_options);
  backup->add_option("--database", backup_options->database,
                     "A postgresql:// URL: back up the files only, and say how to pg_dump");
  backup->footer("Example: pipewright backup /backups/pipewright-$(date +%F)");
  backup->callback([backup_options, &exit_code] { exit_code = run_backup(*backup_options); });

  auto restore_options = std::make_shared<BackupCommandOptions>();
  auto* restore =
      app.add_subcommand("restore", "Restore a backup into a new or empty data directory");
  restore->add_option("dir", restore_options->dir, "A directory made by pipewright backup")
      ->required();
  add_options(*restore, *restore_options);
  restore->footer("Example: pipewright restore /backups/pipewright-2026-12-07 --data-dir /srv/pw");
  restore->callback([restore_options, &exit_code] { exit_code = run_restore(*restore_options); });
}

}  // namespace pipewright::cli
