// The store behind the native upload-artifact / download-artifact (v3 and v4) and
// `pipewright artifacts RUN`: per-run artifacts under `<data dir>/artifacts/<run>/<id>/`,
// each a tar + zstd archive (v3: one per upload, merged on download) and a JSON record.
// Uploads are atomic (archive and record written to temporaries, then renamed) and
// serialised per run by a file lock; downloads extract safely (archive.h).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "pipewright/exec/actions/archive.h"
#include "pipewright/util/error.h"

namespace pipewright::exec::actions {

enum class IfNoFilesFound { warn, error, ignore };

struct ArtifactStoreOptions {
  std::string dir;        // <data dir>/artifacts (created on demand)
  std::string workspace;  // relative `path` lines start here
  std::string home;       // `~`
  int max_retention_days = 90;
  ArchiveLimits limits;
};

struct UploadRequest {
  std::string run_id;
  std::string name = "artifact";
  std::string paths;  // the `path` input: one pattern per line, `!` excludes
  IfNoFilesFound if_no_files_found = IfNoFilesFound::warn;
  std::optional<int> retention_days;  // nullopt: the maximum
  int compression_level = 6;          // 0 (store fast) … 9, as zlib levels
  bool overwrite = false;             // v4
  bool include_hidden_files = false;  // v4.4+
  int version = 4;                    // 3: a repeated name adds files; 4: it conflicts
};

struct UploadResult {
  std::optional<int64_t> artifact_id;  // nullopt: nothing uploaded
  std::vector<std::string> warnings;   // GitHub's texts
  uint64_t files = 0;
  uint64_t size = 0;  // compressed
};

struct ArtifactInfo {
  int64_t id = 0;
  std::string name;
  uint64_t files = 0;
  uint64_t bytes = 0;  // uncompressed
  uint64_t size = 0;   // compressed
  int64_t created_s = 0;
  int64_t expires_s = 0;  // system clock, seconds
};

struct DownloadRequest {
  std::string run_id;
  std::string name;                    // '' : every artifact (filtered by pattern)
  std::optional<int64_t> artifact_id;  // instead of name
  std::string pattern;                 // glob over names, when name is ''
  bool merge_multiple = false;         // several artifacts into one directory
  std::string path;                    // destination; relative to the workspace
};

struct DownloadResult {
  std::vector<std::string> names;  // downloaded artifacts
  std::string path;                // the absolute destination
  uint64_t files = 0;
};

class ArtifactStore {
 public:
  explicit ArtifactStore(ArtifactStoreOptions options);

  // Uploads the files `paths` matches, named relative to their least common ancestor
  // (a single file: its directory). Errors use GitHub's texts (invalid name, no files
  // with if-no-files-found: error, v4 name conflict).
  util::Expected<UploadResult> upload(const UploadRequest& request);
  // Downloads one (by name or id), all, or those matching `pattern`: one artifact into
  // `path` itself; several into `path/<name>` unless merge_multiple.
  util::Expected<DownloadResult> download(const DownloadRequest& request);
  // A run's artifacts (unexpired), by id.
  std::vector<ArtifactInfo> list(const std::string& run_id) const;
  // Deletes expired artifacts of every run; returns how many.
  size_t prune_expired();

  // GitHub's artifact name rules (no " : < > | * ? \r \n \ /), plus no other control
  // characters and not '.' or '..'.
  static util::Expected<void> validate_name(std::string_view name);
  // GitHub's rules for a file path inside an artifact (no " : < > | * ? \r \n).
  static util::Expected<void> validate_file_path(std::string_view path);

 private:
  ArtifactStoreOptions m_options;
};

}  // namespace pipewright::exec::actions
