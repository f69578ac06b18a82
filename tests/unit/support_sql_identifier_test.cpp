// support/sql: how every SQL sink, hook and state store quotes a name.
#include <gtest/gtest.h>

#include <sql/sql_identifier.h>

namespace {

using ferry::support::quote_identifier;

TEST(SupportSqlIdentifier, TheQuoteCharacterInsideANameIsDoubled) {
  EXPECT_EQ(quote_identifier("orders", '"'), "\"orders\"");
  EXPECT_EQ(quote_identifier("a\"b", '"'), "\"a\"\"b\"");
  EXPECT_EQ(quote_identifier("x\"; DROP TABLE t; --", '"'), "\"x\"\"; DROP TABLE t; --\"");
  EXPECT_EQ(quote_identifier("a`b", '`'), "`a``b`");
  // The other dialect's quote is an ordinary character.
  EXPECT_EQ(quote_identifier("a`b", '"'), "\"a`b\"");
  EXPECT_EQ(quote_identifier("", '"'), "\"\"");
  EXPECT_EQ(quote_identifier(std::string_view("a\0b", 3), '"'), std::string("\"a\0b\"", 5));
}

}  // namespace
