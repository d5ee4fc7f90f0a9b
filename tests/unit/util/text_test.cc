#include <gtest/gtest.h>

#include "pipewright/util/sha256.h"
#include "pipewright/util/suggest.h"
#include "pipewright/util/utf8.h"

namespace pipewright::util {
namespace {

TEST(Suggest, EditDistanceCountsTranspositionsOnce) {
  EXPECT_EQ(edit_distance("runs-on", "runs-on"), 0u);
  EXPECT_EQ(edit_distance("runs_on", "runs-on"), 1u);
  EXPECT_EQ(edit_distance("nedes", "needs"), 1u);
  EXPECT_EQ(edit_distance("", "abc"), 3u);
  EXPECT_EQ(edit_distance("STEPS", "steps"), 0u);
}

TEST(Suggest, ClosestMatchOnlyForPlausibleTypos) {
  std::string_view keys[] = {"runs-on", "needs", "steps", "timeout-minutes"};
  EXPECT_EQ(closest_match("runs_on", keys), "runs-on");
  EXPECT_EQ(closest_match("timeout-minute", keys), "timeout-minutes");
  EXPECT_EQ(closest_match("container", keys), "");
}

TEST(Utf8, AcceptsValidText) {
  EXPECT_EQ(find_invalid_utf8("plain ascii"), std::nullopt);
  EXPECT_EQ(find_invalid_utf8("h\xC3\xA9llo \xF0\x9F\x9A\x80"), std::nullopt);
}

TEST(Utf8, FindsTheFirstBadByte) {
  EXPECT_EQ(find_invalid_utf8("ab\xFF"), 2u);
  EXPECT_EQ(find_invalid_utf8("a\xC0\xAF"), 1u);         // overlong
  EXPECT_EQ(find_invalid_utf8("a\xED\xA0\x80"), 1u);     // surrogate
  EXPECT_EQ(find_invalid_utf8("\xE2\x82"), 0u);          // truncated
  EXPECT_EQ(find_invalid_utf8("\xF4\x90\x80\x80"), 0u);  // above U+10FFFF
}

TEST(Utf8, RepairReplacesEachBadByteWithTheReplacementCharacter) {
  const std::string fffd = "\xEF\xBF\xBD";
  EXPECT_EQ(to_valid_utf8("h\xC3\xA9llo"), "h\xC3\xA9llo");                 // valid text is kept
  EXPECT_EQ(to_valid_utf8("a\xC0\x80z"), "a" + fffd + fffd + "z");          // overlong NUL
  EXPECT_EQ(to_valid_utf8("\xF4\x90\x80\x80"), fffd + fffd + fffd + fffd);  // > U+10FFFF
  EXPECT_EQ(to_valid_utf8("\xED\xA0\x80"), fffd + fffd + fffd);             // surrogate
  EXPECT_EQ(to_valid_utf8("\xE2\x82"), fffd + fffd);                        // truncated
  EXPECT_EQ(to_valid_utf8("\xE2\x82\xAC\xFF"), "\xE2\x82\xAC" + fffd);      // after a valid one
  for (std::string_view bad : {"\xC0\x80", "\xF4\x90\x80\x80", "\xFF\xFE", "\x80", "\xF0\x9F"})
    EXPECT_EQ(find_invalid_utf8(to_valid_utf8(bad)), std::nullopt);
}

TEST(Sha256, KnownDigests) {
  EXPECT_EQ(to_hex(sha256("")), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(to_hex(sha256("abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  Sha256 incremental;
  incremental.update("a");
  incremental.update("bc");
  EXPECT_EQ(incremental.finish(), sha256("abc"));
}

}  // namespace
}  // namespace pipewright::util
