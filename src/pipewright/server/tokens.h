// API tokens and roles. A token is "pw_" + 40 base62 characters (238 bits from RAND_bytes);
// only its SHA-256 is stored.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace pipewright::server {

enum class Role { viewer, maintainer, admin };  // each allows what the ones before it do

// "viewer" / "maintainer" / "admin" (exact, lower case); nullopt otherwise.
std::optional<Role> parse_role(std::string_view text);
std::string_view to_string(Role role);

// True when a token with role `have` may do what needs `need`.
bool allows(Role have, Role need);

// A new random token: "pw_" followed by 40 characters of [0-9A-Za-z].
std::string new_token();
// True when `text` has the shape of a token (prefix, length, alphabet).
bool looks_like_token(std::string_view text);
// The lower-case hex SHA-256 of `token`, what the store keeps and looks tokens up by.
std::string token_hash(std::string_view token);

}  // namespace pipewright::server
