#include "pipewright/server/secret_box.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <stdexcept>

#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <sys/stat.h>
#include <unistd.h>

namespace pipewright::server {

namespace {

using Key = std::array<unsigned char, 32>;

constexpr unsigned char k_version = 1;
constexpr size_t k_nonce_size = 12;
constexpr size_t k_tag_size = 16;
constexpr const char* k_env = "PIPEWRIGHT_SECRET_KEY";
constexpr const char* k_key_file = "secret.key";

struct CipherCtx {
  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  ~CipherCtx() { EVP_CIPHER_CTX_free(ctx); }
};

std::string errno_text() {
  return std::strerror(errno);
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// 64 hex characters or the base64 of 32 bytes; the error never quotes the value.
util::Expected<Key> key_from_env(std::string_view text) {
  Key key{};
  if (text.size() == 64) {
    bool ok = true;
    for (size_t i = 0; i < 32 && ok; ++i) {
      int hi = hex_digit(text[2 * i]), lo = hex_digit(text[2 * i + 1]);
      ok = hi >= 0 && lo >= 0;
      key[i] = static_cast<unsigned char>(hi * 16 + lo);
    }
    if (ok) return key;
  }
  if (text.size() == 44 && text.ends_with('=') && !text.ends_with("==")) {
    unsigned char out[33];  // EVP_DecodeBlock writes 3 bytes per 4, padding included
    int n = EVP_DecodeBlock(out, reinterpret_cast<const unsigned char*>(text.data()),
                            static_cast<int>(text.size()));
    if (n == 33) {
      std::memcpy(key.data(), out, 32);
      OPENSSL_cleanse(out, sizeof out);
      return key;
    }
    OPENSSL_cleanse(out, sizeof out);
  }
  return util::fail(std::string(k_env) + " is not a 256-bit key", {},
                    "give 64 hex characters or the base64 of 32 bytes, e.g. from "
                    "`openssl rand -hex 32`");
}

util::Expected<Key> read_key_file(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return util::fail("cannot open the secret key " + path + ": " + errno_text());
  std::unique_ptr<int, void (*)(int*)> guard(&fd, [](int* f) { ::close(*f); });
  struct stat st {};
  if (::fstat(fd, &st) != 0) return util::fail("cannot stat " + path + ": " + errno_text());
  if (!S_ISREG(st.st_mode)) return util::fail("the secret key " + path + " is not a regular file");
  if ((st.st_mode & 077) != 0)
    return util::fail("the secret key " + path + " is accessible by group or others", {},
                      "run `chmod 600 " + path + "` (and check who read it)");
  if (st.st_uid != ::geteuid())
    return util::fail("the secret key " + path + " belongs to another user");
  if (st.st_size != 32)
    return util::fail(
        "the secret key " + path + " has " + std::to_string(st.st_size) + " bytes, not 32", {},
        "restore the original key file; secrets sealed with it cannot be "
        "read with another");
  Key key{};
  size_t got = 0;
  while (got < key.size()) {
    ssize_t n = ::read(fd, key.data() + got, key.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return util::fail("cannot read the secret key " + path);
    got += static_cast<size_t>(n);
  }
  return key;
}

// Creates the key file with O_EXCL (two servers starting at once: one creates, the other
// reads), written and fsync'd before it is renamed into place so no reader sees it short.
util::Expected<Key> create_key_file(const std::string& data_dir, const std::string& path) {
  Key key{};
  if (RAND_bytes(key.data(), static_cast<int>(key.size())) != 1)
    return util::fail("OpenSSL could not generate a secret key");
  std::string tmp = path + ".new." + std::to_string(::getpid());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) return util::fail("cannot create the secret key " + tmp + ": " + errno_text());
  bool ok =
      ::fchmod(fd, 0600) == 0 && ::write(fd, key.data(), key.size()) == 32 && ::fsync(fd) == 0;
  ::close(fd);
  // link() fails with EEXIST when another process created the key first: use theirs.
  if (ok && ::link(tmp.c_str(), path.c_str()) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    if (err == EEXIST) return read_key_file(path);
    return util::fail("cannot create the secret key " + path + ": " + std::strerror(err));
  }
  ::unlink(tmp.c_str());
  if (!ok) return util::fail("cannot write the secret key " + tmp + ": " + errno_text());
  if (int dir = ::open(data_dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC); dir >= 0) {
    ::fsync(dir);
    ::close(dir);
  }
  return key;
}

}  // namespace

util::Expected<SecretBox> SecretBox::open(const std::string& data_dir) {
  if (const char* env = std::getenv(k_env); env && *env) {
    PW_TRY(key, key_from_env(env));
    SecretBox box(key);
    OPENSSL_cleanse(key.data(), key.size());
    return box;
  }
  std::string path = (std::filesystem::path(data_dir) / k_key_file).string();
  struct stat st {};
  util::Expected<Key> key = ::lstat(path.c_str(), &st) == 0 || errno != ENOENT
                                ? read_key_file(path)
                                : create_key_file(data_dir, path);
  if (!key) return std::unexpected(key.error());
  SecretBox box(*key);
  OPENSSL_cleanse(key->data(), key->size());
  return box;
}

util::Expected<SecretBox> SecretBox::from_key(std::string_view key) {
  if (key.size() != 32)
    return util::fail("a secret key has 32 bytes, not " + std::to_string(key.size()));
  Key k{};
  std::memcpy(k.data(), key.data(), k.size());
  SecretBox box(k);
  OPENSSL_cleanse(k.data(), k.size());
  return box;
}

SecretBox::~SecretBox() {
  OPENSSL_cleanse(m_key.data(), m_key.size());
}

std::string SecretBox::seal(std::string_view plaintext, std::string_view associated) const {
  std::string out(1 + k_nonce_size + plaintext.size() + k_tag_size, '\0');
  auto* bytes = reinterpret_cast<unsigned char*>(out.data());
  bytes[0] = k_version;
  unsigned char* nonce = bytes + 1;
  unsigned char* cipher = nonce + k_nonce_size;
  if (RAND_bytes(nonce, k_nonce_size) != 1)
    throw std::runtime_error("OpenSSL: no random bytes for a nonce");
  CipherCtx c;
  int len = 0;
  bool ok =
      c.ctx && EVP_EncryptInit_ex(c.ctx, EVP_aes_256_gcm(), nullptr, nullptr, nullptr) == 1 &&
      EVP_CIPHER_CTX_ctrl(c.ctx, EVP_CTRL_GCM_SET_IVLEN, k_nonce_size, nullptr) == 1 &&
      EVP_EncryptInit_ex(c.ctx, nullptr, nullptr, m_key.data(), nonce) == 1 &&
      EVP_EncryptUpdate(c.ctx, nullptr, &len,
                        reinterpret_cast<const unsigned char*>(associated.data()),
                        static_cast<int>(associated.size())) == 1 &&
      EVP_EncryptUpdate(c.ctx, cipher, &len,
                        reinterpret_cast<const unsigned char*>(plaintext.data()),
                        static_cast<int>(plaintext.size())) == 1 &&
      EVP_EncryptFinal_ex(c.ctx, cipher + len, &len) == 1 &&
      EVP_CIPHER_CTX_ctrl(c.ctx, EVP_CTRL_GCM_GET_TAG, k_tag_size, cipher + plaintext.size()) == 1;
  // A failure here is OpenSSL itself failing, not input: never hand out a partial value.
  if (!ok) throw std::runtime_error("OpenSSL: AES-256-GCM encryption failed");
  return out;
}

util::Expected<std::string> SecretBox::unseal(std::string_view sealed,
                                              std::string_view associated) const {
  if (sealed.size() < 1 + k_nonce_size + k_tag_size)
    return util::fail("the sealed secret is truncated");
  auto* bytes = reinterpret_cast<const unsigned char*>(sealed.data());
  if (bytes[0] != k_version)
    return util::fail("the sealed secret has unknown format version " + std::to_string(bytes[0]));
  const unsigned char* nonce = bytes + 1;
  const unsigned char* cipher = nonce + k_nonce_size;
  size_t cipher_size = sealed.size() - 1 - k_nonce_size - k_tag_size;
  std::string plain(cipher_size, '\0');
  std::array<unsigned char, k_tag_size> tag{};
  std::memcpy(tag.data(), cipher + cipher_size, k_tag_size);
  CipherCtx c;
  int len = 0;
  auto* out = reinterpret_cast<unsigned char*>(plain.data());
  bool ok = c.ctx && EVP_DecryptInit_ex(c.ctx, EVP_aes_256_gcm(), nullptr, nullptr, nullptr) == 1 &&
            EVP_CIPHER_CTX_ctrl(c.ctx, EVP_CTRL_GCM_SET_IVLEN, k_nonce_size, nullptr) == 1 &&
            EVP_DecryptInit_ex(c.ctx, nullptr, nullptr, m_key.data(), nonce) == 1 &&
            EVP_DecryptUpdate(c.ctx, nullptr, &len,
                              reinterpret_cast<const unsigned char*>(associated.data()),
                              static_cast<int>(associated.size())) == 1 &&
            EVP_DecryptUpdate(c.ctx, out, &len, cipher, static_cast<int>(cipher_size)) == 1 &&
            EVP_CIPHER_CTX_ctrl(c.ctx, EVP_CTRL_GCM_SET_TAG, k_tag_size, tag.data()) == 1 &&
            EVP_DecryptFinal_ex(c.ctx, out + len, &len) == 1;
  if (!ok) {
    OPENSSL_cleanse(plain.data(), plain.size());
    return util::fail(
        "the sealed secret does not authenticate (another key, another secret's "
        "value, or tampered)",
        {},
        "check PIPEWRIGHT_SECRET_KEY / <data dir>/secret.key is the key the "
        "secret was stored with, or set the secret again");
  }
  return plain;
}

}  // namespace pipewright::server
