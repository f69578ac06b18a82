// The command line's number checks (cli/number_checks.h), called as CLI11
// calls them: an empty string passes, anything else is the message.
#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>

#include "framework/cli/number_checks.h"

namespace ferry::cli {
namespace {

std::string check(const CLI::Validator& v, std::string text) { return v(text); }

TEST(NumberChecks, ARateIsAnyFiniteNumberZeroOrMore) {
  const CLI::Validator rate = records_per_second();
  for (const char* ok : {"0", "1000", "2.5", "1e-9", "4e-324", "1e300"}) EXPECT_EQ(check(rate, ok), "") << ok;
  for (const char* bad : {"abc", "-5", "nan", "inf", "", " 5", "5x"})
    EXPECT_EQ(check(rate, bad), std::string("must be a number of records per second, 0 or more, got '") + bad + "'")
        << bad;
}

TEST(NumberChecks, AWholeNumberHasDigitsOnlyAndItsRange) {
  const CLI::Validator seconds = whole_number(1, 86400, "a whole number of seconds");
  EXPECT_EQ(check(seconds, "30"), "");
  EXPECT_EQ(check(seconds, "0"), "must be a whole number of seconds, from 1 to 86400, got '0'");
  EXPECT_EQ(check(seconds, "1.5"), "must be a whole number of seconds, from 1 to 86400, got '1.5'");
  const CLI::Validator entries = whole_number(0, std::numeric_limits<int64_t>::max(), "a whole number of entries");
  EXPECT_EQ(check(entries, "0"), "");
  EXPECT_EQ(check(entries, "-1"), "must be a whole number of entries, 0 or more, got '-1'");
  EXPECT_EQ(check(entries, "99999999999999999999"),
            "must be a whole number of entries, 0 or more, got '99999999999999999999'");
}

}  // namespace
}  // namespace ferry::cli
