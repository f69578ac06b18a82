// The SDK's header-only text helpers that bundled and third-party plugins
// share: UTF-8 validation and the names of value types.
#include <gtest/gtest.h>

#include <ferry/json_text.hpp>
#include <ferry/plugin.hpp>
#include <string>

namespace {

TEST(SdkText, WellFormedUtf8IsAccepted) {
  EXPECT_TRUE(ferry::is_valid_utf8(""));
  EXPECT_TRUE(ferry::is_valid_utf8("plain ASCII, longer than eight bytes"));
  EXPECT_TRUE(ferry::is_valid_utf8("caf\xc3\xa9"));
  EXPECT_TRUE(ferry::is_valid_utf8("\xe2\x82\xac and \xf0\x9f\x98\x80"));  // euro sign, emoji
  EXPECT_TRUE(ferry::is_valid_utf8("\xf4\x8f\xbf\xbf"));                   // U+10FFFF
}

TEST(SdkText, MalformedUtf8IsRefusedWhereverItStands) {
  for (const char* bad : {"\xc0\xaf",           // overlong '/'
                          "\xe0\x80\xaf",       // overlong
                          "\xed\xa0\x80",       // UTF-16 surrogate
                          "\xf4\x90\x80\x80",   // above U+10FFFF
                          "\xc3",               // cut short
                          "\x80",               // a lone continuation byte
                          "\xff"}) {
    EXPECT_FALSE(ferry::is_valid_utf8(bad)) << "alone";
    // Behind eight ASCII bytes the fast path must still find it.
    EXPECT_FALSE(ferry::is_valid_utf8(std::string("12345678") + bad)) << "after ASCII";
    EXPECT_FALSE(ferry::is_valid_utf8(std::string("12345678") + bad + "12345678")) << "inside ASCII";
  }
}

// The host's DLQ, logs and metrics and the bundled hooks name a status
// class with these words; a hook table keyed by them must agree with the DLQ.
TEST(SdkText, StatusNamesAreThoseOfTheDlq) {
  EXPECT_STREQ(ferry::status_name(FERRY_OK), "ok");
  EXPECT_STREQ(ferry::status_name(FERRY_END_OF_STREAM), "end_of_stream");
  EXPECT_STREQ(ferry::status_name(FERRY_RETRY), "retry");
  EXPECT_STREQ(ferry::status_name(FERRY_INVALID_DATA), "invalid_data");
  EXPECT_STREQ(ferry::status_name(FERRY_NOT_IMPLEMENTED), "not_implemented");
  EXPECT_STREQ(ferry::status_name(FERRY_STOP), "stop");
  EXPECT_STREQ(ferry::status_name(FERRY_ERROR_CONFIG), "config_error");
  EXPECT_STREQ(ferry::status_name(FERRY_ERROR_IO), "io_error");
  EXPECT_STREQ(ferry::status_name(FERRY_ERROR_AUTH), "auth_error");
  EXPECT_STREQ(ferry::status_name(FERRY_ERROR_INTERNAL), "internal_error");
  EXPECT_STREQ(ferry::status_name(FERRY_ERROR_CANCELLED), "cancelled");
  EXPECT_EQ(ferry::status_name(static_cast<FerryStatus>(42)), nullptr);
}

TEST(SdkText, TypeNamesAreThoseOfPipelineFilesAndDlqRecords) {
  EXPECT_STREQ(ferry::type_name(FERRY_TYPE_NULL), "null");
  EXPECT_STREQ(ferry::type_name(FERRY_TYPE_BOOL), "bool");
  EXPECT_STREQ(ferry::type_name(FERRY_TYPE_INT64), "int64");
  EXPECT_STREQ(ferry::type_name(FERRY_TYPE_DOUBLE), "double");
  EXPECT_STREQ(ferry::type_name(FERRY_TYPE_STRING), "string");
  EXPECT_STREQ(ferry::type_name(FERRY_TYPE_BYTES), "bytes");
  EXPECT_STREQ(ferry::type_name(FERRY_TYPE_TIMESTAMP), "timestamp");
  EXPECT_STREQ(ferry::type_name(FERRY_TYPE_JSON), "json");
  EXPECT_STREQ(ferry::type_name(FERRY_TYPE_DECIMAL), "decimal");
  EXPECT_STREQ(ferry::type_name(static_cast<FerryType>(99)), "unknown");
}

}  // namespace
