// Secrets at rest: AES-256-GCM (OpenSSL EVP) under one server key. The key comes from
// PIPEWRIGHT_SECRET_KEY (64 hex characters, or base64 of 32 bytes) or from the key file
// <data dir>/secret.key (32 raw bytes, mode 0600), created at first start. Anything doubtful
// about the key fails closed: no secret is ever stored or returned in plaintext.
#pragma once

#include <array>
#include <string>
#include <string_view>

#include "pipewright/util/error.h"

namespace pipewright::server {

class SecretBox {
 public:
  // The key from PIPEWRIGHT_SECRET_KEY when set (malformed: error), else from
  // <data_dir>/secret.key, created (O_EXCL, 0600, fsync'd) with 32 random bytes when absent.
  // Fails when the key file has the wrong size, is not a regular file or is readable or
  // writable by group or others.
  static util::Expected<SecretBox> open(const std::string& data_dir);
  // A box with the given 32-byte key (tests, tools); fails on another size.
  static util::Expected<SecretBox> from_key(std::string_view key);

  SecretBox(const SecretBox&) = default;
  SecretBox& operator=(const SecretBox&) = default;
  ~SecretBox();

  // version byte (1) | 12-byte random nonce | ciphertext | 16-byte tag. `associated` (e.g.
  // "acme/api/DB_PASSWORD") is authenticated, not stored: unseal needs the same.
  std::string seal(std::string_view plaintext, std::string_view associated) const;
  // The plaintext, or an error (never partial plaintext) for a wrong key, other associated
  // data, a truncated or tampered value or an unknown version.
  util::Expected<std::string> unseal(std::string_view sealed, std::string_view associated) const;

 private:
  explicit SecretBox(const std::array<unsigned char, 32>& key) : m_key(key) {}
  std::array<unsigned char, 32> m_key{};
};

}  // namespace pipewright::server
