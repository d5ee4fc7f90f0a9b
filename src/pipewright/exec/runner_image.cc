#include "pipewright/exec/runner_image.h"

#include <filesystem>

#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pipewright/os/file.h"

namespace pipewright::exec {

namespace {

namespace fs = std::filesystem;

// ubuntu-latest follows GitHub's current mapping.
constexpr std::string_view k_ubuntu_latest = "ubuntu24";

// sudo as root without a sudo binary: sudo's own options that make no difference to a
// root that stays root are accepted and dropped, VAR=value assignments and the command
// run through env(1). Another user, a login or interactive shell need the real sudo.
constexpr std::string_view k_sudo_shim = R"(#!/bin/sh
# sudo for jobs of a pipewright engine running as root on a host without sudo: the
# command runs directly (as root, with the job's environment). Written by pipewright.
die() { echo "sudo (pipewright shim, running as root): $*; install sudo for this" >&2; exit 1; }
as_root() { case "$1" in root|0|'#0') ;; *) die "cannot run as '$1'" ;; esac; }
while [ $# -gt 0 ]; do
  case "$1" in
    --) shift; break ;;
    -u|-g|--user|--group) [ $# -ge 2 ] || die "$1 needs a value"; as_root "$2"; shift 2 ;;
    --user=*|--group=*) as_root "${1#*=}"; shift ;;
    -u*|-g*) as_root "${1#-?}"; shift ;;
    -s|--shell) shift; [ $# -gt 0 ] || die "no interactive shell"
      exec "${SHELL:-/bin/sh}" -c "$*" ;;
    -v|--validate|-k|--reset-timestamp|-K|--remove-timestamp)
      shift; [ $# -gt 0 ] || exit 0 ;;
    --preserve-env|--preserve-env=*|--non-interactive|--stdin|--set-home|--background) shift ;;
    -i|--login|-l|--list|-e|--edit) die "option $1 is not supported" ;;
    -*[!EHnSPAbk]*) die "option $1 is not supported" ;;
    -?*) shift ;;
    *) break ;;
  esac
done
[ $# -gt 0 ] || { echo "usage: sudo [-EHn] [-u root] [VAR=value]... command [arg]..." >&2; exit 1; }
exec env -- "$@"
)";

bool on_path(const std::string& path, std::string_view name) {
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find(':', start);
    if (end == std::string::npos) end = path.size();
    std::string dir = path.substr(start, end - start);
    if (!dir.empty() && ::access((dir + "/" + std::string(name)).c_str(), X_OK) == 0) return true;
    start = end + 1;
  }
  return false;
}

}  // namespace

std::string apt_config_text(const RunnerImageOptions& options) {
  std::string text =
      "// apt for the jobs of a pipewright run (APT_CONFIG): read before /etc/apt/apt.conf.d\n"
      "// and /etc/apt/apt.conf, which still apply. As on GitHub's runner images: assume yes,\n"
      "// keep changed conffiles without asking, retry downloads, and wait for the dpkg lock\n"
      "// so that parallel jobs installing packages take turns.\n";
  if (!options.host_apt_config.empty())
    text += fmt::format("#include \"{}\";\n", options.host_apt_config);
  text += "APT::Get::Assume-Yes \"true\";\n";
  text += "APT::Acquire::Retries \"10\";\n";
  text += fmt::format("DPkg::Lock::Timeout \"{}\";\n", options.dpkg_lock_timeout_seconds);
  text += "Dpkg::Options { \"--force-confdef\"; \"--force-confold\"; };\n";
  return text;
}

util::Expected<RunnerImage> prepare_runner_image(const std::string& dir,
                                                 const RunnerImageOptions& options) {
  RunnerImage image;
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return util::fail("cannot create " + dir + ": " + ec.message());
  std::string apt = dir + "/apt.conf";
  PW_TRY_VOID(os::write_file(apt, apt_config_text(options)));
  image.env = {{"APT_CONFIG", apt}, {"DEBIAN_FRONTEND", "noninteractive"}};
  if (options.root && !on_path(options.host_path, "sudo")) {
    image.bin_dir = dir + "/bin";
    fs::create_directories(image.bin_dir, ec);
    if (ec) return util::fail("cannot create " + image.bin_dir + ": " + ec.message());
    std::string shim = image.bin_dir + "/sudo";
    PW_TRY_VOID(os::write_file(shim, k_sudo_shim));
    if (::chmod(shim.c_str(), 0755) != 0) return util::fail("cannot make " + shim + " executable");
  }
  return image;
}

std::string image_os(const std::vector<std::string>& labels) {
  for (const std::string& label : labels) {
    std::string lower;
    for (char c : label)
      lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (!lower.starts_with("ubuntu-")) continue;
    std::string_view version = std::string_view(lower).substr(7);
    if (version.starts_with("latest")) return std::string(k_ubuntu_latest);
    size_t dot = version.find('.');
    if (dot == 0 || dot == std::string_view::npos) continue;
    std::string_view major = version.substr(0, dot);
    if (major.find_first_not_of("0123456789") != std::string_view::npos) continue;
    return "ubuntu" + std::string(major);
  }
  return "";
}

}  // namespace pipewright::exec
