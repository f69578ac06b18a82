#include "sql/sink_transaction.h"

namespace ferry::support {

void SinkTransaction::begin() {
  if (open_) return;
  dialect_.exec_later(sql_.begin, "beginning a transaction on " + where_);
  open_ = true;
  staged_ = 0;  // lost_staged_ stays: only abort() forgets the loss
  dialect_.began();
}

void SinkTransaction::ended(bool rows_lost) noexcept {
  if (rows_lost) lost_staged_ = true;
  open_ = false;
  staged_ = 0;
  dialect_.rolled_back(true);
}

void SinkTransaction::connection_lost() noexcept {
  if (open_) ended(staged_ > 0);
}

void SinkTransaction::write(const std::function<int64_t()>& work) {
  // The ABI's rule: a write after earlier rows of the batch were lost must
  // fail fatally, so that the host never commits the batch without them.
  if (lost_staged_)
    throw Error(FERRY_ERROR_IO, who_ + ": rows staged by an earlier write of this batch to " + where_ +
                                    " were lost with the transaction (the connection died or the server rolled it back); "
                                    "nothing of the batch was committed");
  begin();
  staged_ += run_in_savepoint(work);
}

void SinkTransaction::in_savepoint(const std::function<void()>& work) {
  if (!open_) {
    work();
    return;
  }
  run_in_savepoint([&] {
    work();
    return int64_t{0};
  });
}

int64_t SinkTransaction::run_in_savepoint(const std::function<int64_t()>& work) {
  int64_t staged = 0;
  try {
    dialect_.exec_later(sql_.savepoint, "opening a savepoint on " + where_);
    staged = work();
    if (!sql_.release.empty()) dialect_.exec_later(sql_.release, "releasing a savepoint on " + where_);
  } catch (...) {
    Loss loss = dialect_.loss();
    if (loss == Loss::kCall) {
      // Undo this call only; earlier calls' rows stay staged.
      try {
        dialect_.exec(sql_.rollback_to_savepoint, "rolling back a savepoint on " + where_);
        dialect_.rolled_back(false);
      } catch (...) {
        loss = dialect_.loss() == Loss::kConnection ? Loss::kConnection : Loss::kTransaction;
      }
    }
    if (loss == Loss::kCall) throw;
    if (loss == Loss::kTransaction) dialect_.rollback();  // make sure nothing half-done stays open
    const bool earlier_rows_lost = staged_ > 0;
    ended(earlier_rows_lost);
    if (!earlier_rows_lost) {
      // This call's rows only: the host writes them again, on a new
      // connection, whatever the driver first made of the failure.
      if (loss == Loss::kConnection) rethrow_as_retry("the connection was lost; nothing of this call was staged");
      throw;
    }
    try {
      throw;
    } catch (const std::exception& e) {
      throw Error(FERRY_ERROR_IO, who_ + ": rows staged by an earlier write of this batch to " + where_ +
                                      " were lost with the transaction (" + e.what() +
                                      "); nothing of the batch was committed");
    }
  }
  return staged;
}

int64_t SinkTransaction::commit(const FerryCheckpoint* checkpoint) {
  if (lost_staged_) {
    abort();
    throw Error(FERRY_RETRY, who_ + ": rows staged in this transaction on " + where_ +
                                 " were lost with it (the connection died or the server rolled it back); "
                                 "nothing of the batch was committed, it must be written again");
  }
  if (!open_ && checkpoint == nullptr) return 0;
  begin();  // a batch whose rows were all rejected still moves the checkpoint
  try {
    if (checkpoint != nullptr) dialect_.save_checkpoint(*checkpoint);
    dialect_.exec(sql_.commit, "committing to " + where_);
  } catch (...) {
    rethrow_commit_failure();
  }
  const int64_t committed = staged_;
  open_ = false;
  staged_ = 0;
  return committed;
}

// Only ever called inside a catch handler: `throw;` rethrows the failure
// being handled.
void SinkTransaction::rethrow_commit_failure() {
  Loss loss = dialect_.loss();
  if (loss != Loss::kConnection) {
    // The server refused: the transaction is gone (COMMIT of a failed
    // transaction rolls back) or aborted; make sure it is closed. The
    // rollback may find that the connection was in fact lost.
    dialect_.rollback();
    loss = dialect_.loss();
  }
  ended(false);
  // Whether a COMMIT lost with its connection landed is not known here: the
  // host asks the sink's checkpoint before writing the batch again.
  if (loss == Loss::kConnection) rethrow_as_retry("the connection was lost; whether the commit landed is not known");
  try {
    throw;
  } catch (const Error& e) {
    // Nothing a commit does is the data's fault: INVALID_DATA cannot be
    // bisected at commit time.
    const FerryStatus status = e.status() == FERRY_INVALID_DATA ? FERRY_ERROR_IO : e.status();
    throw Error(status, std::string(e.what()) + "; nothing of the batch was committed", e.retry_after_ms());
  }
}

// Only ever called inside a catch handler.
void SinkTransaction::rethrow_as_retry(const char* why) {
  try {
    throw;
  } catch (const Error& e) {
    if (e.status() == FERRY_RETRY) throw;
    throw Error(FERRY_RETRY, std::string(e.what()) + " (" + why + ")", e.retry_after_ms());
  } catch (const std::exception& e) {
    throw Error(FERRY_RETRY, who_ + ": " + e.what() + " (" + why + ")");
  }
}

void SinkTransaction::abort() noexcept {
  if (open_) dialect_.rollback();
  open_ = false;
  lost_staged_ = false;
  staged_ = 0;
  dialect_.rolled_back(true);
}

}  // namespace ferry::support
