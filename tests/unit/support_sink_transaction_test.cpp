// The SQL sinks' one transaction (support/sql/sink_transaction.h) over a
// dialect that records its statements and fails where a test says: which
// statements run when, and what a failure that took the call, the
// transaction or the connection leaves for the commit.
#include <gtest/gtest.h>

#include <sql/sink_transaction.h>

#include <algorithm>
#include <functional>
#include <string>
#include <vector>

namespace {

using ferry::support::Loss;
using ferry::support::SinkDialect;
using ferry::support::SinkTransaction;

class RecordingDialect : public SinkDialect {
 public:
  void exec(const std::string& sql, std::string_view) override { run(sql); }
  void save_checkpoint(const FerryCheckpoint&) override { run("SAVE CHECKPOINT"); }
  void rollback() noexcept override {
    log.push_back("ROLLBACK");
    if (connection_dies_on_rollback) next_loss = Loss::kConnection;
  }
  Loss loss() noexcept override { return next_loss; }
  void rolled_back(bool whole) noexcept override { log.push_back(whole ? "(forgot the transaction)" : "(forgot the call)"); }

  // The next time `sql` runs, it fails with `status`, having taken `loss`.
  void fail_at(std::string sql, Loss loss, FerryStatus status = FERRY_ERROR_IO) {
    fail_sql = std::move(sql);
    next_loss = loss;
    fail_status = status;
  }

  std::vector<std::string> log;
  // A connection that died without the driver noticing at first: the
  // failed statement looks like its own failure, the rollback after it finds
  // the connection gone.
  bool connection_dies_on_rollback = false;
  std::string fail_sql;
  Loss next_loss = Loss::kCall;
  FerryStatus fail_status = FERRY_ERROR_IO;

 private:
  void run(const std::string& sql) {
    log.push_back(sql);
    if (connection_dies_on_rollback && sql == "ROLLBACK TO w") {
      next_loss = Loss::kConnection;
      throw ferry::Error(FERRY_RETRY, "connection lost");
    }
    if (sql != fail_sql) return;
    fail_sql.clear();
    throw ferry::Error(fail_status, "failed: " + sql);
  }
};

FerryCheckpoint checkpoint() {
  FerryCheckpoint cp{};
  cp.struct_size = sizeof cp;
  return cp;
}

FerryStatus status_of(const std::function<void()>& call) {
  try {
    call();
  } catch (const ferry::Error& e) {
    return e.status();
  }
  return FERRY_OK;
}

class SinkTransactionTest : public ::testing::Test {
 protected:
  RecordingDialect dialect;
  SinkTransaction txn{dialect, {"BEGIN", "SAVEPOINT w", "RELEASE w", "ROLLBACK TO w"}, "test sink", "table t"};
  FerryCheckpoint cp = checkpoint();
};

TEST_F(SinkTransactionTest, EachWriteRunsInASavepointAndTheCommitStoresTheCheckpointWithTheRows) {
  txn.write([] { return int64_t{2}; });
  txn.write([] { return int64_t{3}; });
  EXPECT_EQ(txn.commit(&cp), 5);
  EXPECT_EQ(dialect.log, (std::vector<std::string>{"BEGIN", "SAVEPOINT w", "RELEASE w", "SAVEPOINT w", "RELEASE w",
                                                   "SAVE CHECKPOINT", "COMMIT"}));
  EXPECT_FALSE(txn.open());
}

TEST_F(SinkTransactionTest, AFailedCallIsUndoneAloneAndEarlierRowsStillCommit) {
  txn.write([] { return int64_t{2}; });
  EXPECT_EQ(status_of([&] { txn.write([]() -> int64_t { throw ferry::Error(FERRY_INVALID_DATA, "bad row"); }); }),
            FERRY_INVALID_DATA);
  EXPECT_TRUE(txn.open());
  EXPECT_EQ(txn.commit(&cp), 2);
  EXPECT_EQ(dialect.log[4], "ROLLBACK TO w");
  EXPECT_EQ(dialect.log[5], "(forgot the call)");
}

TEST_F(SinkTransactionTest, AFirstCallLostWithTheConnectionIsOnlyRetried) {
  dialect.fail_at("SAVEPOINT w", Loss::kConnection, FERRY_RETRY);
  EXPECT_EQ(status_of([&] { txn.write([] { return int64_t{2}; }); }), FERRY_RETRY);
  txn.write([] { return int64_t{2}; });
  EXPECT_EQ(txn.commit(&cp), 2);
}

TEST_F(SinkTransactionTest, RowsOfEarlierCallsLostWithTheConnectionFailTheBatchUntilAborted) {
  txn.write([] { return int64_t{2}; });
  dialect.fail_at("SAVEPOINT w", Loss::kConnection, FERRY_RETRY);
  // Fatal, not RETRY: the host would write this call again and commit the
  // batch without the first call's rows.
  EXPECT_EQ(status_of([&] { txn.write([] { return int64_t{2}; }); }), FERRY_ERROR_IO);
  EXPECT_EQ(status_of([&] { txn.write([] { return int64_t{2}; }); }), FERRY_ERROR_IO);
  // A commit now would lose them: it asks for the whole batch again.
  EXPECT_EQ(status_of([&] { txn.commit(&cp); }), FERRY_RETRY);
  EXPECT_FALSE(txn.open());
  EXPECT_EQ(std::count(dialect.log.begin(), dialect.log.end(), "BEGIN"), 1) << "nothing began after the loss";
  EXPECT_EQ(std::count(dialect.log.begin(), dialect.log.end(), "COMMIT"), 0);
  // Once aborted, the batch written again commits.
  txn.abort();
  txn.write([] { return int64_t{4}; });
  EXPECT_EQ(txn.commit(&cp), 4);
}

TEST_F(SinkTransactionTest, AServerThatRolledBackEverythingLosesTheStagedRowsToo) {
  txn.write([] { return int64_t{2}; });
  dialect.next_loss = Loss::kTransaction;
  EXPECT_EQ(status_of([&] { txn.write([]() -> int64_t { throw ferry::Error(FERRY_RETRY, "deadlock"); }); }),
            FERRY_ERROR_IO);
  EXPECT_FALSE(txn.open());
  EXPECT_EQ(status_of([&] { txn.commit(&cp); }), FERRY_RETRY);
}

TEST_F(SinkTransactionTest, ASavepointThatCannotBeRolledBackLosesTheTransaction) {
  txn.write([] { return int64_t{2}; });
  dialect.fail_at("ROLLBACK TO w", Loss::kCall);
  EXPECT_EQ(status_of([&] { txn.write([]() -> int64_t { throw ferry::Error(FERRY_INVALID_DATA, "bad"); }); }),
            FERRY_ERROR_IO);
  EXPECT_EQ(status_of([&] { txn.commit(&cp); }), FERRY_RETRY);
}

TEST_F(SinkTransactionTest, ACommitRefusedByTheServerIsRolledBackAndNeverBlamesTheData) {
  txn.write([] { return int64_t{2}; });
  dialect.fail_at("COMMIT", Loss::kCall, FERRY_INVALID_DATA);
  try {
    txn.commit(&cp);
    FAIL() << "the commit must fail";
  } catch (const ferry::Error& e) {
    EXPECT_EQ(e.status(), FERRY_ERROR_IO);
    EXPECT_NE(std::string(e.what()).find("nothing of the batch was committed"), std::string::npos) << e.what();
  }
  EXPECT_EQ(dialect.log.back(), "(forgot the transaction)");
  EXPECT_FALSE(txn.open());
}

TEST_F(SinkTransactionTest, ACommitLostWithTheConnectionAnswersAsTheConnectionDidWithoutGuessing) {
  txn.write([] { return int64_t{2}; });
  dialect.fail_at("COMMIT", Loss::kConnection, FERRY_RETRY);
  EXPECT_EQ(status_of([&] { txn.commit(&cp); }), FERRY_RETRY);
  // No ROLLBACK: there is no connection to send it on.
  EXPECT_EQ(std::count(dialect.log.begin(), dialect.log.end(), "ROLLBACK"), 0);
  EXPECT_FALSE(txn.open());
}

TEST_F(SinkTransactionTest, ACommitWithoutRowsStillMovesTheCheckpointAndNothingToCommitIsNoStatement) {
  EXPECT_EQ(txn.commit(nullptr), 0);
  EXPECT_TRUE(dialect.log.empty());
  EXPECT_EQ(txn.commit(&cp), 0);
  EXPECT_EQ(dialect.log, (std::vector<std::string>{"BEGIN", "SAVE CHECKPOINT", "COMMIT"}));
}

TEST_F(SinkTransactionTest, AConnectionLostBetweenCallsWithRowsStagedMakesTheCommitAskAgain) {
  txn.write([] { return int64_t{2}; });
  txn.connection_lost();
  EXPECT_FALSE(txn.open());
  EXPECT_EQ(status_of([&] { txn.write([] { return int64_t{2}; }); }), FERRY_ERROR_IO);
  EXPECT_EQ(status_of([&] { txn.commit(&cp); }), FERRY_RETRY);
  txn.abort();
  EXPECT_EQ(txn.commit(&cp), 0);  // nothing staged: a plain checkpoint
}

// A server that crashed mid-COPY: the driver reports the statement's error
// (no SQLSTATE, not yet known as a lost connection), and only the rollback
// that follows finds the connection gone. Nothing was staged before: the
// call is retried, not the run ended.
TEST_F(SinkTransactionTest, AFailureThatTurnsOutToHaveTakenTheConnectionIsRetried) {
  dialect.connection_dies_on_rollback = true;
  EXPECT_EQ(status_of([&] { txn.write([]() -> int64_t { throw ferry::Error(FERRY_ERROR_IO, "server closed"); }); }),
            FERRY_RETRY);
  EXPECT_FALSE(txn.open());
}

TEST_F(SinkTransactionTest, ACommitWhoseConnectionTurnsOutLostDoesNotClaimNothingCommitted) {
  txn.write([] { return int64_t{2}; });
  dialect.connection_dies_on_rollback = true;
  dialect.fail_at("COMMIT", Loss::kCall, FERRY_ERROR_IO);
  try {
    txn.commit(&cp);
    FAIL() << "the commit must fail";
  } catch (const ferry::Error& e) {
    EXPECT_EQ(e.status(), FERRY_RETRY) << e.what();
    EXPECT_EQ(std::string(e.what()).find("nothing of the batch was committed"), std::string::npos) << e.what();
  }
}

}  // namespace
