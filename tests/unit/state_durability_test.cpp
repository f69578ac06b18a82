// The SQLite state store's connection: each write commits as durably as it
// asks, and the PRAGMA that sets it runs only when the answer changes (a
// run of batches that all commit under NORMAL switches once, not twice per
// batch).
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <stdlib.h>  // mkdtemp

#include <filesystem>
#include <string>

#include "state/sqlite_db.h"

namespace ferry::core::sqlite_state {
namespace {

class StateDurability : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (std::filesystem::temp_directory_path() / "ferry-durability-XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    conn_ = std::make_unique<Connection>(dir_ + "/state.db");
    sqlite3_trace_v2(
        conn_->db(), SQLITE_TRACE_STMT,
        [](unsigned, void* self, void* stmt, void*) {
          const char* sql = sqlite3_sql(static_cast<sqlite3_stmt*>(stmt));
          if (sql != nullptr && std::string(sql).rfind("PRAGMA synchronous", 0) == 0)
            ++static_cast<StateDurability*>(self)->switches_;
          return 0;
        },
        this);
  }
  void TearDown() override {
    conn_.reset();
    std::filesystem::remove_all(dir_);
  }
  int64_t synchronous() {
    auto s = conn_->prepare("PRAGMA synchronous");
    EXPECT_TRUE(s.step());
    return s.integer_at(0);
  }
  void write(Connection::Sync sync) {
    WriteTransaction tx(*conn_, sync);
    conn_->exec("CREATE TABLE IF NOT EXISTS t (x)");
    conn_->exec("INSERT INTO t VALUES (1)");
    tx.commit();
  }

  std::string dir_;
  std::unique_ptr<Connection> conn_;
  int switches_ = 0;
};

TEST_F(StateDurability, EachWriteCommitsAsDurablyAsItAsks) {
  EXPECT_EQ(synchronous(), 2) << "FULL from the start";
  write(Connection::Sync::kNormal);
  EXPECT_EQ(synchronous(), 1);
  write(Connection::Sync::kFull);
  EXPECT_EQ(synchronous(), 2);
  write(Connection::Sync::kFull);  // the default of a write transaction
  EXPECT_EQ(synchronous(), 2);
}

TEST_F(StateDurability, ManyRelaxedCommitsSwitchOnce) {
  for (int i = 0; i < 100; ++i) write(Connection::Sync::kNormal);
  EXPECT_EQ(switches_, 1);
  write(Connection::Sync::kFull);
  EXPECT_EQ(switches_, 2);
}

}  // namespace
}  // namespace ferry::core::sqlite_state
