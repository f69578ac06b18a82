// What a failed HTTP transfer means for Ferry, decided once for every HTTP
// plugin (support/http/curl_support.h).
#include <gtest/gtest.h>

#include <cstdint>
#include <ctime>
#include <string>

#include "http/curl_support.h"
#include "http/http_exchange.h"

namespace ferry::support::http {
namespace {

TEST(CurlSupport, ATransferWithoutAnAnswerIsClassifiedOnce) {
  EXPECT_EQ(status_of_transport(CURLE_OK), FERRY_OK);
  // Only a configuration change fixes these: retrying them would only delay
  // the error. The webhook hook once retried a refused login.
  for (CURLcode rc : {CURLE_UNSUPPORTED_PROTOCOL, CURLE_URL_MALFORMAT, CURLE_PEER_FAILED_VERIFICATION,
                      CURLE_SSL_CERTPROBLEM, CURLE_SSL_CACERT_BADFILE, CURLE_LOGIN_DENIED})
    EXPECT_EQ(status_of_transport(rc), FERRY_ERROR_CONFIG) << curl_easy_strerror(rc);
  EXPECT_EQ(status_of_transport(CURLE_OUT_OF_MEMORY), FERRY_ERROR_INTERNAL);
  // The server may come back.
  for (CURLcode rc : {CURLE_COULDNT_CONNECT, CURLE_COULDNT_RESOLVE_HOST, CURLE_OPERATION_TIMEDOUT,
                      CURLE_RECV_ERROR, CURLE_SEND_ERROR, CURLE_GOT_NOTHING})
    EXPECT_EQ(status_of_transport(rc), FERRY_RETRY) << curl_easy_strerror(rc);
}

TEST(CurlSupport, AnHttpStatusIsClassifiedOnce) {
  EXPECT_EQ(status_of_http(200), FERRY_OK);
  EXPECT_EQ(status_of_http(204), FERRY_OK);
  // Redirects are not followed: a 3xx (or a stray 1xx) means the configured
  // URL did not take the request, never that it was delivered.
  for (long s : {100L, 199L, 301L, 302L, 307L, 308L}) EXPECT_EQ(status_of_http(s), FERRY_ERROR_CONFIG) << s;
  EXPECT_EQ(status_of_http(401), FERRY_ERROR_AUTH);
  EXPECT_EQ(status_of_http(403), FERRY_ERROR_AUTH);
  for (long s : {408L, 429L, 500L, 502L, 503L, 504L}) EXPECT_EQ(status_of_http(s), FERRY_RETRY) << s;
  for (long s : {400L, 404L, 405L, 413L, 422L}) EXPECT_EQ(status_of_http(s), FERRY_ERROR_CONFIG) << s;
}

TEST(CurlSupport, HeaderValuesAreFoundWhateverTheCase) {
  EXPECT_EQ(header_value("Retry-After: 30\r\n", "retry-after"), "30");
  EXPECT_EQ(header_value("RETRY-AFTER:\t7 \r\n", "retry-after"), "7");
  EXPECT_EQ(header_value("ETag: \"abc\"\r\n", "etag"), "\"abc\"");
  EXPECT_EQ(header_value("Retry-After-Extra: 30\r\n", "retry-after"), std::nullopt);
  EXPECT_EQ(header_value("Retry: 30\r\n", "retry-after"), std::nullopt);
  EXPECT_EQ(header_value("\r\n", "etag"), std::nullopt);
}

TEST(CurlSupport, ARetryAfterHintIsReadAndCapped) {
  EXPECT_EQ(retry_after_ms("", 60000), 0u);
  EXPECT_EQ(retry_after_ms("5", 60000), 5000u);
  EXPECT_EQ(retry_after_ms("120", 60000), 60000u);
  EXPECT_EQ(retry_after_ms("soon", 60000), 0u);
  // Seconds that overflow when multiplied by 1000 still give the cap, not a
  // wrapped-around short wait.
  EXPECT_EQ(retry_after_ms("18446744073709552", 600000), 600000u);  // x1000 wraps to 384
  EXPECT_EQ(retry_after_ms("18446744073709551615", 600000), 600000u);
  EXPECT_EQ(retry_after_ms("99999999999999999999999", 600000), 600000u);  // past 64 bits
  EXPECT_EQ(retry_after_ms("2", 1500), 1500u);  // a cap that is not whole seconds
  // An HTTP date in the past asks for no wait; one far ahead for the cap.
  EXPECT_EQ(retry_after_ms("Wed, 21 Oct 2015 07:28:00 GMT", 60000), 0u);
  EXPECT_EQ(retry_after_ms("Fri, 01 Jan 2100 00:00:00 GMT", 60000), 60000u);
}

}  // namespace
}  // namespace ferry::support::http

namespace ferry::support::http {
namespace {

// An exchange speaks http and https only: a file:// URL (a typo, or a
// pipeline that tries to read local files through a sink) is refused as a
// configuration error before anything is read.
TEST(HttpExchange, OnlyHttpAndHttpsAreSpoken) {
  ExchangeOptions o;
  o.who = "test";
  Exchange x(o);
  x.set(CURLOPT_URL, "file:///etc/hostname");
  x.send_no_body();
  const Response& r = x.perform();
  EXPECT_EQ(r.transport, CURLE_UNSUPPORTED_PROTOCOL);
  EXPECT_FALSE(r.transport_error.empty());
  EXPECT_EQ(r.status, 0);
  EXPECT_TRUE(r.body.empty());
  EXPECT_EQ(r.status_class(), FERRY_ERROR_CONFIG);
  EXPECT_FALSE(r.ok());
}

TEST(HttpExchange, AResponseIsClassifiedByItsStatus) {
  Response r;
  r.status = 204;
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(r.status_class(), FERRY_OK);
  r.status = 503;
  EXPECT_EQ(r.status_class(), FERRY_RETRY);
  r.status = 301;
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.status_class(), FERRY_ERROR_CONFIG);
  r.transport = CURLE_COULDNT_CONNECT;
  EXPECT_EQ(r.status_class(), FERRY_RETRY);
}

}  // namespace
}  // namespace ferry::support::http
