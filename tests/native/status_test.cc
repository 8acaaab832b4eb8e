// status_test.cc: every code has its own frozen snake_case name, and statuses print as "name: message".
#include "status.h"

#include <gtest/gtest.h>

#include <set>

namespace keryx {
namespace {

TEST(Status, EveryCodeHasADistinctSnakeCaseName) {
  std::set<std::string> names;
  for (int i = 0; i <= static_cast<int>(Code::kRefreshTooEarly); ++i) {
    std::string name(code_name(static_cast<Code>(i)));
    EXPECT_TRUE(names.insert(name).second) << "duplicate name " << name;
    for (char c : name) EXPECT_TRUE((c >= 'a' && c <= 'z') || c == '_') << name;
    if (i != static_cast<int>(Code::kInternal)) EXPECT_NE(name, "internal") << "code " << i << " has no name";
  }
  EXPECT_EQ(code_name(Code::kOk), "ok");
  EXPECT_EQ(code_name(Code::kPrerequisiteMissing), "prerequisite_missing");
  EXPECT_EQ(code_name(static_cast<Code>(9999)), "internal");
}

TEST(Status, ToStringAndResult) {
  Status s(Code::kStateMismatch, "not this flow");
  EXPECT_EQ(s.to_string(), "state_mismatch: not this flow");
  EXPECT_EQ(Status(Code::kTimeout, "").to_string(), "timeout");
  EXPECT_TRUE(Status::Ok().ok());
  Result<int> r(Code::kNotFound, "none");
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kNotFound);
  Result<int> v(3);
  EXPECT_TRUE(v.ok());
  EXPECT_TRUE(v.status().ok());
}

}  // namespace
}  // namespace keryx
