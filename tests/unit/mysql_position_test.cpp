// The mysql source's position, its keyset cursor: every value comes back as
// stored, so a resumed read starts right after the last row handed over.
#include <gtest/gtest.h>

#include "plugins/mysql/position.cpp"

namespace ferry_mysql {
namespace {

// A double key one step off would repeat or skip the rows at the boundary;
// Boost.JSON alone read 12.100000000000001 back as 12.1.
TEST(MysqlPosition, ADoubleCursorValueComesBackAsStored) {
  for (const double d : {12.100000000000001, -3830363517.9613123, 4.1529651721169854e+66, 0.1, -0.0}) {
    CursorValue v;
    v.kind = CursorValue::Kind::kDouble;
    v.d = d;
    CursorValue id;
    id.kind = CursorValue::Kind::kInt;
    id.i = 7;
    const std::string text = encode_position({v, id});
    const auto back = decode_position(text);
    ASSERT_TRUE(back) << text;
    ASSERT_EQ(back->size(), 2u);
    EXPECT_EQ((*back)[0].kind, CursorValue::Kind::kDouble);
    EXPECT_EQ((*back)[0].d, d) << text;
    EXPECT_EQ(std::signbit((*back)[0].d), std::signbit(d)) << text;
    EXPECT_EQ((*back)[1].i, 7);
  }
}

}  // namespace
}  // namespace ferry_mysql
