// The throwaway servers the integration tests rely on start, answer, stop
// and come back.
#include <gtest/gtest.h>

#include "support/servers.h"

TEST(Servers, PostgresStartsAnswersAndRestarts) {
  ferry::test::PgServer pg;
  EXPECT_EQ(pg.psql("SELECT 40 + 2"), "42\n");
  pg.psql("CREATE TABLE t(x int); INSERT INTO t VALUES (1)");
  pg.stop_immediate();
  EXPECT_THROW(pg.psql("SELECT 1"), std::runtime_error);
  pg.start();
  EXPECT_EQ(pg.psql("SELECT count(*) FROM t"), "1\n");
}

TEST(Servers, MariaDbStartsAnswersAndRestarts) {
  ferry::test::MariaServer db;
  EXPECT_EQ(db.sql("SELECT 40 + 2"), "42\n");
  db.sql("CREATE DATABASE d; CREATE TABLE d.t(x int) ENGINE=InnoDB; INSERT INTO d.t VALUES (1)");
  db.stop_immediate();
  EXPECT_THROW(db.sql("SELECT 1"), std::runtime_error);
  db.start();
  EXPECT_EQ(db.sql("SELECT count(*) FROM d.t"), "1\n");
}
