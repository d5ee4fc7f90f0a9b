#include "pipewright/exec/actions/artifact_store.h"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <random>

#include <fcntl.h>
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <sys/file.h>
#include <unistd.h>

#include "pipewright/exec/actions/path_glob.h"
#include "pipewright/os/fd.h"
#include "pipewright/os/file.h"
#include "pipewright/os/file_lock.h"

namespace pipewright::exec::actions {

namespace fs = std::filesystem;

namespace {

constexpr size_t k_max_record = 1 << 20;

struct BadChar {
  char c;
  std::string_view description;
};
// @actions/artifact's table, in its order.
constexpr BadChar k_bad_chars[] = {
    {'"', " Double quote \""}, {':', " Colon :"},
    {'<', " Less than <"},     {'>', " Greater than >"},
    {'|', " Vertical bar |"},  {'*', " Asterisk *"},
    {'?', " Question mark ?"}, {'\r', " Carriage return \\r"},
    {'\n', " Line feed \\n"},  {'\\', " Backslash \\"},
    {'/', " Forward slash /"},
};
constexpr size_t k_path_bad_chars = 9;  // file paths may hold slashes

std::string bad_char_list(size_t n) {
  std::string out;
  for (size_t i = 0; i < n; ++i)
    out += (i ? "," : "") + std::string(k_bad_chars[i].description);
  return out;
}

int64_t now_s() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string random_suffix() {
  std::random_device rd;
  return fmt::format("{}-{:08x}", ::getpid(), rd());
}

struct Record {
  ArtifactInfo info;
  std::vector<std::string> parts;  // archive file names, in upload order
  std::string dir;
};

std::string to_json(const Record& r) {
  nlohmann::json j{{"id", r.info.id},
                   {"name", r.info.name},
                   {"files", r.info.files},
                   {"bytes", r.info.bytes},
                   {"size", r.info.size},
                   {"created_s", r.info.created_s},
                   {"expires_s", r.info.expires_s},
                   {"parts", r.parts}};
  return j.dump() + "\n";
}

std::optional<Record> read_record(const std::string& dir) {
  auto text = os::read_file(dir + "/artifact.json", k_max_record);
  if (!text) return std::nullopt;
  auto j = nlohmann::json::parse(*text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return std::nullopt;
  try {
    Record r;
    r.info.id = j.at("id").get<int64_t>();
    r.info.name = j.at("name").get<std::string>();
    r.info.files = j.at("files").get<uint64_t>();
    r.info.bytes = j.at("bytes").get<uint64_t>();
    r.info.size = j.at("size").get<uint64_t>();
    r.info.created_s = j.at("created_s").get<int64_t>();
    r.info.expires_s = j.at("expires_s").get<int64_t>();
    r.parts = j.at("parts").get<std::vector<std::string>>();
    r.dir = dir;
    return r;
  } catch (const nlohmann::json::exception&) {
    return std::nullopt;
  }
}

// A run's unexpired artifacts by id (expired ones too when `expired`).
std::vector<Record> records(const std::string& run_dir, bool expired = false) {
  std::vector<Record> out;
  std::error_code ec;
  int64_t now = now_s();
  for (const auto& item : fs::directory_iterator(run_dir, ec)) {
    if (item.path().filename().string().starts_with(".")) continue;
    auto r = read_record(item.path().string());
    if (r && (expired || r->info.expires_s > now)) out.push_back(std::move(*r));
  }
  std::sort(out.begin(), out.end(),
            [](const Record& a, const Record& b) { return a.info.id < b.info.id; });
  return out;
}

util::Expected<int64_t> next_id(const std::string& dir) {
  std::string path = dir + "/.next-id";
  int64_t id = 1;
  if (auto text = os::read_file(path, 64)) id = std::max<int64_t>(1, std::atoll(text->c_str()));
  PW_TRY_VOID(os::write_file(path, std::to_string(id + 1)));
  return id;
}

int zstd_level(int zlib_level) {
  return zlib_level <= 0 ? 1 : std::min(zlib_level, 9) / 2 + 1;
}

bool valid_run_id(std::string_view run) {
  if (run.empty() || run == "." || run == "..") return false;
  for (char c : run)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.')
      return false;
  return true;
}

}  // namespace

ArtifactStore::ArtifactStore(ArtifactStoreOptions options) : m_options(std::move(options)) {}

util::Expected<void> ArtifactStore::validate_name(std::string_view name) {
  if (name.empty()) return util::fail("Provided artifact name input during validation is empty");
  for (const BadChar& bad : k_bad_chars)
    if (name.find(bad.c) != std::string_view::npos)
      return util::fail(fmt::format(
          "The artifact name is not valid: {}. Contains the following character: {}\n\n"
          "Invalid characters include: {}\n\n"
          "These characters are not allowed in the artifact name due to limitations with certain "
          "file systems such as NTFS. To maintain file system agnostic behavior, these characters "
          "are intentionally not allowed to prevent potential problems with downloads on "
          "different file systems.",
          name, bad.description, bad_char_list(std::size(k_bad_chars))));
  for (char c : name)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
      return util::fail(
          fmt::format("The artifact name is not valid: it contains the control "
                      "character 0x{:02x}",
                      static_cast<unsigned char>(c)));
  if (name == "." || name == "..")
    return util::fail(fmt::format("The artifact name is not valid: {}", name));
  return {};
}

util::Expected<void> ArtifactStore::validate_file_path(std::string_view path) {
  if (path.empty()) return util::fail("Provided file path input during validation is empty");
  for (size_t i = 0; i < k_path_bad_chars; ++i)
    if (path.find(k_bad_chars[i].c) != std::string_view::npos)
      return util::fail(fmt::format(
          "The path for one of the files in artifact is not valid: {}. Contains the following "
          "character: {}\n\nInvalid characters include: {}\n\n"
          "The following characters are not allowed in files that are uploaded due to "
          "limitations with certain file systems such as NTFS. To maintain file system agnostic "
          "behavior, these characters are intentionally not allowed to prevent potential "
          "problems with downloads on different file systems.",
          path, k_bad_chars[i].description, bad_char_list(k_path_bad_chars)));
  return {};
}

util::Expected<UploadResult> ArtifactStore::upload(const UploadRequest& request) {
  PW_TRY_VOID(validate_name(request.name));
  if (!valid_run_id(request.run_id))
    return util::fail(fmt::format("invalid run id '{}'", request.run_id));
  UploadResult result;
  int days = request.retention_days.value_or(m_options.max_retention_days);
  if (days < 1) return util::fail("Invalid retention, minimum value is 1.");
  if (days > m_options.max_retention_days) {
    result.warnings.push_back(
        fmt::format("Retention days cannot be greater than the maximum allowed retention set "
                    "within the repository. Using maximum value of {}.",
                    m_options.max_retention_days));
    days = m_options.max_retention_days;
  }
  GlobOptions glob{m_options.workspace, m_options.home, request.include_hidden_files};
  PW_TRY(matched, expand_globs(request.paths, glob));
  if (matched.files.empty()) {
    std::string text = fmt::format(
        "No files were found with the provided path: {}. No artifacts will be uploaded.",
        request.paths);
    if (request.if_no_files_found == IfNoFilesFound::error) return util::fail(text);
    if (request.if_no_files_found == IfNoFilesFound::warn) result.warnings.push_back(text);
    return result;
  }
  bool single_file = matched.files.size() == 1 && matched.search_paths.size() == 1 &&
                     matched.search_paths[0] == matched.files[0];
  std::string root = single_file ? fs::path(matched.files[0]).parent_path().string()
                                 : common_ancestor(matched.search_paths);
  std::vector<PackInput> inputs;
  for (const std::string& file : matched.files) {
    std::string name = root == "/" ? file.substr(1) : file.substr(root.size() + 1);
    PW_TRY_VOID(validate_file_path(name));
    inputs.push_back({file, name});
  }

  std::string run_dir = m_options.dir + "/" + request.run_id;
  PW_TRY(lock, os::FileLock::acquire(m_options.dir + "/.lock"));
  std::optional<Record> existing;
  for (Record& r : records(run_dir))
    if (r.info.name == request.name) existing = std::move(r);
  std::error_code ec;
  if (existing && request.version >= 4) {
    if (!request.overwrite)
      return util::fail(
          "Failed to CreateArtifact: Received non-retryable error: Failed request: (409) "
          "Conflict: an artifact with this name already exists on the workflow run");
    std::string trash = fmt::format("{}/.trash-{}", run_dir, random_suffix());
    fs::rename(existing->dir, trash, ec);
    fs::remove_all(trash, ec);
    existing.reset();
  }
  Record record;
  std::string staging;
  if (existing) {  // v3: this upload adds a part to the artifact
    record = *existing;
  } else {
    PW_TRY(id, next_id(m_options.dir));
    record.info.id = id;
    record.info.name = request.name;
    record.info.created_s = now_s();
    staging = fmt::format("{}/.tmp-{}", run_dir, random_suffix());
    fs::create_directories(staging, ec);
    if (ec) return util::fail(fmt::format("cannot create {}: {}", staging, ec.message()));
    record.dir = staging;
  }
  struct Cleanup {
    std::string path;
    ~Cleanup() {
      std::error_code ignored;
      if (!path.empty()) fs::remove_all(path, ignored);
    }
  } cleanup{staging};
  std::string part = fmt::format("part-{}.tar.zst", record.parts.size() + 1);
  PW_TRY(stats,
         write_archive(record.dir + "/" + part, inputs, zstd_level(request.compression_level)));
  record.parts.push_back(part);
  record.info.files += stats.entries;
  record.info.bytes += stats.bytes;
  record.info.size += stats.compressed;
  record.info.expires_s = now_s() + int64_t{days} * 86400;
  PW_TRY_VOID(os::write_file(record.dir + "/artifact.json", to_json(record)));
  if (!staging.empty()) {
    std::string final_dir = fmt::format("{}/{}", run_dir, record.info.id);
    if (::rename(staging.c_str(), final_dir.c_str()) != 0)
      return util::fail(
          fmt::format("cannot store the artifact in {}: {}", final_dir, std::strerror(errno)));
    cleanup.path.clear();
  }
  result.artifact_id = record.info.id;
  result.files = stats.entries;
  result.size = stats.compressed;
  return result;
}

util::Expected<DownloadResult> ArtifactStore::download(const DownloadRequest& request) {
  if (!valid_run_id(request.run_id))
    return util::fail(fmt::format("invalid run id '{}'", request.run_id));
  std::vector<Record> all = records(m_options.dir + "/" + request.run_id);
  std::vector<Record> chosen;
  bool single = false;
  if (request.artifact_id) {
    for (Record& r : all)
      if (r.info.id == *request.artifact_id) chosen.push_back(r);
    if (chosen.empty())
      return util::fail(fmt::format("Unable to download artifact(s): Artifact not found for ID: {}",
                                    *request.artifact_id));
    single = true;
  } else if (!request.name.empty()) {
    for (Record& r : all)
      if (r.info.name == request.name) chosen.push_back(r);
    if (chosen.empty())
      return util::fail(
          fmt::format("Unable to download artifact(s): Artifact not found for name: {}",
                      request.name),
          {},
          "Please ensure that your artifact is not expired and the artifact was uploaded using a "
          "compatible version of toolkit/upload-artifact.");
    single = true;
  } else {
    for (Record& r : all)
      if (request.pattern.empty() || glob_match_name(request.pattern, r.info.name))
        chosen.push_back(r);
  }
  DownloadResult result;
  result.path = normalize_path(request.path.empty() ? "." : request.path, m_options.workspace);
  for (const Record& r : chosen) {
    std::string dest =
        single || request.merge_multiple ? result.path : result.path + "/" + r.info.name;
    PlaceEntry place = [&](std::string_view name) -> util::Expected<Placement> {
      return Placement{dest, normalize_path(name, dest)};
    };
    for (const std::string& part : r.parts) {
      PW_TRY(stats, extract_archive(r.dir + "/" + part, place, m_options.limits));
      result.files += stats.entries;
    }
    result.names.push_back(r.info.name);
  }
  return result;
}

std::vector<ArtifactInfo> ArtifactStore::list(const std::string& run_id) const {
  std::vector<ArtifactInfo> out;
  if (!valid_run_id(run_id)) return out;
  for (Record& r : records(m_options.dir + "/" + run_id))
    out.push_back(std::move(r.info));
  return out;
}

size_t ArtifactStore::prune_expired() {
  auto lock = os::FileLock::acquire(m_options.dir + "/.lock");
  if (!lock) return 0;
  size_t removed = 0;
  int64_t now = now_s();
  std::error_code ec;
  for (const auto& run : fs::directory_iterator(m_options.dir, ec)) {
    if (!run.is_directory() || run.path().filename().string().starts_with(".")) continue;
    for (const Record& r : records(run.path().string(), true)) {
      if (r.info.expires_s > now) continue;
      std::string trash = fmt::format("{}/.trash-{}", run.path().string(), random_suffix());
      fs::rename(r.dir, trash, ec);
      fs::remove_all(trash, ec);
      ++removed;
    }
  }
  return removed;
}

}  // namespace pipewright::exec::actions
