#include "pipewright/server/tokens.h"

#include <array>
#include <stdexcept>

#include <openssl/rand.h>

#include "pipewright/util/sha256.h"

namespace pipewright::server {

namespace {

constexpr std::string_view k_prefix = "pw_";
constexpr size_t k_body_length = 40;
constexpr std::string_view k_alphabet =
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

struct RoleName {
  Role role;
  std::string_view name;
};
constexpr std::array<RoleName, 3> k_roles{{
    {Role::viewer, "viewer"},
    {Role::maintainer, "maintainer"},
    {Role::admin, "admin"},
}};

}  // namespace

std::optional<Role> parse_role(std::string_view text) {
  for (const RoleName& row : k_roles)
    if (row.name == text) return row.role;
  return std::nullopt;
}

std::string_view to_string(Role role) {
  for (const RoleName& row : k_roles)
    if (row.role == role) return row.name;
  return "viewer";
}

bool allows(Role have, Role need) {
  return static_cast<int>(have) >= static_cast<int>(need);
}

std::string new_token() {
  std::string token(k_prefix);
  // Rejection sampling keeps every character uniform: bytes >= 248 (4 * 62) are dropped.
  while (token.size() < k_prefix.size() + k_body_length) {
    std::array<unsigned char, 64> bytes{};
    if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1)
      throw std::runtime_error("OpenSSL: no random bytes for a token");
    for (unsigned char b : bytes) {
      if (b >= 4 * k_alphabet.size()) continue;
      token += k_alphabet[b % k_alphabet.size()];
      if (token.size() == k_prefix.size() + k_body_length) break;
    }
  }
  return token;
}

bool looks_like_token(std::string_view text) {
  if (!text.starts_with(k_prefix) || text.size() != k_prefix.size() + k_body_length) return false;
  return text.substr(k_prefix.size()).find_first_not_of(k_alphabet) == std::string_view::npos;
}

// A plain SHA-256 is enough: tokens carry 238 random bits, so neither a salt nor a slow hash
// would make guessing one from its hash any harder.
std::string token_hash(std::string_view token) {
  return util::to_hex(util::sha256(token));
}

}  // namespace pipewright::server
