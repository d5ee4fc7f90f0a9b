#include "pipewright/http/gzip.h"

#include <string>

#include <gtest/gtest.h>

#include "unit/http/gzip_encode.h"

namespace pipewright::http {
namespace {

using testing::gzip_encode;

TEST(GunzipTest, DecodesABody) {
  auto result = gunzip(gzip_encode(R"({"ref":"refs/heads/main"})"), 1024);
  ASSERT_EQ(result.status, GunzipStatus::ok);
  EXPECT_EQ(result.data, R"({"ref":"refs/heads/main"})");
}

TEST(GunzipTest, DecodesConcatenatedMembers) {
  auto result = gunzip(gzip_encode("hello, ") + gzip_encode("world"), 1024);
  ASSERT_EQ(result.status, GunzipStatus::ok);
  EXPECT_EQ(result.data, "hello, world");
}

TEST(GunzipTest, ABodyExactlyAtTheLimitIsAccepted) {
  std::string data(100000, 'x');
  auto result = gunzip(gzip_encode(data), data.size());
  ASSERT_EQ(result.status, GunzipStatus::ok);
  EXPECT_EQ(result.data.size(), data.size());
}

TEST(GunzipTest, ABombStopsAtTheLimit) {
  // 64 MB of zeros compress to about 64 KB; the decoder must stop at 1 MB.
  std::string bomb = gzip_encode(std::string(64 << 20, '\0'));
  ASSERT_LT(bomb.size(), 100u << 10);
  auto result = gunzip(bomb, 1 << 20);
  EXPECT_EQ(result.status, GunzipStatus::too_large);
  EXPECT_TRUE(result.data.empty());
}

TEST(GunzipTest, CorruptOrTruncatedInputIsRefused) {
  std::string good = gzip_encode(std::string(5000, 'a'));
  EXPECT_EQ(gunzip("not gzip at all", 1024).status, GunzipStatus::corrupt);
  EXPECT_EQ(gunzip("", 1024).status, GunzipStatus::corrupt);
  EXPECT_EQ(gunzip(good.substr(0, good.size() / 2), 1 << 20).status, GunzipStatus::corrupt);
  EXPECT_EQ(gunzip(good + "trailing garbage", 1 << 20).status, GunzipStatus::corrupt);
  std::string flipped = good;
  flipped[flipped.size() - 6] ^= 0x55;  // the CRC
  EXPECT_EQ(gunzip(flipped, 1 << 20).status, GunzipStatus::corrupt);
}

}  // namespace
}  // namespace pipewright::http
