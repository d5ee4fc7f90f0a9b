// `pipewright artifacts RUN` lists the artifacts a run uploaded (name, files, size,
// created); `pipewright artifacts RUN NAME [-o DIR]` extracts one into DIR (default:
// the current directory). RUN is a run id or `last`. With --server both go to the
// server's API (listed the same way; a tar archive is extracted, a zip saved as
// NAME.zip). Exit codes: 0 done, 1 extraction failed or the server refused, 2 usage
// (unknown run or artifact, no data directory, server unreachable).
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <unistd.h>

#include "pipewright/cli/api_records.h"
#include "pipewright/cli/remote.h"
#include "pipewright/exec/actions/archive.h"
#include "pipewright/exec/actions/artifact_store.h"
#include "pipewright/store/data_dir.h"
#include "pipewright/store/store.h"

namespace pipewright::cli {

void add_artifacts_command(CLI::App& app, int& exit_code);

namespace {

namespace actions = exec::actions;

struct ArtifactsOptions {
  std::string run;
  std::string name;
  std::string output = ".";
};

// "12.3 MB" style sizes (powers of 1024, as GitHub shows them).
std::string size_text(uint64_t bytes) {
  static constexpr const char* k_units[] = {"B", "KB", "MB", "GB", "TB"};
  double value = static_cast<double>(bytes);
  size_t unit = 0;
  while (value >= 1024 && unit + 1 < std::size(k_units)) {
    value /= 1024;
    ++unit;
  }
  return unit == 0 ? fmt::format("{} B", bytes) : fmt::format("{:.1f} {}", value, k_units[unit]);
}

std::string time_text(int64_t seconds) {
  std::time_t t = static_cast<std::time_t>(seconds);
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%SZ", &tm);
  return buf;
}

// The run id `text` names ('last' through the run history), or an error message.
util::Expected<std::string> resolve_run(const std::string& data_dir, const std::string& text) {
  if (text != "last") {
    if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos)
      return util::fail(fmt::format("no run '{}' (a run id or 'last')", text));
    return text;
  }
  PW_TRY(history, store::open_sqlite_store(data_dir));
  PW_TRY(last, history->last_run());
  if (!last) return util::fail("no runs yet");
  return std::to_string(*last);
}

// The one artifact table, for the local store and a server alike.
void print_artifacts(const std::string& run, const std::vector<ArtifactRow>& rows) {
  if (rows.empty()) {
    std::cout << "Run " << run << " has no artifacts.\n";
    return;
  }
  std::cout << fmt::format("{:<6} {:<32} {:>7} {:>10}  {}\n", "ID", "NAME", "FILES", "SIZE",
                           "CREATED");
  for (const ArtifactRow& a : rows)
    std::cout << fmt::format("{:<6} {:<32} {:>7} {:>10}  {}\n", a.id, a.name, a.files,
                             size_text(a.bytes), time_text(a.created_s));
}

// Extracts a tar archive the server sent into `dest` (entries checked as for local ones).
util::Expected<uint64_t> extract_download(const std::string& body, const std::string& dest) {
  std::string temp = (std::filesystem::temp_directory_path() / "pw-artifact-XXXXXX").string();
  int fd = ::mkstemp(temp.data());
  if (fd < 0) return util::fail("cannot create a temporary file for the download");
  ::close(fd);
  struct Remove {
    std::string path;
    ~Remove() { std::filesystem::remove(path); }
  } remove{temp};
  std::ofstream(temp, std::ios::binary)
      .write(body.data(), static_cast<std::streamsize>(body.size()));
  std::string root = std::filesystem::absolute(dest).lexically_normal().string();
  auto place = [&](std::string_view name) -> util::Expected<actions::Placement> {
    return actions::Placement{root,
                              (std::filesystem::path(root) / name).lexically_normal().string()};
  };
  PW_TRY(stats, actions::extract_archive(temp, place));
  return stats.entries;
}

int server_artifacts(Remote& remote, const ArtifactsOptions& options) {
  auto run = remote.resolve_run(options.run);
  if (!run) return run.error();
  std::string base = fmt::format("/api/v1/runs/{}/artifacts", *run);
  if (options.name.empty()) {
    auto list = remote.call("GET", base, {}, fmt::format("run {} not found", *run));
    if (!list) return list.error();
    auto rows = artifacts_from_api(*list);
    if (!rows) return remote.fail(k_exit_failure, rows.error().message);
    print_artifacts(std::to_string(*run), *rows);
    return k_exit_ok;
  }
  auto answer = remote.send("GET", base + "/" + path_segment(options.name), {},
                            fmt::format("run {} has no artifact '{}'", *run, options.name));
  if (!answer) return answer.error();
  std::error_code error;
  std::filesystem::create_directories(options.output, error);
  if (error)
    return remote.fail(k_exit_usage,
                       fmt::format("cannot create {}: {}", options.output, error.message()));
  if (answer->header("Content-Type").find("zip") != std::string::npos) {
    std::string path = (std::filesystem::path(options.output) / (options.name + ".zip")).string();
    std::ofstream zip(path, std::ios::binary);
    zip.write(answer->body.data(), static_cast<std::streamsize>(answer->body.size()));
    if (!zip.flush()) return remote.fail(k_exit_failure, fmt::format("cannot write {}", path));
    std::cout << fmt::format("Downloaded {} to {} (a zip archive)\n", options.name, path);
    return k_exit_ok;
  }
  auto files = extract_download(answer->body, options.output);
  if (!files) return remote.fail(k_exit_failure, util::format_error(files.error()));
  std::cout << fmt::format("Extracted {} ({} files) to {}\n", options.name, *files,
                           std::filesystem::absolute(options.output).lexically_normal().string());
  return k_exit_ok;
}

int artifacts(const CLI::App& command, const ArtifactsOptions& options) {
  if (auto remote = Remote::open(command, "pipewright artifacts"))
    return server_artifacts(*remote, options);
  auto data_dir = store::default_data_dir();
  if (!data_dir || !store::prepare_data_dir(*data_dir)) {
    std::cerr << "pipewright artifacts: no usable data directory (set XDG_DATA_HOME)\n";
    return k_exit_usage;
  }
  auto run = resolve_run(*data_dir, options.run);
  if (!run) {
    std::cerr << "pipewright artifacts: " << run.error().message << "\n";
    return k_exit_usage;
  }
  actions::ArtifactStoreOptions store_options;
  store_options.dir = *data_dir + "/artifacts";
  store_options.workspace = std::filesystem::current_path().string();
  actions::ArtifactStore store(store_options);
  auto list = store.list(*run);

  if (options.name.empty()) {
    std::vector<ArtifactRow> rows;
    for (const actions::ArtifactInfo& a : list)
      rows.push_back({std::to_string(a.id), a.name, std::to_string(a.files), a.bytes, a.created_s});
    print_artifacts(*run, rows);
    return 0;
  }
  bool known = false;
  for (const actions::ArtifactInfo& a : list)
    known = known || a.name == options.name;
  if (!known) {
    std::cerr << fmt::format("pipewright artifacts: run {} has no artifact '{}'", *run,
                             options.name);
    if (!list.empty()) {
      std::cerr << " (it has:";
      for (const actions::ArtifactInfo& a : list)
        std::cerr << " " << a.name;
      std::cerr << ")";
    }
    std::cerr << "\n";
    return k_exit_usage;
  }
  actions::DownloadRequest request;
  request.run_id = *run;
  request.name = options.name;
  request.path = options.output;
  auto downloaded = store.download(request);
  if (!downloaded) {
    std::cerr << "pipewright artifacts: " << util::format_error(downloaded.error()) << "\n";
    return k_exit_failure;
  }
  std::cout << fmt::format("Extracted {} ({} files) to {}\n", options.name, downloaded->files,
                           downloaded->path);
  return 0;
}

}  // namespace

void add_artifacts_command(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<ArtifactsOptions>();
  auto* cmd = app.add_subcommand("artifacts", "List a run's artifacts or extract one");
  cmd->add_option("run", options->run, "A run id or last")->required();
  cmd->add_option("name", options->name, "The artifact to extract (optional)");
  cmd->add_option("-o,--output", options->output, "Where to extract it (default: .)");
  cmd->footer("Examples: pipewright artifacts last\n          pipewright artifacts 12 dist -o out");
  add_server_option(*cmd);
  cmd->callback([cmd, options, &exit_code] { exit_code = artifacts(*cmd, *options); });
}

}  // namespace pipewright::cli
