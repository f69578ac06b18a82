#include "engine/sink_writer.h"

#include <chrono>
#include <numeric>
#include <string>
#include <string_view>

#include "common/log.h"
#include "engine/batch_selection.h"

namespace ferry::core {
namespace {

using Clock = std::chrono::steady_clock;

class Writer {
 public:
  Writer(SinkInstance& sink, const FerryBatch& batch, const RetryPolicy& policy, Backoff& backoff,
         const StopSource* stop)
      : sink_(sink), batch_(batch), policy_(policy), backoff_(backoff), stop_(stop), started_(Clock::now()) {}

  SinkWriteResult run() {
    std::vector<size_t> all(batch_.n_rows);
    std::iota(all.begin(), all.end(), size_t{0});
    write_rows(std::move(all), true);
    return std::move(result_);
  }

  // A sink named by batch names an output after the rows it is given: part
  // of a batch written alone would land under a name of its own, beside the
  // batch's output when the batch is written again (a lost commit reply, a
  // resume), or over it when the part's first and last rows share the
  // batch's positions. So it is only ever given the whole batch: for rows
  // it asks to retry, what it staged is dropped (abort) and the whole batch
  // written again, and a call it fails whole is not halved. What it holds
  // staged is then always the last call's rows, and the rows that go to
  // the DLQ are the others.
  bool whole_batches_only() const { return sink_.named_by_batch(); }

 private:
  // Writes `rows`; `whole` means they are the entire batch (no copy needed).
  void write_rows(std::vector<size_t> rows, bool whole) {
    uint32_t attempts = 0;
    while (!rows.empty() && result_.acked) {
      std::unique_ptr<BatchSelection> selection;
      const FerryBatch* b = &batch_;
      if (!whole) {
        selection = std::make_unique<BatchSelection>(batch_, rows);
        b = selection->get();
      }
      std::vector<FerryRecordOutcome> outcomes(rows.size());
      ++attempts;
      ++result_.attempts;
      CallResult r = sink_.write(b, outcomes.data());

      if (r.status == FERRY_OK) {
        result_.wrote = true;
        std::vector<size_t> again;
        for (size_t i = 0; i < rows.size(); ++i) {
          const FerryRecordOutcome& o = outcomes[i];
          if (o.status == FERRY_OK) continue;
          std::string msg = o.message.size ? std::string(o.message.data, o.message.size) : status_text(o.status);
          if (o.status == FERRY_RETRY) {
            again.push_back(rows[i]);
            last_message_ = msg;
            continue;
          }
          result_.rejected.push_back({rows[i], status_name(o.status == FERRY_INVALID_DATA ? FERRY_INVALID_DATA : o.status), msg, attempts});
        }
        if (again.empty()) return;
        // Rows the sink asked to retry alone (a 429 on one bulk item).
        if (!wait_before_retry(again, attempts, 0)) return;
        if (whole_batches_only()) {
          sink_.abort();  // throws when the sink cannot
          result_.rejected.clear();
          result_.wrote = false;
          continue;
        }
        rows = std::move(again);
        whole = false;
        continue;
      }

      if (r.status == FERRY_INVALID_DATA) {
        if (rows.size() == 1 || whole_batches_only()) {
          const std::string why = rows.size() == 1 ? r.message
                                                   : r.message + " (the sink names its output by batch, so the "
                                                                 "batch is not split to find the rows at fault)";
          for (size_t row : rows) result_.rejected.push_back({row, "invalid_data", why, attempts});
          return;
        }
        // The sink failed the whole call: isolate the bad rows by halving.
        size_t half = rows.size() / 2;
        std::vector<size_t> left(rows.begin(), rows.begin() + half);
        std::vector<size_t> right(rows.begin() + half, rows.end());
        result_.extra_writes += 2;
        write_rows(std::move(left), false);
        write_rows(std::move(right), false);
        return;
      }

      // FERRY_RETRY for the whole call.
      last_message_ = r.message;
      if (!wait_before_retry(rows, attempts, r.retry_after_ms)) return;
    }
  }

  // Sleeps before the next attempt; false when the retries are exhausted (the
  // rows are then rejected or the sink marked down).
  bool wait_before_retry(const std::vector<size_t>& rows, uint32_t attempts, uint64_t hint_ms) {
    auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started_).count();
    uint64_t delay = backoff_.delay_ms(attempts, hint_ms);
    const bool out_of_attempts = attempts >= policy_.max_attempts;
    if (out_of_attempts || static_cast<uint64_t>(elapsed) + delay > policy_.max_elapsed_ms) {
      std::string why = "gave up after " + std::to_string(attempts) + " attempts: " + last_message_;
      if (!out_of_attempts) {
        // Out of time before out of attempts: say so, or "after 1 attempts"
        // of 12 reads as a policy that was not followed.
        const std::string budget = "the retry budget (max_elapsed_ms " + std::to_string(policy_.max_elapsed_ms) + ")";
        const std::string reason =
            hint_ms > 0 && hint_ms >= delay
                ? "the sink asked to wait " + std::to_string(hint_ms) + " ms before the next attempt, past " + budget
                : "the next wait (" + std::to_string(delay) + " ms) would pass " + budget;
        why = "gave up after " + std::to_string(attempts) + " of " + std::to_string(policy_.max_attempts) +
              " attempts: " + reason + ": " + last_message_;
      }
      log_warn("giving " + why.substr(std::string_view("gave ").size()), LogFields{{}, {}, {}, sink_.stage()});
      if (policy_.on_exhausted == OnExhausted::Fail) {
        result_.acked = false;
        result_.failure = why;
        return false;
      }
      for (size_t row : rows) result_.rejected.push_back({row, kRetryExhausted, why, attempts});
      return false;
    }
    ++result_.retries;
    log_warn("write failed, retrying in " + std::to_string(delay) + " ms (attempt " +
                 std::to_string(attempts) + " of " + std::to_string(policy_.max_attempts) +
                 "): " + last_message_,
             LogFields{{}, {}, {}, sink_.stage()});
    if (!sleep_unless_stopping(delay, stop_)) throw CancelledError();
    return true;
  }

  SinkInstance& sink_;
  const FerryBatch& batch_;
  const RetryPolicy& policy_;
  Backoff& backoff_;
  const StopSource* stop_;
  Clock::time_point started_;
  SinkWriteResult result_;
  std::string last_message_;
};

}  // namespace

SinkWriteResult write_to_sink(SinkInstance& sink, const FerryBatch& batch, const RetryPolicy& policy,
                              Backoff& backoff, const StopSource* stop) {
  if (batch.n_rows == 0) return SinkWriteResult{};
  return Writer(sink, batch, policy, backoff, stop).run();
}

}  // namespace ferry::core
