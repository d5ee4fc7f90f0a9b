#include "pipewright/exec/actions/tool_downloads.h"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <unistd.h>

#include "pipewright/exec/actions/archive.h"
#include "pipewright/exec/actions/url_fetch.h"
#include "pipewright/os/file.h"
#include "pipewright/os/file_lock.h"
#include "pipewright/util/sha256.h"

namespace pipewright::exec::actions {

namespace fs = std::filesystem;

namespace {

constexpr uint64_t k_max_index_bytes = 64 << 20;

std::string base_url(std::string mirror) {
  while (mirror.ends_with('/'))
    mirror.pop_back();
  return mirror;
}

// "node-v20.11.0-linux-x64.tar.gz"
std::string node_archive_name(const Version& version) {
  return fmt::format("node-v{}-linux-{}.tar.gz", version.text(), host_arch());
}

util::Expected<std::string> file_sha256(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return util::fail("cannot read " + path);
  util::Sha256 hash;
  std::vector<char> buffer(1 << 20);
  while (in) {
    in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    if (in.gcount() > 0)
      hash.update(std::string_view(buffer.data(), static_cast<size_t>(in.gcount())));
  }
  if (in.bad()) return util::fail("cannot read " + path);
  return util::to_hex(hash.finish());
}

// The digest SHASUMS256.txt gives `name` ('' when it lists no such file).
std::string listed_digest(std::string_view sums, std::string_view name) {
  while (!sums.empty()) {
    size_t nl = sums.find('\n');
    std::string_view line = sums.substr(0, nl);
    sums = nl == std::string_view::npos ? std::string_view{} : sums.substr(nl + 1);
    size_t space = line.find(' ');
    if (space == std::string_view::npos) continue;
    std::string_view file = line.substr(space);
    while (!file.empty() && (file.front() == ' ' || file.front() == '*'))
      file.remove_prefix(1);
    while (!file.empty() && (file.back() == '\r' || file.back() == ' '))
      file.remove_suffix(1);
    if (file == name) {
      std::string digest(line.substr(0, space));
      for (char& c : digest)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      return digest;
    }
  }
  return {};
}

std::string random_suffix() {
  std::random_device rd;
  return fmt::format("{}-{:08x}", ::getpid(), rd());
}

// Removes a path when it goes out of scope.
struct RemoveOnExit {
  std::string path;
  ~RemoveOnExit() {
    std::error_code ignored;
    if (!path.empty()) fs::remove_all(path, ignored);
  }
};

}  // namespace

bool downloadable(Tool tool) {
  return tool == Tool::node || tool == Tool::go;
}

util::Expected<ToolMirror> parse_tool_mirror(std::string_view text) {
  ToolMirror mirror;
  std::string_view url = text;
  size_t eq = text.find('=');
  size_t scheme = text.find("://");
  if (eq != std::string_view::npos && (scheme == std::string_view::npos || eq < scheme)) {
    auto tool = parse_tool(text.substr(0, eq));
    if (!tool)
      return util::fail(fmt::format("invalid --tool-mirror '{}': unknown tool '{}' (node, go)",
                                    text, text.substr(0, eq)));
    mirror.tool = *tool;
    url = text.substr(eq + 1);
  }
  if (!downloadable(mirror.tool))
    return util::fail(
        fmt::format("invalid --tool-mirror '{}': {} releases cannot be downloaded "
                    "yet (node and go only); map an install with --tool",
                    text, tool_display(mirror.tool)));
  if (!url.starts_with("https://") && !url.starts_with("http://") && !url.starts_with("file://"))
    return util::fail(
        fmt::format("invalid --tool-mirror '{}': expected an http(s):// or file:// URL, e.g. "
                    "--tool-mirror https://nodejs.org/dist",
                    text));
  mirror.url = base_url(std::string(url));
  return mirror;
}

util::Expected<std::string> default_tool_cache_dir() {
  const char* xdg = std::getenv("XDG_CACHE_HOME");
  if (xdg && xdg[0] == '/') return std::string(xdg) + "/pipewright/tools";
  const char* home = std::getenv("HOME");
  if (home && home[0] != '\0') return std::string(home) + "/.cache/pipewright/tools";
  return util::fail("cannot find the tool cache: neither XDG_CACHE_HOME nor HOME is set");
}

std::string_view default_tool_mirror(Tool tool) {
  switch (tool) {
    case Tool::node:
      return "https://nodejs.org/dist";
    case Tool::go:
      return "https://go.dev/dl";
    default:
      return "";
  }
}

namespace {

// A release's archive as an index describes it.
struct ReleaseFile {
  Release release;
  std::string url;     // the archive
  std::string sha256;  // '' when the checksum comes from SHASUMS256.txt (Node.js)
};

std::string lower_ascii(std::string s) {
  for (char& c : s)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// Node.js: index.json entries that list a build for this machine.
std::vector<ReleaseFile> node_files(const nlohmann::json& index, const std::string& mirror) {
  std::string platform = fmt::format("linux-{}", host_arch());
  std::vector<ReleaseFile> out;
  for (const auto& entry : index) {
    if (!entry.is_object()) continue;
    auto version = entry.find("version");
    auto files = entry.find("files");
    if (version == entry.end() || !version->is_string() || files == entry.end() ||
        !files->is_array())
      continue;
    bool built = false;
    for (const auto& f : *files)
      built = built || (f.is_string() && f.get<std::string>() == platform);
    auto parsed = parse_version(version->get<std::string>());
    if (!built || !parsed || parsed->parts.size() != 3) continue;
    ReleaseFile file{{*parsed, false, ""},
                     fmt::format("{}/v{}/{}", mirror, parsed->text(), node_archive_name(*parsed)),
                     ""};
    if (auto lts = entry.find("lts"); lts != entry.end() && lts->is_string()) {
      file.release.lts = true;
      file.release.codename = lower_ascii(lts->get<std::string>());
    }
    out.push_back(std::move(file));
  }
  return out;
}

// Go: go.dev/dl's JSON, stable releases with a linux archive for this machine.
std::vector<ReleaseFile> go_files(const nlohmann::json& index, const std::string& mirror) {
  std::string arch = host_arch() == "x64" ? "amd64" : std::string(host_arch());
  std::vector<ReleaseFile> out;
  for (const auto& entry : index) {
    if (!entry.is_object() || !entry.value("stable", false)) continue;
    auto parsed = parse_version(entry.value("version", ""));
    auto files = entry.find("files");
    if (!parsed || files == entry.end() || !files->is_array()) continue;
    for (const auto& f : *files) {
      if (!f.is_object() || f.value("os", "") != "linux" || f.value("arch", "") != arch ||
          f.value("kind", "") != "archive")
        continue;
      std::string name = f.value("filename", "");
      if (name.empty() || name.find('/') != std::string::npos) continue;
      out.push_back(
          {{*parsed, false, ""}, mirror + "/" + name, lower_ascii(f.value("sha256", ""))});
      break;
    }
  }
  return out;
}

// The index of `mirror`: Node.js's index.json; go.dev/dl's ?mode=json&include=all (a
// file:// mirror holds that JSON as index.json).
util::Expected<std::vector<ReleaseFile>> fetch_index(Tool tool, const std::string& mirror_url) {
  if (!downloadable(tool))
    return util::fail(fmt::format("{} releases cannot be downloaded yet", tool_display(tool)));
  std::string mirror = base_url(mirror_url);
  std::string url = tool == Tool::go && !mirror.starts_with("file://")
                        ? mirror + "/?mode=json&include=all"
                        : mirror + "/index.json";
  PW_TRY(body, fetch_url(url, k_max_index_bytes));
  auto index = nlohmann::json::parse(body, nullptr, false);
  if (index.is_discarded() || !index.is_array())
    return util::fail(
        fmt::format("{} is not a {} release index (a JSON array)", url, tool_display(tool)));
  return tool == Tool::node ? node_files(index, mirror) : go_files(index, mirror);
}

}  // namespace

util::Expected<std::vector<Release>> fetch_release_index(Tool tool, const std::string& mirror) {
  PW_TRY(files, fetch_index(tool, mirror));
  std::vector<Release> releases;
  for (ReleaseFile& file : files)
    releases.push_back(std::move(file.release));
  return releases;
}

util::Expected<Install> install_release(Tool tool, const Version& version,
                                        const std::string& mirror, const std::string& tool_cache,
                                        const std::function<void(std::string_view)>& log) {
  std::string_view exe = tool == Tool::node ? "node" : "go";
  std::string parent = fmt::format("{}/{}/{}", tool_cache, exe, version.text());
  std::string dir = fmt::format("{}/{}", parent, host_arch());
  Install install{tool,         version,      fmt::format("{}/bin/{}", dir, exe),
                  dir + "/bin", "tool cache", ""};
  std::error_code ec;
  fs::create_directories(parent, ec);
  if (ec) return util::fail(fmt::format("cannot create {}: {}", parent, ec.message()));
  PW_TRY(lock, os::FileLock::acquire(fmt::format("{}/.{}.lock", parent, host_arch())));
  if (fs::exists(dir + ".complete", ec) && fs::is_directory(dir, ec)) return install;

  PW_TRY(files, fetch_index(tool, mirror));
  auto file = std::find_if(files.begin(), files.end(),
                           [&](const ReleaseFile& f) { return f.release.version == version; });
  if (file == files.end())
    return util::fail(fmt::format("{} {} is not in the release index of {}", tool_display(tool),
                                  version.text(), mirror));
  std::string url = file->url;
  std::string name = url.substr(url.rfind('/') + 1);
  log(fmt::format("Acquiring {} - {} from {}", version.text(), host_arch(), url));
  std::string expected = file->sha256;
  std::string listed_in = mirror + " (its release index)";
  if (tool == Tool::node) {
    std::string release_url = url.substr(0, url.rfind('/'));
    listed_in = release_url + "/SHASUMS256.txt";
    PW_TRY(sums, fetch_url(listed_in, 1 << 20));
    expected = listed_digest(sums, name);
  }
  if (expected.empty())
    return util::fail(fmt::format("{} lists no checksum for {}", listed_in, name));

  std::string suffix = random_suffix();
  RemoveOnExit download{fmt::format("{}/.download-{}", parent, suffix)};
  PW_TRY_VOID(fetch_url_to_file(url, download.path));
  PW_TRY(actual, file_sha256(download.path));
  if (actual != expected)
    return util::fail(
        fmt::format("checksum mismatch for {}: SHA-256 {}, but {} says {}; nothing was "
                    "installed (the mirror or the download is corrupt)",
                    url, actual, listed_in, expected));
  log(fmt::format("Checksum verified (SHA-256 {})", actual));

  RemoveOnExit staging{fmt::format("{}/.extract-{}", parent, suffix)};
  std::string root = staging.path;
  PW_TRY_VOID(extract_release_archive(download.path, [&](std::string_view entry) {
    return util::Expected<Placement>(Placement{root, root + "/" + std::string(entry)});
  }));
  // The archive holds one top directory (node-v20.11.0-linux-x64/, go/): the install.
  std::string top;
  for (const auto& e : fs::directory_iterator(root, ec)) {
    if (!top.empty() || !e.is_directory())
      return util::fail(fmt::format("{} does not hold a single top directory", url));
    top = e.path().string();
  }
  if (top.empty() || !fs::exists(fmt::format("{}/bin/{}", top, exe), ec))
    return util::fail(fmt::format("{} holds no bin/{}", url, exe));
  fs::remove_all(dir, ec);
  if (::rename(top.c_str(), dir.c_str()) != 0)
    return util::fail(
        fmt::format("cannot move the release into {}: {}", dir, std::strerror(errno)));
  PW_TRY_VOID(os::write_file(dir + ".complete", ""));
  log(fmt::format("Installed {} {} in {}", tool_display(tool), version.text(), dir));
  return install;
}

}  // namespace pipewright::exec::actions
