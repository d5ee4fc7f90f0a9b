// What the linter knows about GitHub Actions, independent of any one workflow: the
// shape of contexts, runner labels, shells, `uses` syntax and
// which event fields an attacker controls. Pure functions over strings.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace pipewright::workflow::lint {

// The known property names of `github`, `runner`, `job`, `strategy` (lower case, as
// documented); an empty span for contexts with open shapes.
std::span<const std::string_view> known_context_fields(std::string_view context);

// True for a GitHub-hosted runner label (ubuntu-latest, windows-2022, macos-14, …) or
// one of the self-hosted labels (self-hosted, linux, x64, …). Case-insensitive.
bool is_known_runner_label(std::string_view label);
// Every known label, for "did you mean" suggestions.
std::span<const std::string_view> known_runner_labels();

// Why `shell` is not usable, or nullopt: a built-in name (case-insensitive) or a custom
// command containing `{0}`.
std::optional<std::string> check_shell(std::string_view shell);

// The parts of a step's or job's `uses`.
struct UsesRef {
  enum class Kind { local, docker, remote };
  Kind kind = Kind::remote;
  std::string owner, repo, path, ref;  // remote: owner/repo[/path]@ref; local: path
};
// Parses `uses`; fails with a message saying which form was expected.
std::optional<UsesRef> parse_uses(std::string_view uses, std::string& error);
// True when `ref` is a full 40-hex commit SHA.
bool is_full_sha(std::string_view ref);

// True when `path` (after `github.`) names data an outside contributor controls:
// titles, bodies, branch names, commit messages, author names/emails, ….
// `path` is the property chain, e.g. {"event", "issue", "title"} or {"head_ref"}.
bool is_untrusted_github_path(std::span<const std::string> path);

// Case-insensitive ASCII equality.
bool iequals(std::string_view a, std::string_view b);

}  // namespace pipewright::workflow::lint
