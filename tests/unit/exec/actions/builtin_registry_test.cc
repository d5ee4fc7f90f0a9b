#include <gtest/gtest.h>

#include "pipewright/exec/actions/builtin.h"

#include "unit/exec/actions/builtin_call.h"

namespace pipewright::exec::actions {
namespace {

const BuiltinAction* lookup(const std::string& uses, const ActionSettings& settings = {}) {
  auto ref = parse_action_ref(uses);
  EXPECT_TRUE(ref.has_value()) << uses;
  return ref ? find_builtin(*ref, settings) : nullptr;
}

TEST(BuiltinRegistry, FindsByNameWhateverTheRefAndCase) {
  const BuiltinAction* a = lookup("actions/checkout@v4");
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->name(), "actions/checkout");
  EXPECT_EQ(lookup("Actions/Checkout@main"), a);
  EXPECT_EQ(lookup("actions/checkout@" + std::string(40, 'b')), a);
}

TEST(BuiltinRegistry, UnknownActionsAndLocalRefsAreNotBuiltins) {
  EXPECT_EQ(lookup("actions/checkoutx@v4"), nullptr);
  EXPECT_EQ(lookup("octo/checkout@v4"), nullptr);
  EXPECT_EQ(lookup("actions/checkout/sub@v4"), nullptr);
  EXPECT_EQ(lookup("./actions/checkout"), nullptr);
}

TEST(BuiltinRegistry, NoBuiltinsExcludesAllOrListed) {
  ActionSettings none;
  none.builtins = false;
  EXPECT_EQ(lookup("actions/checkout@v4", none), nullptr);
  ActionSettings listed;
  listed.no_builtins = {"Actions/Checkout@v3"};
  EXPECT_EQ(lookup("actions/checkout@v4", listed), nullptr);
  listed.no_builtins = {"actions/check"};
  EXPECT_NE(lookup("actions/checkout@v4", listed), nullptr);
}

TEST(BuiltinRegistry, InputNamesAreCaseInsensitiveWithFallback) {
  BuiltinCall call;
  call.inputs = {{"Fetch-Depth", "0"}, {"path", ""}};
  EXPECT_EQ(call.input("fetch-depth"), "0");
  EXPECT_EQ(call.input("path", "x"), "");  // given, even empty
  EXPECT_EQ(call.input("ref", "main"), "main");
}

TEST(BuiltinRegistry, DefaultPostSucceedsWithNothing) {
  const BuiltinAction* a = lookup("actions/checkout@v4");
  ASSERT_NE(a, nullptr);
  BuiltinResult r = a->post(BuiltinCall{});
  EXPECT_EQ(r.outcome, Result::success);
  EXPECT_TRUE(r.outputs.empty());
}

}  // namespace
}  // namespace pipewright::exec::actions
