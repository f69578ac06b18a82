// support/pg: the libpqxx session the state store and the SQL hooks share,
// against a real PostgreSQL. Values are bound and come back byte for byte;
// a failure says what happened and how to treat it; no message carries the
// password; a lost connection is found and made again.
#include <gtest/gtest.h>

#include <string>

#include "pg/pg_session.h"
#include "support/servers.h"

namespace ferry::support::pg {
namespace {

class PgSessionTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { server_ = new ferry::test::PgServer(); }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  static ferry::test::PgServer& server() { return *server_; }

  static SessionOptions options() {
    SessionOptions o;
    o.label = "test";
    return o;
  }

 private:
  static ferry::test::PgServer* server_;
};
ferry::test::PgServer* PgSessionTest::server_ = nullptr;

TEST_F(PgSessionTest, AListenerWakesOnANotificationAndOnlyThen) {
  Session listener(server().dsn(), options());
  Session other(server().dsn(), options());
  listener.listen("ferry_test_channel");
  EXPECT_FALSE(listener.wait_notification(50)) << "woke without a notification";
  other.exec("SELECT pg_notify('ferry_test_channel', 'x')", "notifying");
  // Delivered once the other session's statement ended; the wait is bounded
  // only for a failing test.
  EXPECT_TRUE(listener.wait_notification(60000));
  EXPECT_FALSE(listener.wait_notification(50)) << "one notification woke it twice";
  other.exec("SELECT pg_notify('another_channel', 'x')", "notifying");
  EXPECT_FALSE(listener.wait_notification(200)) << "woken by a channel it does not listen on";
}

TEST_F(PgSessionTest, EveryByteOfABlobAndNullsComeBackAsBound) {
  Session s(server().dsn(), options());
  std::string every_byte;
  for (int b = 0; b < 256; ++b) every_byte += static_cast<char>(b);
  pqxx::result r = s.exec("SELECT encode($1::bytea, 'hex'), $2::bigint, $3::text IS NULL, $4::text", "reading back",
                          Params().bytes(every_byte).integer(-9223372036854775807 - 1).null().text("naïve 'q' \\"));
  ASSERT_EQ(r.size(), 1u);
  std::string hex;
  static const char* digits = "0123456789abcdef";
  for (unsigned char c : every_byte) {
    hex += digits[c >> 4];
    hex += digits[c & 15];
  }
  EXPECT_EQ(r[0][0].as<std::string>(), hex);
  EXPECT_EQ(r[0][1].as<std::string>(), "-9223372036854775808");
  EXPECT_EQ(r[0][2].as<std::string>(), "t");
  EXPECT_EQ(r[0][3].as<std::string>(), "naïve 'q' \\");
}

// libpq sends text parameters up to their first NUL: such a value would
// be stored cut short, so it is refused before it is sent.
TEST_F(PgSessionTest, TextWithANulByteIsRefusedNotCut) {
  try {
    Params().text(std::string("ab\0cd", 5));
    FAIL() << "a NUL byte was accepted";
  } catch (const Failure& e) {
    EXPECT_EQ(e.status(), FERRY_INVALID_DATA);
    EXPECT_NE(std::string(e.what()).find("NUL"), std::string::npos) << e.what();
  }
}

TEST_F(PgSessionTest, AStatementTheServerRefusesIsClassifiedBySqlstate) {
  Session s(server().dsn(), options());
  s.exec_script("CREATE TABLE IF NOT EXISTS once (id BIGINT PRIMARY KEY)", "creating");
  s.exec("INSERT INTO once VALUES ($1)", "inserting", Params().integer(1));
  try {
    s.exec("INSERT INTO once VALUES ($1)", "inserting again", Params().integer(1));
    FAIL() << "a duplicate key was accepted";
  } catch (const Failure& e) {
    EXPECT_EQ(e.sqlstate(), "23505");
    EXPECT_EQ(e.status(), FERRY_INVALID_DATA);
    EXPECT_EQ(e.kind(), Failure::Kind::Statement);
    const std::string m = e.what();
    EXPECT_NE(m.find("test 127.0.0.1:" + std::to_string(server().port()) + "/postgres: inserting again"),
              std::string::npos) << m;
    EXPECT_NE(m.find("(SQLSTATE 23505)"), std::string::npos) << m;
  }
  EXPECT_EQ(s.exec("SELECT count(*) FROM once", "counting")[0][0].as<int64_t>(), 1);
}

// libpqxx 6.4 throws some errors as their own types without the SQLSTATE
// (insufficient_privilege, serialization_failure, deadlock_detected, ...):
// the session still knows what they mean. A role that may not write is
// refused as AUTH, not as an internal error, by exec() and exec_script().
TEST_F(PgSessionTest, AnErrorLibpqxxThrowsWithoutItsSqlstateIsStillClassified) {
  server().psql("DROP TABLE IF EXISTS guarded; CREATE TABLE guarded (id BIGINT);"
                "DROP ROLE IF EXISTS reader; CREATE ROLE reader LOGIN;");
  std::string dsn = server().dsn();
  dsn.replace(dsn.find("user=postgres"), std::string("user=postgres").size(), "user=reader");
  Session s(dsn, options());
  for (bool script : {false, true}) {
    try {
      if (script) s.exec_script("CREATE INDEX IF NOT EXISTS guarded_id ON guarded (id)", "indexing");
      else s.exec("INSERT INTO guarded VALUES ($1)", "inserting", Params().integer(1));
      FAIL() << "a role without privileges wrote";
    } catch (const Failure& e) {
      EXPECT_EQ(e.status(), FERRY_ERROR_AUTH) << e.what();
      EXPECT_EQ(e.sqlstate(), "42501") << e.what();
    }
  }
  // The rollbacks libpqxx throws outside its sql_error type: a deadlock or
  // a serialization failure is worth a retry.
  Session admin(server().dsn(), options());
  for (const std::string code : {"40P01", "40001"}) {
    try {
      admin.exec_script("DO $$ BEGIN RAISE EXCEPTION 'rolled back' USING ERRCODE = '" + code + "'; END $$", "raising");
      FAIL() << code << " was not raised";
    } catch (const Failure& e) {
      EXPECT_EQ(e.status(), FERRY_RETRY) << e.what();
      EXPECT_EQ(e.sqlstate(), code) << e.what();
    }
  }
}

TEST_F(PgSessionTest, ATransactionNotCommittedLeavesNothing) {
  Session s(server().dsn(), options());
  s.exec_script("CREATE TABLE IF NOT EXISTS rolled (id BIGINT)", "creating");
  {
    Transaction tx(s);
    s.exec("INSERT INTO rolled VALUES ($1)", "inserting", Params().integer(7));
  }
  {
    Transaction tx(s);
    s.exec("INSERT INTO rolled VALUES ($1)", "inserting", Params().integer(8));
    tx.commit();
  }
  pqxx::result r = s.exec("SELECT id FROM rolled", "reading");
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0][0].as<int64_t>(), 8);
}

TEST_F(PgSessionTest, ConnectFailuresSayWhatToDoAndNeverThePassword) {
  const std::string secret = "Hidden-Pass-42";
  try {
    Session s(server().dsn("no_such_db") + " password=" + secret, options());
    FAIL() << "connected to a database that does not exist";
  } catch (const Failure& e) {
    EXPECT_EQ(e.status(), FERRY_ERROR_CONFIG) << e.what();
    EXPECT_NE(std::string(e.what()).find("no_such_db"), std::string::npos) << e.what();
    EXPECT_EQ(std::string(e.what()).find(secret), std::string::npos) << e.what();
  }
  try {
    Session s("host=127.0.0.1 port=1 user=postgres connect_timeout=5 password=" + secret, options());
    FAIL() << "connected to a port nothing listens on";
  } catch (const Failure& e) {
    EXPECT_EQ(e.status(), FERRY_RETRY) << e.what();
    EXPECT_TRUE(e.connection_lost());
    EXPECT_EQ(e.retry_after_ms(), 1000u) << "a refused connection waits the reconnect hint";
    EXPECT_EQ(std::string(e.what()).find(secret), std::string::npos) << e.what();
  }
  try {
    Session s("host=127.0.0.1 port='unclosed password=" + secret, options());
    FAIL() << "a malformed DSN was taken";
  } catch (const Failure& e) {
    EXPECT_EQ(e.status(), FERRY_ERROR_CONFIG) << e.what();
    EXPECT_EQ(std::string(e.what()).find(secret), std::string::npos) << e.what();
  }
}

// The server ends the session (a restart, an administrator): the next
// statement fails as a lost connection, and the session connects again
// with its settings.
TEST_F(PgSessionTest, ALostConnectionIsReportedAndMadeAgain) {
  SessionOptions o = options();
  o.lock_timeout_ms = 250;
  Session s(server().dsn(), o);
  const std::string pid = s.exec("SELECT pg_backend_pid()", "asking")[0][0].as<std::string>();
  server().psql("SELECT pg_terminate_backend(" + pid + ")");
  try {
    s.exec("SELECT 1", "after the end");
    FAIL() << "a terminated session still answered";
  } catch (const Failure& e) {
    EXPECT_TRUE(e.connection_lost()) << e.what();
    EXPECT_EQ(e.status(), FERRY_RETRY) << e.what();
    EXPECT_EQ(e.retry_after_ms(), 1000u);
  }
  s.ensure_connected();
  pqxx::result r = s.exec("SELECT pg_backend_pid()::text <> $1, current_setting('lock_timeout')", "asking again",
                          Params().text(pid));
  EXPECT_EQ(r[0][0].as<std::string>(), "t");
  EXPECT_EQ(r[0][1].as<std::string>(), "250ms");
}

}  // namespace
}  // namespace ferry::support::pg
