// The byte encodings every part of Ferry shares (support/codec).
#include <gtest/gtest.h>
#include <zlib.h>

#include <string>

#include "codec/base64.h"
#include "codec/gzip.h"
#include "codec/hex.h"
#include "codec/percent.h"

namespace ferry::support {
namespace {

TEST(Base64, EncodesTheRfc4648Examples) {
  EXPECT_EQ(base64_encode(""), "");
  EXPECT_EQ(base64_encode("f"), "Zg==");
  EXPECT_EQ(base64_encode("fo"), "Zm8=");
  EXPECT_EQ(base64_encode("foo"), "Zm9v");
  EXPECT_EQ(base64_encode("foob"), "Zm9vYg==");
  EXPECT_EQ(base64_encode("fooba"), "Zm9vYmE=");
  EXPECT_EQ(base64_encode("foobar"), "Zm9vYmFy");
  std::string out = "x=";
  append_base64(out, std::string("\xff\xfe\0", 3));
  EXPECT_EQ(out, "x=//4A");
}

TEST(Base64, EveryByteValueComesBack) {
  std::string all;
  for (int i = 0; i < 256; ++i) all += static_cast<char>(i);
  for (size_t n = 0; n <= all.size(); n += 37) {
    const std::string part = all.substr(0, n);
    EXPECT_EQ(base64_decode(base64_encode(part)), part) << n << " bytes";
  }
}

TEST(Base64, ADamagedValueIsRefusedNotGuessed) {
  EXPECT_EQ(base64_decode("Zm9"), std::nullopt);     // length not a multiple of 4
  EXPECT_EQ(base64_decode("Zm9v!mFy"), std::nullopt);  // outside the alphabet
  EXPECT_EQ(base64_decode("Zg==Zm9v"), std::nullopt);  // padding in the middle
  EXPECT_EQ(base64_decode("Z==="), std::nullopt);
  EXPECT_EQ(base64_decode("Zm 9v"), std::nullopt);
  EXPECT_EQ(base64_decode("QR=="), std::nullopt);  // bits past the byte are not zero
  EXPECT_EQ(base64_decode("Zm9="), std::nullopt);
  EXPECT_EQ(base64_decode("QQ=="), "A");
  EXPECT_EQ(base64_decode("Zm8="), "fo");
  EXPECT_EQ(base64_decode("Zm9vYg=="), "foob");
}

std::string gunzip(const std::string& packed) {
  z_stream z{};
  EXPECT_EQ(inflateInit2(&z, 15 + 16), Z_OK);
  std::string out(1 << 20, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(packed.data()));
  z.avail_in = static_cast<uInt>(packed.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(inflate(&z, Z_FINISH), Z_STREAM_END);
  out.resize(z.total_out);
  inflateEnd(&z);
  return out;
}

TEST(Hex, EveryByteValueComesBack) {
  std::string all;
  for (int c = 0; c < 256; ++c) all += static_cast<char>(c);
  const std::string text = hex_encode(all);
  ASSERT_EQ(text.size(), 512u);
  EXPECT_EQ(text.substr(0, 6), "000102");
  EXPECT_EQ(text.substr(506), "fdfeff");
  EXPECT_EQ(hex_decode(text), all);
  EXPECT_EQ(hex_decode("DEADbeef"), std::string("\xde\xad\xbe\xef"));
  std::string prefixed = "\\x";
  append_hex(prefixed, "\x01z");
  EXPECT_EQ(prefixed, "\\x017a");
}

TEST(Hex, ADamagedValueIsRefusedNotGuessed) {
  EXPECT_EQ(hex_decode(""), std::string());
  EXPECT_EQ(hex_decode("abc"), std::nullopt);  // odd length
  EXPECT_EQ(hex_decode("0g"), std::nullopt);
  EXPECT_EQ(hex_decode("zz"), std::nullopt);
  EXPECT_EQ(hex_decode("0 "), std::nullopt);
}

TEST(Percent, EveryByteValueComesBack) {
  std::string all;
  for (int c = 0; c < 256; ++c) all += static_cast<char>(c);
  const std::string text = percent_encode(all);
  EXPECT_EQ(text.substr(0, 6), "%00%01");
  EXPECT_NE(text.find("%2C-.%2F0123456789%3A"), std::string::npos) << text;  // unreserved stay
  EXPECT_EQ(percent_decode(text), all);
  EXPECT_EQ(percent_encode("a/b c", true), "a/b%20c");
  EXPECT_EQ(percent_encode("a/b c"), "a%2Fb%20c");
  EXPECT_EQ(percent_decode("p%40ss%2fword"), "p@ss/word");  // either case
}

TEST(Percent, ADamagedValueIsRefusedNotGuessed) {
  EXPECT_EQ(percent_decode(""), std::string());
  for (const char* bad : {"%", "%4", "a%zz", "%4g", "%%41", "x% 1"})
    EXPECT_EQ(percent_decode(bad), std::nullopt) << bad;
}

TEST(Gzip, WritesAGzipMemberThatInflatesBack) {
  std::string data;
  for (int i = 0; i < 20000; ++i) data += "{\"id\":" + std::to_string(i) + "}\n";
  for (int level : {1, kGzipDefaultLevel, 9}) {
    const std::string packed = gzip(data, level, "test");
    ASSERT_GE(packed.size(), 10u);
    EXPECT_EQ(static_cast<unsigned char>(packed[0]), 0x1f);
    EXPECT_EQ(static_cast<unsigned char>(packed[1]), 0x8b);
    EXPECT_LT(packed.size(), data.size() / 3);
    EXPECT_EQ(gunzip(packed), data);
  }
  EXPECT_EQ(gunzip(gzip("", 1, "test")), "");
}

// S3 names objects after their batch: a replayed batch must write the very
// same bytes over its object.
TEST(Gzip, TheSameInputGivesTheSameBytes) {
  const std::string data(100000, 'a');
  EXPECT_EQ(gzip(data, kGzipDefaultLevel, "test"), gzip(data, kGzipDefaultLevel, "test"));
  const std::string packed = gzip(data, kGzipDefaultLevel, "test");
  EXPECT_EQ(packed.substr(4, 4), std::string(4, '\0')) << "mtime must be 0";
}

}  // namespace
}  // namespace ferry::support
