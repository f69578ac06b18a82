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

TEST(PgDsnSecrets, AUriPasswordRunsToTheLastAtSign) {
  // libpq stops the userinfo at a '/' or the first '@'; its writer
  // meant all of it.
  EXPECT_TRUE(has(pg_dsn_secrets("postgresql://ferry:ab/zzLeak@127.0.0.1:5432/etl"), "ab/zzLeak"));
  EXPECT_TRUE(has(pg_dsn_secrets("postgresql://u:abcdef@ghijkl/mnopqr@127.0.0.1:1/etl"), "abcdef@ghijkl/mnopqr"));
  EXPECT_TRUE(has(pg_dsn_secrets("postgresql://u:abcd efgh/ijkl@h/db"), "abcd efgh/ijkl"));
  EXPECT_TRUE(has(pg_dsn_secrets("postgresql://u:Secr3tpw?x/yzzzz@h/db"), "Secr3tpw?x/yzzzz"));
  EXPECT_TRUE(has(pg_dsn_secrets("postgres://u:pa%2Fss@h/db"), "pa/ss"));
  EXPECT_TRUE(pg_dsn_secrets("postgresql://u@h/db").empty());
}

TEST(PgDsnSecrets, AnUnquotedPasswordRunsToTheNextLibpqKeyword) {
  EXPECT_TRUE(has(pg_dsn_secrets("host=h user=u password=abc zzLeakPart dbname=x"), "abc zzLeakPart"));
  // "pass" is no keyword of libpq's: still the password.
  EXPECT_TRUE(has(pg_dsn_secrets("host=h password=my pass=word user=u"), "my pass=word"));
  EXPECT_TRUE(has(pg_dsn_secrets("host=h password = 'it\\'s quoted' user=u"), "it's quoted"));
  EXPECT_TRUE(has(pg_dsn_secrets("host=h password='abc'defghij user=u"), "abcdefghij"));
  EXPECT_TRUE(has(pg_dsn_secrets("postgresql://h/db?user=u&password=ab&cdefg&sslmode=disable"), "ab&cdefg"));
}

TEST(PgDsnSecrets, AUriPasswordLibpqReadsOnlyInPartIsRefusedWithoutQuotingIt) {
  // What libpq reads from each (its own parse, checked through the real
  // thing by tests/system/pg_dsn_messages_test.cpp): part of the password
  // as a port, a host, a database that runs on to the host.
  const std::string uri = pg_dsn_misread("postgresql://ferry:ab/zzLeak@127.0.0.1/etl", {"ferry", "ab", ""});
  EXPECT_NE(uri.find("percent-encoded"), std::string::npos) << uri;
  EXPECT_EQ(uri.find("zzLeak"), std::string::npos) << uri;
  EXPECT_NE(pg_dsn_misread("postgresql://u:pw@Qq9x@h/db", {"Qq9x@h", "", "db"}), "");
  EXPECT_NE(pg_dsn_misread("postgresql://u:ab@cd/ef@h:1/db", {"cd", "", "ef@h:1/db"}), "");
  // Readings its writer may have meant: left alone.
  EXPECT_EQ(pg_dsn_misread("postgresql://ferry:pw@h:1/etl?application_name=etl@prod", {"h", "1", "etl"}), "");
  EXPECT_EQ(pg_dsn_misread("postgresql://ferry:pw@h:1/my@db", {"h", "1", "my@db"}), "");
  EXPECT_EQ(pg_dsn_misread("postgresql://u:pw@a:1,b:2/db", {"a,b", "1,2", "db"}), "");
  EXPECT_EQ(pg_dsn_misread("postgresql://u:pa%2Fss@h/db", {"h", "", "db"}), "");
  // Keyword/value: libpq's own parse errors say it.
  EXPECT_EQ(pg_dsn_misread("host=h options='-c app.password=x'", {"h", "", ""}), "");
}

TEST(PgDsnSecrets, AParseErrorKeepsOnlyLibpqsOwnWords) {
  EXPECT_EQ(mask_quoted_fragments("missing \"=\" after \"zzLeakPart\" in connection info string"),
            "missing \"=\" after \"***\" in connection info string");
  EXPECT_EQ(mask_quoted_fragments("invalid integer value \"ab\" for connection option \"port\""),
            "invalid integer value \"***\" for connection option \"port\"");
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
