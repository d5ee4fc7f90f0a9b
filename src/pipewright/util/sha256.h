// SHA-256 (OpenSSL), incremental and one-shot.
#pragma once

#include <array>
#include <memory>
#include <string>
#include <string_view>

namespace pipewright::util {

using Sha256Digest = std::array<unsigned char, 32>;

class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(Sha256&&) noexcept;
  Sha256& operator=(Sha256&&) noexcept;

  void update(std::string_view bytes);
  void update(const Sha256Digest& digest);
  Sha256Digest finish();

 private:
  struct State;
  std::unique_ptr<State> m_state;
};

Sha256Digest sha256(std::string_view bytes);
std::string to_hex(const Sha256Digest& digest);

}  // namespace pipewright::util
