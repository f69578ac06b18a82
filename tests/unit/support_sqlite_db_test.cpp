// support/sqlite: the one SQLite connection of the state store, the sqlite
// sink and the SQL hooks. A failure is classified by one table, names what
// failed and where, and is thrown as the caller's own error type if asked.
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

#include "sqlite/sqlite_db.h"
#include "support/temp_dir.h"

namespace ferry::support::sqlite {
namespace {

DatabaseOptions options() {
  DatabaseOptions o;
  o.label = "test db";
  o.open.busy_timeout_ms = 50;
  return o;
}

TEST(SupportSqlite, TheStatusTableSaysWhatToDoWithAFailure) {
  EXPECT_EQ(status_of(SQLITE_CONSTRAINT_UNIQUE), FERRY_INVALID_DATA);
  EXPECT_EQ(status_of(SQLITE_TOOBIG), FERRY_INVALID_DATA);
  EXPECT_EQ(status_of(SQLITE_BUSY_SNAPSHOT), FERRY_RETRY);
  EXPECT_EQ(status_of(SQLITE_LOCKED), FERRY_RETRY);
  EXPECT_EQ(status_of(SQLITE_ERROR), FERRY_ERROR_CONFIG);
  EXPECT_EQ(status_of(SQLITE_READONLY), FERRY_ERROR_IO);
  EXPECT_EQ(status_of(SQLITE_IOERR_FSYNC), FERRY_ERROR_IO);
  EXPECT_EQ(status_of(SQLITE_INTERRUPT), FERRY_ERROR_CANCELLED);
}

TEST(SupportSqlite, AFailedStatementNamesWhatFailedTheFileAndSQLitesReason) {
  ferry::test::TempDir dir;
  Database db(dir.file("t.db"), options());
  db.exec("CREATE TABLE t (id INTEGER PRIMARY KEY)", "creating t");
  db.prepare("INSERT INTO t VALUES (?1)", "inserting").integer(1, 7).run();
  try {
    db.prepare("INSERT INTO t VALUES (?1)", "inserting again").integer(1, 7).run();
    FAIL() << "a duplicate key was taken";
  } catch (const Failure& e) {
    EXPECT_EQ(e.status(), FERRY_INVALID_DATA);
    EXPECT_EQ(e.rc(), SQLITE_CONSTRAINT_PRIMARYKEY);
    EXPECT_EQ(std::string(e.what()),
              "test db: inserting again in " + dir.file("t.db") + ": UNIQUE constraint failed: t.id");
  }
}

TEST(SupportSqlite, AFileThatCannotBeOpenedIsAnIoErrorNotAConfigurationOne) {
  ferry::test::TempDir dir;
  try {
    Database db(dir.file("no-such-dir/t.db"), options());
    FAIL() << "opened a file in a directory that does not exist";
  } catch (const Failure& e) {
    EXPECT_EQ(e.status(), FERRY_ERROR_IO) << e.what();
    EXPECT_NE(std::string(e.what()).find("no-such-dir/t.db"), std::string::npos) << e.what();
  }
}

TEST(SupportSqlite, ABusyDatabaseIsARetryWithAHint) {
  ferry::test::TempDir dir;
  Database holder(dir.file("t.db"), options());
  holder.exec("CREATE TABLE t (id INTEGER)", "creating t");
  Transaction held(holder);
  Database other(dir.file("t.db"), options());
  try {
    Transaction tx(other);
    FAIL() << "two writers at once";
  } catch (const Failure& e) {
    EXPECT_EQ(e.status(), FERRY_RETRY) << e.what();
    EXPECT_EQ(e.retry_after_ms(), 200u);
  }
}

// An empty value is a value: '' and x'', never NULL.
TEST(SupportSqlite, EmptyTextAndBlobsBindAsValuesNotNull) {
  ferry::test::TempDir dir;
  Database db(dir.file("t.db"), options());
  Statement s = db.prepare("SELECT ?1 IS NULL, ?2 IS NULL, typeof(?2), length(?1)", "asking");
  s.text(1, std::string_view()).blob(2, std::string_view());
  ASSERT_TRUE(s.step());
  EXPECT_EQ(s.integer_at(0), 0);
  EXPECT_EQ(s.integer_at(1), 0);
  EXPECT_EQ(s.text_at(2), "blob");
  EXPECT_EQ(s.integer_at(3), 0);
}

TEST(SupportSqlite, AFailureIsThrownAsTheCallersErrorWhenAsked) {
  struct HostError : std::runtime_error {
    using std::runtime_error::runtime_error;
  };
  ferry::test::TempDir dir;
  DatabaseOptions o = options();
  o.raise = [](const Failure& f) { throw HostError(f.what()); };
  Database db(dir.file("t.db"), o);
  EXPECT_THROW(db.exec("SELECT * FROM missing", "reading"), HostError);
  EXPECT_THROW(db.prepare("SELECT * FROM missing", "preparing"), HostError);
}

// A cached statement is compiled once; each borrow starts clean (no
// parameters, not stepped), and a statement borrowed twice at once is two.
TEST(SupportSqlite, ACachedStatementComesBackResetAndIsNeverSharedAtOnce) {
  ferry::test::TempDir dir;
  Database db(dir.file("t.db"), options());
  db.exec("CREATE TABLE t (id INTEGER); INSERT INTO t VALUES (1), (2)", "creating t");
  sqlite3_stmt* first_handle = nullptr;
  {
    Statement a = db.prepare_cached("SELECT ?1, id FROM t ORDER BY id", "reading");
    a.integer(1, 7);
    ASSERT_TRUE(a.step());
    EXPECT_EQ(a.integer_at(0), 7);
    first_handle = a.get();
    Statement b = db.prepare_cached("SELECT ?1, id FROM t ORDER BY id", "reading");
    EXPECT_NE(b.get(), first_handle) << "a statement in use was handed out again";
    b.integer(1, 8);
    ASSERT_TRUE(b.step());
    ASSERT_TRUE(a.step());
    EXPECT_EQ(a.integer_at(1), 2);
    EXPECT_EQ(b.integer_at(0), 8);
  }
  EXPECT_FALSE(sqlite3_stmt_busy(first_handle)) << "a returned statement still reads the database";
  Statement again = db.prepare_cached("SELECT ?1, id FROM t ORDER BY id", "reading");
  EXPECT_EQ(again.get(), first_handle);
  ASSERT_TRUE(again.step());
  EXPECT_TRUE(again.null_at(0)) << "the last borrower's parameter was still bound";
  EXPECT_EQ(again.integer_at(1), 1);
}

}  // namespace
}  // namespace ferry::support::sqlite
