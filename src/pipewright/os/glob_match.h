// @actions/glob pattern matching on path segments: `*` (dotfiles included), `?`,
// `[...]` classes, `\x` escapes within a segment, and `**` across segments.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace pipewright::os {

// Whether a pattern segment holds a wildcard (`*`, `?` or `[`).
bool has_glob(std::string_view segment);

// One path segment against one pattern segment.
bool match_segment(std::string_view pattern, std::string_view segment);

// Full match of path segments [si..] against pattern segments [pi..] (`**` = any number
// of segments).
bool match_path(const std::vector<std::string>& pattern, size_t pi,
                const std::vector<std::string>& path, size_t si);

// Whether some descendant of `path` could match `pattern` (`**` reaches anything).
bool partial_match(const std::vector<std::string>& pattern, const std::vector<std::string>& path);

}  // namespace pipewright::os
