// The inputs of popular actions by major version, from each version's action.yml. A row
// lists the union of the inputs its versions accept (a later minor release may add one):
// an input missing here would be a false error, so rows err on the side of more names.
#include "pipewright/workflow/lint/known_actions.h"

#include <cctype>
#include <charconv>

#include "pipewright/workflow/lint/known.h"

namespace pipewright::workflow::lint {

namespace {

constexpr KnownInput k_checkout[] = {
    {"repository", false, {}, {}},
    {"ref", false, {}, {}},
    {"token", false, {}, {}},
    {"ssh-key", false, {}, {}},
    {"ssh-known-hosts", false, {}, {}},
    {"ssh-strict", false, {}, {}},
    {"ssh-user", false, {}, {}},
    {"persist-credentials", false, {}, {}},
    {"path", false, {}, {}},
    {"clean", false, {}, {}},
    {"filter", false, {}, {}},
    {"sparse-checkout", false, {}, {}},
    {"sparse-checkout-cone-mode", false, {}, {}},
    {"fetch-depth", false, {}, {}},
    {"fetch-tags", false, {}, {}},
    {"show-progress", false, {}, {}},
    {"lfs", false, {}, {}},
    {"submodules", false, {}, {}},
    {"set-safe-directory", false, {}, {}},
    {"github-server-url", false, {}, {}},
    {"reference", false, {}, {}},
};

constexpr KnownInput k_setup_python[] = {
    {"python-version", false, {}, {}},
    {"python-version-file", false, {}, {}},
    {"cache", false, {}, {}},
    {"architecture", false, {}, {}},
    {"check-latest", false, {}, {}},
    {"token", false, {}, {}},
    {"cache-dependency-path", false, {}, {}},
    {"update-environment", false, {}, {}},
    {"allow-prereleases", false, {}, {}},
    {"freethreaded", false, {}, {}},
    {"pip-version", false, {}, {}},
    {"pip-install", false, {}, {}},
    {"ignore-platform-version", false, {}, {}},
    {"version", false, "", "python-version"},
};

constexpr KnownInput k_setup_node[] = {
    {"node-version", false, {}, {}},
    {"node-version-file", false, {}, {}},
    {"architecture", false, {}, {}},
    {"check-latest", false, {}, {}},
    {"registry-url", false, {}, {}},
    {"scope", false, {}, {}},
    {"token", false, {}, {}},
    {"cache", false, {}, {}},
    {"cache-dependency-path", false, {}, {}},
    {"package-manager-cache", false, {}, {}},
    {"always-auth", false, {}, {}},
    {"mirror", false, {}, {}},
    {"mirror-token", false, {}, {}},
    {"version", false, "", "node-version"},
};

constexpr KnownInput k_setup_go[] = {
    {"go-version", false, {}, {}},
    {"go-version-file", false, {}, {}},
    {"check-latest", false, {}, {}},
    {"token", false, {}, {}},
    {"cache", false, {}, {}},
    {"cache-dependency-path", false, {}, {}},
    {"architecture", false, {}, {}},
    {"go-download-base-url", false, {}, {}},
    {"stable", false, "", "go-version"},
};

constexpr KnownInput k_setup_java[] = {
    {"java-version", false, {}, {}},
    {"java-version-file", false, {}, {}},
    {"distribution", false, {}, {}},
    {"java-package", false, {}, {}},
    {"architecture", false, {}, {}},
    {"jdk-file", false, {}, {}},
    {"jdkFile", false, {}, {}},
    {"check-latest", false, {}, {}},
    {"force-download", false, {}, {}},
    {"set-default", false, {}, {}},
    {"verify-signature", false, {}, {}},
    {"verify-signature-public-key", false, {}, {}},
    {"server-id", false, {}, {}},
    {"server-username", false, {}, {}},
    {"server-username-env-var", false, {}, {}},
    {"server-password", false, {}, {}},
    {"server-password-env-var", false, {}, {}},
    {"settings-path", false, {}, {}},
    {"overwrite-settings", false, {}, {}},
    {"gpg-private-key", false, {}, {}},
    {"gpg-passphrase", false, {}, {}},
    {"gpg-passphrase-env-var", false, {}, {}},
    {"cache", false, {}, {}},
    {"cache-jdk", false, {}, {}},
    {"cache-dependency-path", false, {}, {}},
    {"cache-path", false, {}, {}},
    {"cache-read-only", false, {}, {}},
    {"job-status", false, {}, {}},
    {"token", false, {}, {}},
    {"mvn-toolchain-id", false, {}, {}},
    {"mvn-toolchain-vendor", false, {}, {}},
    {"show-download-progress", false, {}, {}},
    {"problem-matcher", false, {}, {}},
};

constexpr KnownInput k_cache[] = {
    {"path", true, {}, {}},
    {"key", true, {}, {}},
    {"restore-keys", false, {}, {}},
    {"upload-chunk-size", false, {}, {}},
    {"enableCrossOsArchive", false, {}, {}},
    {"fail-on-cache-miss", false, {}, {}},
    {"lookup-only", false, {}, {}},
    {"save-always",
     false,
     "'save-always' is deprecated and does not work as intended; save with a separate "
     "actions/cache/save step under 'if: always()'",
     {}},
};

constexpr KnownInput k_upload_artifact[] = {
    {"name", false, {}, {}},
    {"path", true, {}, {}},
    {"if-no-files-found", false, {}, {}},
    {"retention-days", false, {}, {}},
    {"compression-level", false, {}, {}},
    {"overwrite", false, {}, {}},
    {"include-hidden-files", false, {}, {}},
    {"archive", false, {}, {}},
};

constexpr KnownInput k_download_artifact[] = {
    {"name", false, {}, {}},           {"artifact-ids", false, {}, {}},
    {"path", false, {}, {}},           {"pattern", false, {}, {}},
    {"merge-multiple", false, {}, {}}, {"github-token", false, {}, {}},
    {"repository", false, {}, {}},     {"run-id", false, {}, {}},
};

constexpr KnownInput k_pypi_publish[] = {
    {"user", false, {}, {}},
    {"password", false, {}, {}},
    {"repository-url", false, {}, {}},
    {"packages-dir", false, {}, {}},
    {"verify-metadata", false, {}, {}},
    {"skip-existing", false, {}, {}},
    {"verbose", false, {}, {}},
    {"print-hash", false, {}, {}},
    {"attestations", false, {}, {}},
    {"repository_url", false, "renamed; use 'repository-url'", {}},
    {"packages_dir", false, "renamed; use 'packages-dir'", {}},
    {"verify_metadata", false, "renamed; use 'verify-metadata'", {}},
    {"skip_existing", false, "renamed; use 'skip-existing'", {}},
    {"print_hash", false, "renamed; use 'print-hash'", {}},
};

constexpr std::string_view k_artifact_v3 =
    "v1-v3 of the artifact actions stopped working on 2025-01-30; use v4 or later";

const KnownAction k_actions[] = {
    {"actions/checkout", 2, 6, k_checkout, ""},
    {"actions/setup-python", 2, 6, k_setup_python, ""},
    {"actions/setup-node", 2, 6, k_setup_node, ""},
    {"actions/setup-go", 2, 6, k_setup_go, ""},
    {"actions/setup-java", 2, 5, k_setup_java, ""},
    {"actions/cache", 1, 2, {}, "actions/cache v1 and v2 stopped working on 2025-02-01; use v4"},
    {"actions/cache", 3, 5, k_cache, ""},
    {"actions/upload-artifact", 1, 3, {}, k_artifact_v3},
    {"actions/upload-artifact", 4, 6, k_upload_artifact, ""},
    {"actions/download-artifact", 1, 3, {}, k_artifact_v3},
    {"actions/download-artifact", 4, 7, k_download_artifact, ""},
    {"pypa/gh-action-pypi-publish", 1, 1, k_pypi_publish, ""},
};

}  // namespace

const KnownAction* find_known_action(std::string_view repo, int major) {
  for (const KnownAction& row : k_actions)
    if (iequals(row.repo, repo) && major >= row.min_major && major <= row.max_major) return &row;
  return nullptr;
}

std::optional<int> major_version(std::string_view ref) {
  // Release branches name their major version too: "release/v1".
  if (size_t slash = ref.rfind('/'); slash != std::string_view::npos) ref.remove_prefix(slash + 1);
  if (ref.starts_with('v') || ref.starts_with('V')) ref.remove_prefix(1);
  int major = 0;
  auto [end, ec] = std::from_chars(ref.data(), ref.data() + ref.size(), major);
  if (ec != std::errc() || end == ref.data()) return std::nullopt;
  // Only a version: "4", "4.1", "4.1.2" (not a 40-hex SHA that starts with digits).
  for (const char* p = end; p < ref.data() + ref.size(); ++p)
    if (*p != '.' && !std::isdigit(static_cast<unsigned char>(*p))) return std::nullopt;
  return major;
}

}  // namespace pipewright::workflow::lint
