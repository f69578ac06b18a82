// What a message may say about a libpq connection string, also a malformed
// one that libpq reads otherwise than its writer meant (support/sql/pg_dsn.h).
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "sql/pg_dsn.h"

namespace ferry::support {
namespace {

bool has(const std::vector<std::string>& v, const std::string& s) { return std::find(v.begin(), v.end(), s) != v.end(); }

TEST(PgDsnSecrets, AUriPasswordRunsToTheLastAtSignOfTheAuthority) {
  // libpq stops the userinfo at '/', and reads "ab" as the port and
  // "zzLeak@127.0.0.1:5432/etl" as the database.
  const auto s = pg_dsn_secrets("postgresql://ferry:ab/zzLeak@127.0.0.1:5432/etl");
  EXPECT_TRUE(has(s, "ab/zzLeak"));
  EXPECT_TRUE(has(s, "zzLeak"));
  // An '@' inside the password: libpq takes the rest as the host.
  const auto at = pg_dsn_secrets("postgres://u:pa@ss@h/db");
  EXPECT_TRUE(has(at, "pa@ss"));
  EXPECT_TRUE(has(at, "ss"));
  EXPECT_TRUE(has(pg_dsn_secrets("postgres://u:pa%2Fss@h/db"), "pa/ss"));
  EXPECT_TRUE(pg_dsn_secrets("postgresql://u@h/db").empty());
}

TEST(PgDsnSecrets, AnUnquotedPasswordRunsToTheNextKeyword) {
  const auto s = pg_dsn_secrets("host=h user=u password=abc zzLeakPart dbname=x");
  EXPECT_TRUE(has(s, "abc zzLeakPart"));
  EXPECT_TRUE(has(s, "zzLeakPart"));  // what libpq then quotes as a keyword
  EXPECT_FALSE(has(s, "dbname=x"));
  const auto q = pg_dsn_secrets("host=h password = 'it\\'s quoted' user=u");
  EXPECT_TRUE(has(q, "it's quoted"));
  EXPECT_TRUE(has(q, "quoted"));
  EXPECT_TRUE(has(pg_dsn_secrets("postgresql://h/db?user=u&password=s3cr3t&sslmode=disable"), "s3cr3t"));
}

TEST(PgDsnSecrets, MessagesLoseTheQuotedPartsOfAPasswordButNotTheirKeywords) {
  const auto s = pg_dsn_secrets("postgresql://ferry:ab/zzLeak@127.0.0.1:5432/etl");
  EXPECT_EQ(mask_secret_fragments("invalid integer value \"ab\" for connection option \"port\"", s),
            "invalid integer value \"***\" for connection option \"port\"");
  const auto w = pg_dsn_secrets("host=h password=abc zzLeakPart dbname=x");
  EXPECT_EQ(mask_secret_fragments("missing \"=\" after \"zzLeakPart\" in connection info string", w),
            "missing \"=\" after \"***\" in connection info string");
  // A host name is not a secret: it stays to say what failed.
  EXPECT_EQ(mask_secret_fragments("could not translate host name \"db.example\" to address", w),
            "could not translate host name \"db.example\" to address");
}

TEST(PgConnectFailures, ADsnThatCannotWorkIsAConfigurationError) {
  EXPECT_EQ(status_of_pg_connect_failure("invalid sslmode value: \"bogus\""), FERRY_ERROR_CONFIG);
  EXPECT_EQ(status_of_pg_connect_failure("invalid integer value \"3543x\" for connection option \"port\""),
            FERRY_ERROR_CONFIG);
  EXPECT_EQ(status_of_pg_connect_failure("missing \"=\" after \"x\" in connection info string"),
            FERRY_ERROR_CONFIG);
  EXPECT_EQ(status_of_pg_connect_failure("FATAL:  database \"nope\" does not exist"), FERRY_ERROR_CONFIG);
  EXPECT_EQ(status_of_pg_connect_failure("FATAL:  password authentication failed for user \"u\""),
            FERRY_ERROR_AUTH);
  EXPECT_EQ(status_of_pg_connect_failure("FATAL:  role \"nobody\" does not exist"), FERRY_ERROR_AUTH);
  EXPECT_EQ(status_of_pg_connect_failure(
                "connection to server at \"127.0.0.1\", port 1 failed: Connection refused"),
            FERRY_RETRY);
}

}  // namespace
}  // namespace ferry::support
