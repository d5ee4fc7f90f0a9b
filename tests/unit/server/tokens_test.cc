#include "pipewright/server/tokens.h"

#include <set>

#include <gtest/gtest.h>

namespace pipewright::server {
namespace {

TEST(TokensTest, RolesParseAndPrintByName) {
  EXPECT_EQ(parse_role("viewer"), Role::viewer);
  EXPECT_EQ(parse_role("maintainer"), Role::maintainer);
  EXPECT_EQ(parse_role("admin"), Role::admin);
  EXPECT_EQ(parse_role("Admin"), std::nullopt);
  EXPECT_EQ(parse_role("root"), std::nullopt);
  EXPECT_EQ(parse_role(""), std::nullopt);
  for (Role r : {Role::viewer, Role::maintainer, Role::admin})
    EXPECT_EQ(parse_role(to_string(r)), r);
}

TEST(TokensTest, EachRoleAllowsWhatTheLowerOnesDo) {
  EXPECT_TRUE(allows(Role::viewer, Role::viewer));
  EXPECT_FALSE(allows(Role::viewer, Role::maintainer));
  EXPECT_FALSE(allows(Role::viewer, Role::admin));
  EXPECT_TRUE(allows(Role::maintainer, Role::viewer));
  EXPECT_TRUE(allows(Role::maintainer, Role::maintainer));
  EXPECT_FALSE(allows(Role::maintainer, Role::admin));
  EXPECT_TRUE(allows(Role::admin, Role::viewer));
  EXPECT_TRUE(allows(Role::admin, Role::maintainer));
  EXPECT_TRUE(allows(Role::admin, Role::admin));
}

TEST(TokensTest, NewTokensHaveTheDocumentedShapeAndDiffer) {
  std::set<std::string> seen;
  std::set<char> characters;
  for (int i = 0; i < 200; ++i) {
    std::string token = new_token();
    ASSERT_EQ(token.size(), 43u) << token;
    ASSERT_TRUE(token.starts_with("pw_")) << token;
    ASSERT_TRUE(looks_like_token(token)) << token;
    characters.insert(token.begin() + 3, token.end());
    seen.insert(token);
  }
  EXPECT_EQ(seen.size(), 200u);
  // 8000 random characters cover the whole 62-character alphabet.
  EXPECT_EQ(characters.size(), 62u);
}

TEST(TokensTest, LooksLikeTokenRejectsOtherShapes) {
  std::string good = "pw_" + std::string(40, 'a');
  EXPECT_TRUE(looks_like_token(good));
  EXPECT_FALSE(looks_like_token("pw_" + std::string(39, 'a')));
  EXPECT_FALSE(looks_like_token("pw_" + std::string(41, 'a')));
  EXPECT_FALSE(looks_like_token("px_" + std::string(40, 'a')));
  EXPECT_FALSE(looks_like_token("pw_" + std::string(39, 'a') + "-"));
  EXPECT_FALSE(looks_like_token(""));
}

TEST(TokensTest, HashIsSha256HexAndDependsOnEveryByte) {
  // SHA-256("abc"), FIPS 180-2 test vector.
  EXPECT_EQ(token_hash("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  std::string token = new_token();
  std::string other = token;
  other.back() = other.back() == 'a' ? 'b' : 'a';
  EXPECT_EQ(token_hash(token), token_hash(token));
  EXPECT_NE(token_hash(token), token_hash(other));
  EXPECT_EQ(token_hash(token).find(token.substr(3)), std::string::npos);
}

}  // namespace
}  // namespace pipewright::server
