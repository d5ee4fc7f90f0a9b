// actions/upload-artifact and actions/download-artifact on the native artifact store
// (artifact_store.h), per run (github.run_id). The ref's major version picks the
// semantics: v3 and older add a repeated name's files to the artifact, v4 and newer
// (and branches or SHAs) refuse it with GitHub's conflict error unless `overwrite`.
// Outputs: upload `artifact-id`, `artifact-url` (the stored artifact's directory);
// download `download-path`.
#include <charconv>

#include <fmt/format.h>

#include "pipewright/exec/actions/artifact_store.h"
#include "pipewright/exec/actions/builtins/builtins.h"
#include "pipewright/exec/actions/builtins/common.h"
#include "pipewright/exec/actions/path_glob.h"

namespace pipewright::exec::actions::builtins {
namespace {

constexpr int k_default_version = 4;

struct NoFilesRow {
  std::string_view text;
  IfNoFilesFound value;
};
constexpr NoFilesRow k_if_no_files_found[] = {
    {"warn", IfNoFilesFound::warn},
    {"error", IfNoFilesFound::error},
    {"ignore", IfNoFilesFound::ignore},
};

ArtifactStore open_store(const BuiltinCall& call) {
  ArtifactStoreOptions options;
  options.dir = store_dir(call.settings != nullptr ? call.settings->artifact_dir : "", "artifacts");
  options.workspace = call.workspace;
  options.home = home_dir(call);
  return ArtifactStore(std::move(options));
}

// An integer input; nullopt when empty; fails naming the input.
util::Expected<std::optional<int>> int_input(const BuiltinCall& call, std::string_view name) {
  std::string text = trim(call.input(name));
  if (text.empty()) return std::nullopt;
  int value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size())
    return util::fail(fmt::format("Invalid {}: '{}' is not a number", name, text));
  return value;
}

util::Expected<UploadRequest> upload_request(const BuiltinCall& call) {
  UploadRequest request;
  request.run_id = github_string(call, "run_id");
  request.version = ref_major(call, k_default_version);
  request.name = call.input("name", "artifact");
  if (trim(request.name).empty()) request.name = "artifact";
  request.paths = call.input("path");
  if (lines_input(call, "path").empty()) return util::fail("Input required and not supplied: path");
  std::string mode = lower(trim(call.input("if-no-files-found", "warn")));
  const NoFilesRow* row = nullptr;
  for (const NoFilesRow& r : k_if_no_files_found)
    if (r.text == mode) row = &r;
  if (row == nullptr)
    return util::fail(fmt::format(
        "Unrecognized if-no-files-found input. Provided: {}. Available options: warn, error, "
        "ignore",
        mode));
  request.if_no_files_found = row->value;
  PW_TRY(days, int_input(call, "retention-days"));
  if (days && *days != 0) request.retention_days = *days;  // 0: the repository's default
  PW_TRY(level, int_input(call, "compression-level"));
  if (level) {
    if (*level < 0 || *level > 9)
      return util::fail(
          fmt::format("Invalid compression-level: {}. Valid values are 0-9.", *level));
    request.compression_level = *level;
  }
  PW_TRY(overwrite, bool_input(call, "overwrite", false));
  request.overwrite = overwrite;
  // include-hidden-files arrived in v4.4 with default false; older versions included them.
  PW_TRY(hidden, bool_input(call, "include-hidden-files", request.version < 4));
  request.include_hidden_files = hidden;
  return request;
}

class UploadArtifact : public BuiltinAction {
 public:
  std::string_view name() const override { return "actions/upload-artifact"; }

  BuiltinResult main(const BuiltinCall& call) const override {
    auto request = upload_request(call);
    if (!request) return failure(call, request.error().message);
    ArtifactStore store = open_store(call);
    auto uploaded = store.upload(*request);
    if (!uploaded) return failure(call, uploaded.error().message);
    for (const std::string& w : uploaded->warnings)
      warn(call, w);
    BuiltinResult result;
    if (!uploaded->artifact_id) return result;
    std::string dir =
        store_dir(call.settings != nullptr ? call.settings->artifact_dir : "", "artifacts");
    std::string url = fmt::format("{}/{}/{}", dir, request->run_id, *uploaded->artifact_id);
    log(call, fmt::format("Artifact {} has been successfully uploaded! Final size is {} bytes. "
                          "Artifact ID is {}",
                          request->name, uploaded->size, *uploaded->artifact_id));
    log(call, fmt::format("Artifact download URL: {}", url));
    result.outputs = {{"artifact-id", std::to_string(*uploaded->artifact_id)},
                      {"artifact-url", url}};
    return result;
  }
};

class DownloadArtifact : public BuiltinAction {
 public:
  std::string_view name() const override { return "actions/download-artifact"; }

  BuiltinResult main(const BuiltinCall& call) const override {
    DownloadRequest request;
    request.run_id = trim(call.input("run-id", github_string(call, "run_id")));
    if (request.run_id.empty()) request.run_id = github_string(call, "run_id");
    request.name = trim(call.input("name"));
    request.pattern = trim(call.input("pattern"));
    auto merge = bool_input(call, "merge-multiple", false);
    if (!merge) return failure(call, merge.error().message);
    request.merge_multiple = *merge;
    std::string path = trim(call.input("path"));
    if (path == "~" || path.starts_with("~/")) path = home_dir(call) + path.substr(1);
    request.path = path;
    if (!request.name.empty() && !request.pattern.empty())
      warn(call, "Both name and pattern inputs are set; pattern is ignored.");

    ArtifactStore store = open_store(call);
    auto downloaded = store.download(request);
    if (!downloaded) {
      std::string message = downloaded.error().message;
      if (!downloaded.error().hint.empty()) message += "\n" + downloaded.error().hint;
      return failure(call, message);
    }
    if (request.name.empty())
      log(call, fmt::format("Found {} artifact(s)", downloaded->names.size()));
    for (const std::string& n : downloaded->names)
      log(call, fmt::format("Artifact '{}' downloaded to {}", n, downloaded->path));
    log(call, fmt::format("Total of {} artifact(s) downloaded ({} files)", downloaded->names.size(),
                          downloaded->files));
    BuiltinResult result;
    result.outputs = {{"download-path", downloaded->path}};
    return result;
  }
};

}  // namespace

const BuiltinAction& upload_artifact() {
  static const UploadArtifact action;
  return action;
}
const BuiltinAction& download_artifact() {
  static const DownloadArtifact action;
  return action;
}

}  // namespace pipewright::exec::actions::builtins
