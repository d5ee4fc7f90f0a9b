// tar + zstd archives for the cache and artifact stores. Writing streams a pax tar
// through multi-threaded zstd into a temporary file renamed into place at the end, so
// a partial archive is never visible. Extraction is defensive: entry names must be
// relative without '..'; every entry is placed by the caller, inside a confinement
// root; nothing is written through a symlink below that root; symlink entries must
// point inside it (relative, '..' only leading); hard links and devices are refused;
// entry-count and size limits apply.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "pipewright/util/error.h"

namespace pipewright::exec::actions {

struct ArchiveLimits {
  uint64_t max_entries = 1'000'000;
  uint64_t max_bytes = uint64_t{64} << 30;  // sum of the entries' sizes
};

// One file or symlink to archive: where it is and its name in the archive
// (relative, '/'-separated).
struct PackInput {
  std::string source;
  std::string name;
};

struct ArchiveStats {
  uint64_t entries = 0;
  uint64_t bytes = 0;       // uncompressed content
  uint64_t compressed = 0;  // the archive's size
};

// Writes `inputs` (regular files and symlinks, not followed) to `out` atomically.
// `level`: the zstd level; `threads`: zstd workers (0: one per core).
util::Expected<ArchiveStats> write_archive(const std::string& out,
                                           const std::vector<PackInput>& inputs, int level = 3,
                                           int threads = 0);

// Where an entry goes: its destination path and the root it must stay within.
struct Placement {
  std::string root;  // absolute, normalised; created when missing
  std::string path;  // absolute, normalised, within root
};
// Places an entry by name (already checked: relative, no '..'); fails to refuse it.
using PlaceEntry = std::function<util::Expected<Placement>(std::string_view name)>;

// Extracts `archive` entry by entry; stops at the first refused or failing entry
// (what was written before stays). Fails naming the entry and the reason.
util::Expected<ArchiveStats> extract_archive(const std::string& archive, const PlaceEntry& place,
                                             const ArchiveLimits& limits = {});

// The same for a release archive of a toolchain (tar, plain or gzip/xz/zstd
// compressed: node-v20.11.0-linux-x64.tar.gz, go1.22.0.linux-amd64.tar.gz).
util::Expected<ArchiveStats> extract_release_archive(const std::string& archive,
                                                     const PlaceEntry& place,
                                                     const ArchiveLimits& limits = {});

// The names in `archive` with their sizes, without extracting (checks the same limits).
util::Expected<std::vector<std::pair<std::string, uint64_t>>> list_archive(
    const std::string& archive, const ArchiveLimits& limits = {});

}  // namespace pipewright::exec::actions
