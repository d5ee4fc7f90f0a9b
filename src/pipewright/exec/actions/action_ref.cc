#include "pipewright/exec/actions/action_ref.h"

#include <cctype>

#include <fmt/format.h>

namespace pipewright::exec::actions {

namespace {

constexpr std::string_view k_workflows_dir = ".github/workflows/";

bool is_hex(std::string_view s) {
  for (char c : s)
    if (!std::isxdigit(static_cast<unsigned char>(c))) return false;
  return true;
}

// GitHub owners: letters, digits and '-'; repositories also '_' and '.'.
bool valid_owner(std::string_view s) {
  if (s.empty() || s.starts_with('-')) return false;
  for (char c : s)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') return false;
  return true;
}

bool valid_repo(std::string_view s) {
  if (s.empty() || s == "." || s == "..") return false;
  for (char c : s)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.')
      return false;
  return true;
}

// git check-ref-format, the parts that matter for a name given on a command line.
bool valid_ref(std::string_view s) {
  if (s.empty() || s.starts_with('-') || s.starts_with('/') || s.ends_with('/') ||
      s.ends_with('.') || s.ends_with(".lock") || s.find("..") != std::string_view::npos ||
      s.find("@{") != std::string_view::npos || s.find("//") != std::string_view::npos)
    return false;
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f || std::string_view(" ~^:?*[\\").find(c) != std::string_view::npos)
      return false;
  }
  return true;
}

// A path inside a repository: no empty, "." or ".." segments, no backslashes.
bool valid_inner_path(std::string_view s) {
  if (s.empty()) return true;
  size_t start = 0;
  while (start <= s.size()) {
    size_t end = s.find('/', start);
    if (end == std::string_view::npos) end = s.size();
    std::string_view seg = s.substr(start, end - start);
    if (seg.empty() || seg == "." || seg == ".." || seg.find('\\') != std::string_view::npos)
      return false;
    for (char c : seg)
      if (static_cast<unsigned char>(c) < 0x20) return false;
    start = end + 1;
  }
  return true;
}

bool is_workflow_file(std::string_view path) {
  return path.starts_with(k_workflows_dir) &&
         path.find('/', k_workflows_dir.size()) == std::string_view::npos &&
         (path.ends_with(".yml") || path.ends_with(".yaml")) &&
         path.size() > k_workflows_dir.size() + 4;
}

util::Expected<ActionRef> parse_local(std::string_view uses, UsesSite site) {
  ActionRef ref;
  ref.text = std::string(uses);
  std::string_view path = uses.substr(2);
  while (path.ends_with('/'))
    path.remove_suffix(1);
  if (site == UsesSite::job) {
    if (path.find('@') != std::string_view::npos)
      return util::fail(fmt::format(
          "Invalid workflow reference '{}': a local workflow reference cannot have a version; "
          "expected ./.github/workflows/<file>.yml",
          uses));
    if (!is_workflow_file(path))
      return util::fail(fmt::format(
          "Invalid workflow reference '{}': expected ./.github/workflows/<file>.yml", uses));
    ref.kind = RefKind::local_workflow;
  } else {
    ref.kind = RefKind::local_action;
  }
  if (!valid_inner_path(path) && !path.empty())
    return util::fail(
        fmt::format("'{}' is not a valid local path: it may not contain empty, "
                    "'.' or '..' segments",
                    uses));
  ref.path = std::string(path);
  return ref;
}

util::Expected<ActionRef> parse_remote(std::string_view uses, UsesSite site) {
  auto format_error = [&] {
    if (site == UsesSite::job)
      return util::fail(
          fmt::format("Invalid workflow reference '{}': expected "
                      "{{owner}}/{{repo}}/.github/workflows/<file>.yml@{{ref}} or "
                      "./.github/workflows/<file>.yml",
                      uses));
    return util::fail(
        fmt::format("Expected format {{org}}/{{repo}}[/path]@ref. Actual '{}'", uses));
  };
  size_t at = uses.find('@');
  if (at == std::string_view::npos || uses.find('@', at + 1) != std::string_view::npos)
    return format_error();
  ActionRef ref;
  ref.text = std::string(uses);
  ref.ref = std::string(uses.substr(at + 1));
  std::string_view name = uses.substr(0, at);
  size_t slash = name.find('/');
  if (slash == std::string_view::npos) return format_error();
  ref.owner = std::string(name.substr(0, slash));
  std::string_view rest = name.substr(slash + 1);
  size_t slash2 = rest.find('/');
  ref.repo = std::string(rest.substr(0, slash2));
  if (slash2 != std::string_view::npos) {
    ref.path = std::string(rest.substr(slash2 + 1));
    if (ref.path.empty()) return format_error();
  }
  if (!valid_owner(ref.owner) || !valid_repo(ref.repo) || !valid_ref(ref.ref) ||
      !valid_inner_path(ref.path))
    return format_error();
  if (site == UsesSite::job) {
    if (!is_workflow_file(ref.path)) return format_error();
    ref.kind = RefKind::remote_workflow;
  } else {
    ref.kind = RefKind::remote_action;
  }
  return ref;
}

}  // namespace

util::Expected<ActionRef> parse_action_ref(std::string_view uses, UsesSite site) {
  if (uses.empty()) return util::fail("'uses' is empty; expected an action or a workflow");
  if (uses.starts_with("./") || uses == ".") {
    if (uses == "." || uses == "./") {
      if (site == UsesSite::job)
        return util::fail(fmt::format(
            "Invalid workflow reference '{}': expected ./.github/workflows/<file>.yml", uses));
      ActionRef ref;
      ref.text = std::string(uses);
      return ref;  // the repository root holds the action
    }
    return parse_local(uses, site);
  }
  if (uses.starts_with("docker://")) {
    if (site == UsesSite::job)
      return util::fail(
          fmt::format("Invalid workflow reference '{}': a job cannot use a Docker image", uses));
    ActionRef ref;
    ref.kind = RefKind::docker;
    ref.text = std::string(uses);
    ref.image = std::string(uses.substr(9));
    if (ref.image.empty() || ref.image.find_first_of(" \t\r\n") != std::string::npos)
      return util::fail(fmt::format(
          "'{}' is not a valid Docker image reference, e.g. docker://alpine:3.20", uses));
    return ref;
  }
  return parse_remote(uses, site);
}

bool is_full_sha(std::string_view ref) {
  return ref.size() == 40 && is_hex(ref);
}

bool looks_like_short_sha(std::string_view ref) {
  return ref.size() >= 7 && ref.size() < 40 && is_hex(ref);
}

util::Error short_sha_error(const ActionRef& ref, std::string_view full_sha) {
  return util::Error{
      fmt::format("Unable to resolve action `{}`, the provided ref `{}` is the shortened version "
                  "of a commit SHA, which is not supported. Please use the full commit SHA `{}` "
                  "instead.",
                  ref.text, ref.ref, full_sha),
      {},
      {}};
}

}  // namespace pipewright::exec::actions
