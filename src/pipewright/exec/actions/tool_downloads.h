// Toolchains downloaded from a release index into the tool cache, as the real setup
// actions do when the runner lacks a version:
//   Node.js, from a mirror in the layout of https://nodejs.org/dist:
//     index.json [{"version":"v20.11.0","lts":"Iron","files":["linux-x64",...]}]
//     v20.11.0/node-v20.11.0-linux-x64.tar.gz  the release (one top directory)
//     v20.11.0/SHASUMS256.txt                  "<sha256>  node-v20.11.0-linux-x64.tar.gz"
//   Go, from https://go.dev/dl or a mirror of it: the JSON of ?mode=json&include=all
//     (index.json in a file:// mirror) with each archive's sha256, and the archives
//     (go1.22.0.linux-amd64.tar.gz, top directory go/) next to it.
// A download is verified against its checksum before anything is extracted, then
// lands atomically (extracted beside, renamed into place under a lock) in GitHub's
// tool-cache layout: <tool cache>/node/20.11.0/x64 plus the x64.complete marker, where
// Toolchains finds it next time, offline.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "pipewright/exec/actions/toolchains.h"
#include "pipewright/util/error.h"

namespace pipewright::exec::actions {

// Whether releases of `tool` can be downloaded.
bool downloadable(Tool tool);

// `--tool-mirror node=URL`, `go=URL`, or a bare `--tool-mirror URL` (Node.js's). Fails for an
// unknown tool, one that cannot be downloaded yet, or a URL that is not http(s) or file.
struct ToolMirror {
  Tool tool = Tool::node;
  std::string url;
};
util::Expected<ToolMirror> parse_tool_mirror(std::string_view text);

// $XDG_CACHE_HOME/pipewright/tools when XDG_CACHE_HOME is absolute, else
// ~/.cache/pipewright/tools. Fails when no home is known.
util::Expected<std::string> default_tool_cache_dir();

// The index the real action reads for `tool` ("https://nodejs.org/dist",
// "https://go.dev/dl"); '' for none.
std::string_view default_tool_mirror(Tool tool);

// The releases in `mirror`'s index that have a build for this machine. Fails naming
// the index URL when it cannot be read or parsed.
util::Expected<std::vector<Release>> fetch_release_index(Tool tool, const std::string& mirror);

// Downloads `version` of `tool` from `mirror`, checks its SHA-256, and installs it in
// `tool_cache` (unless present already). `log` receives progress lines. Fails naming
// the URL, or both digests on a checksum mismatch (nothing is installed then).
util::Expected<Install> install_release(Tool tool, const Version& version,
                                        const std::string& mirror, const std::string& tool_cache,
                                        const std::function<void(std::string_view)>& log);

}  // namespace pipewright::exec::actions
