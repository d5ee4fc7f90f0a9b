#include "pipewright/util/sha256.h"

#include <stdexcept>

#include <openssl/evp.h>

namespace pipewright::util {

struct Sha256::State {
  EVP_MD_CTX* ctx = nullptr;
  ~State() { EVP_MD_CTX_free(ctx); }
};

Sha256::Sha256() : m_state(std::make_unique<State>()) {
  m_state->ctx = EVP_MD_CTX_new();
  if (!m_state->ctx || EVP_DigestInit_ex(m_state->ctx, EVP_sha256(), nullptr) != 1)
    throw std::runtime_error("OpenSSL: cannot initialise SHA-256");
}
Sha256::~Sha256() = default;
Sha256::Sha256(Sha256&&) noexcept = default;
Sha256& Sha256::operator=(Sha256&&) noexcept = default;

void Sha256::update(std::string_view bytes) {
  EVP_DigestUpdate(m_state->ctx, bytes.data(), bytes.size());
}

void Sha256::update(const Sha256Digest& digest) {
  EVP_DigestUpdate(m_state->ctx, digest.data(), digest.size());
}

Sha256Digest Sha256::finish() {
  Sha256Digest out{};
  unsigned int len = 0;
  EVP_DigestFinal_ex(m_state->ctx, out.data(), &len);
  return out;
}

Sha256Digest sha256(std::string_view bytes) {
  Sha256 h;
  h.update(bytes);
  return h.finish();
}

std::string to_hex(const Sha256Digest& digest) {
  static constexpr char k_digits[] = "0123456789abcdef";
  std::string out;
  out.reserve(64);
  for (unsigned char b : digest) {
    out += k_digits[b >> 4];
    out += k_digits[b & 15];
  }
  return out;
}

}  // namespace pipewright::util
