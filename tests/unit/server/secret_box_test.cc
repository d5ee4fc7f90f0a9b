#include "pipewright/server/secret_box.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "unit/temp_dir.h"

namespace pipewright::server {
namespace {

namespace fs = std::filesystem;

// Each test controls PIPEWRIGHT_SECRET_KEY and restores its absence afterwards.
class SecretBoxTest : public test_support::TempDirTest {
 protected:
  void SetUp() override {
    TempDirTest::SetUp();
    ::unsetenv("PIPEWRIGHT_SECRET_KEY");
  }
  void TearDown() override {
    ::unsetenv("PIPEWRIGHT_SECRET_KEY");
    TempDirTest::TearDown();
  }
  std::string key_file() const { return path("secret.key"); }
};

TEST_F(SecretBoxTest, RoundTripsAndNeverStoresPlaintext) {
  auto box = SecretBox::open(dir());
  ASSERT_TRUE(box) << box.error().message;
  std::string secret = "hunter2-very-secret-value";
  std::string sealed = box->seal(secret, "acme/api/DB_PASSWORD");
  EXPECT_EQ(sealed.find(secret), std::string::npos);
  EXPECT_EQ(sealed.size(), 1 + 12 + secret.size() + 16);
  EXPECT_EQ(sealed[0], '\x01');
  auto plain = box->unseal(sealed, "acme/api/DB_PASSWORD");
  ASSERT_TRUE(plain) << plain.error().message;
  EXPECT_EQ(*plain, secret);
  // A random nonce per seal: the same value seals differently each time.
  EXPECT_NE(box->seal(secret, "acme/api/DB_PASSWORD"), sealed);
  auto empty = box->unseal(box->seal("", "a/b/C"), "a/b/C");
  ASSERT_TRUE(empty);
  EXPECT_EQ(*empty, "");
}

TEST_F(SecretBoxTest, KeyFileIsCreated0600With32BytesAndReusedOnReopen) {
  auto first = SecretBox::open(dir());
  ASSERT_TRUE(first) << first.error().message;
  struct stat st {};
  ASSERT_EQ(::stat(key_file().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(st.st_size, 32);
  std::string sealed = first->seal("value", "o/r/N");
  auto second = SecretBox::open(dir());
  ASSERT_TRUE(second) << second.error().message;
  auto plain = second->unseal(sealed, "o/r/N");
  ASSERT_TRUE(plain) << plain.error().message;
  EXPECT_EQ(*plain, "value");
  // No temporary file left beside the key.
  EXPECT_EQ(std::distance(fs::directory_iterator(dir()), fs::directory_iterator()), 1);
}

TEST_F(SecretBoxTest, TamperingAnyByteFails) {
  auto box = SecretBox::open(dir());
  ASSERT_TRUE(box);
  std::string sealed = box->seal("s3cr3t", "o/r/N");
  for (size_t i = 0; i < sealed.size(); ++i) {
    std::string bad = sealed;
    bad[i] = static_cast<char>(bad[i] ^ 0x01);
    auto plain = box->unseal(bad, "o/r/N");
    EXPECT_FALSE(plain) << "byte " << i;
  }
  EXPECT_FALSE(box->unseal(sealed.substr(0, sealed.size() - 1), "o/r/N"));
  EXPECT_FALSE(box->unseal(sealed.substr(0, 10), "o/r/N"));
  EXPECT_FALSE(box->unseal("", "o/r/N"));
  EXPECT_FALSE(box->unseal(sealed + "x", "o/r/N"));
}

TEST_F(SecretBoxTest, AValueMovedToAnotherSecretFails) {
  auto box = SecretBox::open(dir());
  ASSERT_TRUE(box);
  std::string sealed = box->seal("s3cr3t", "acme/api/TOKEN");
  auto moved = box->unseal(sealed, "acme/web/TOKEN");
  ASSERT_FALSE(moved);
  EXPECT_NE(moved.error().message.find("does not authenticate"), std::string::npos);
  EXPECT_EQ(moved.error().message.find("s3cr3t"), std::string::npos);
}

TEST_F(SecretBoxTest, AnotherKeyFails) {
  auto a = SecretBox::from_key(std::string(32, 'a'));
  auto b = SecretBox::from_key(std::string(32, 'b'));
  ASSERT_TRUE(a && b);
  auto plain = b->unseal(a->seal("s3cr3t", "o/r/N"), "o/r/N");
  EXPECT_FALSE(plain);
  EXPECT_FALSE(SecretBox::from_key(std::string(31, 'a')));
}

TEST_F(SecretBoxTest, KeyFileReadableByOthersIsRefused) {
  ASSERT_TRUE(SecretBox::open(dir()));
  ASSERT_EQ(::chmod(key_file().c_str(), 0644), 0);
  auto box = SecretBox::open(dir());
  ASSERT_FALSE(box);
  EXPECT_NE(box.error().message.find("accessible by group or others"), std::string::npos);
  EXPECT_NE(box.error().hint.find("chmod 600"), std::string::npos);
  ASSERT_EQ(::chmod(key_file().c_str(), 0640), 0);
  EXPECT_FALSE(SecretBox::open(dir()));
  ASSERT_EQ(::chmod(key_file().c_str(), 0400), 0);
  EXPECT_TRUE(SecretBox::open(dir()));
}

TEST_F(SecretBoxTest, KeyFileOfTheWrongSizeIsRefusedNotReplaced) {
  {
    std::ofstream out(key_file(), std::ios::binary);
    out << std::string(31, 'k');
  }
  ASSERT_EQ(::chmod(key_file().c_str(), 0600), 0);
  auto box = SecretBox::open(dir());
  ASSERT_FALSE(box);
  EXPECT_NE(box.error().message.find("31 bytes, not 32"), std::string::npos);
  EXPECT_EQ(fs::file_size(key_file()), 31u);
}

TEST_F(SecretBoxTest, KeyFileThatIsASymlinkOrDirectoryIsRefused) {
  fs::create_directory(key_file());
  EXPECT_FALSE(SecretBox::open(dir()));
  fs::remove(key_file());
  std::string target = path("elsewhere");
  {
    std::ofstream out(target, std::ios::binary);
    out << std::string(32, 'k');
  }
  ::chmod(target.c_str(), 0600);
  fs::create_symlink(target, key_file());
  EXPECT_FALSE(SecretBox::open(dir()));
}

TEST_F(SecretBoxTest, EnvironmentKeyInHexOrBase64WinsOverTheFile) {
  // 32 bytes 0x00..0x1f in hex and in base64.
  std::string hex = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
  std::string b64 = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
  std::string raw;
  for (int i = 0; i < 32; ++i)
    raw += static_cast<char>(i);
  auto reference = SecretBox::from_key(raw);
  ASSERT_TRUE(reference);
  std::string sealed = reference->seal("from-env", "o/r/N");
  for (const std::string& text : {hex, b64}) {
    ::setenv("PIPEWRIGHT_SECRET_KEY", text.c_str(), 1);
    auto box = SecretBox::open(dir());
    ASSERT_TRUE(box) << box.error().message;
    auto plain = box->unseal(sealed, "o/r/N");
    ASSERT_TRUE(plain) << text;
    EXPECT_EQ(*plain, "from-env");
  }
  EXPECT_FALSE(fs::exists(key_file()));  // the env key is used, no file is made
}

TEST_F(SecretBoxTest, MalformedEnvironmentKeyFailsClosedWithoutQuotingIt) {
  for (const char* bad :
       {"tooshort", "zz0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
        "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHg==",  // 31 bytes
        "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e"}) {
    ::setenv("PIPEWRIGHT_SECRET_KEY", bad, 1);
    auto box = SecretBox::open(dir());
    ASSERT_FALSE(box) << bad;
    EXPECT_EQ(box.error().message.find(bad), std::string::npos);
    EXPECT_NE(box.error().message.find("PIPEWRIGHT_SECRET_KEY"), std::string::npos);
  }
  EXPECT_FALSE(fs::exists(key_file()));  // no fallback to a file key
}

TEST_F(SecretBoxTest, MissingDataDirFails) {
  EXPECT_FALSE(SecretBox::open(path("no/such/dir")));
}

}  // namespace
}  // namespace pipewright::server
