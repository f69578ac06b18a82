// How the Elasticsearch sink reads the answer to one bulk request
// (plugins/elasticsearch/bulk_response.cpp, compiled in here as it stands).
#include <gtest/gtest.h>

#include "plugins/elasticsearch/bulk_response.cpp"

namespace ferry_es {
namespace {

HttpResult answer(long status, std::string body = "") {
  HttpResult r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

// Redirects are not followed: a 3xx means the cluster never saw the bulk
// request. Counting it as done would checkpoint rows that were not indexed.
TEST(EsBulkResponse, ARedirectIsNeverASuccess) {
  for (long status : {301L, 302L, 307L, 308L}) {
    const RequestOutcome out = read_bulk_response(answer(status, "<html>moved</html>"), 3);
    EXPECT_EQ(out.status, FERRY_ERROR_CONFIG) << status;
    EXPECT_EQ(out.applied, 0u);
  }
}

TEST(EsBulkResponse, ItemsAreReadFromASuccessfulAnswer) {
  const RequestOutcome out = read_bulk_response(
      answer(200, R"({"errors":true,"items":[{"index":{"status":201}},)"
                  R"({"index":{"status":400,"error":{"type":"mapper_parsing_exception","reason":"bad"}}},)"
                  R"({"index":{"status":429}}]})"),
      3);
  EXPECT_EQ(out.status, FERRY_OK);
  EXPECT_EQ(out.applied, 1u);
  ASSERT_EQ(out.failures.size(), 2u);
  EXPECT_EQ(out.failures[0].status, FERRY_INVALID_DATA);
  EXPECT_EQ(out.failures[1].status, FERRY_RETRY);
}

TEST(EsBulkResponse, AnOverloadedClusterIsRetriedAfterItsHint) {
  HttpResult r = answer(429, R"({"error":{"type":"es_rejected_execution_exception","reason":"queue full"}})");
  r.retry_after = "7";
  const RequestOutcome out = read_bulk_response(r, 2);
  EXPECT_EQ(out.status, FERRY_RETRY);
  EXPECT_EQ(out.retry_after_ms, 7000u);
}

}  // namespace
}  // namespace ferry_es
