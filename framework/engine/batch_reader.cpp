#include "engine/batch_reader.h"

#include <chrono>
#include <thread>

#include "common/log.h"
#include "engine/backoff.h"

namespace ferry::core {
namespace {

using Clock = std::chrono::steady_clock;

}  // namespace

void BatchReader::run(BoundedQueue<std::unique_ptr<ReadItem>>& queue) {
  RunContext& run = w_.run;
  Backoff backoff(run.def.retry);
  uint32_t retries = 0;
  std::vector<DlqEntry> pending;  // errant records reported before a batch came
  try {
    while (!run.stop.stopping()) {
      while (run.options.paused && run.options.paused->load() && !run.stop.stopping())
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      FerryBatch batch{};
      CallResult r;
      {
        ErrantRecords::Collect collect(&pending);
        const auto called = Clock::now();
        r = w_.source->next(&batch);
        run.observe_call("next", "source", called);
      }
      if (r.status == FERRY_END_OF_STREAM) {
        // Reported after the last batch: nothing commits them, so they are
        // stored now (as possible duplicates of an earlier read's).
        if (!pending.empty() && !run.dry_run()) run.state.add_dlq(pending);
        auto end = std::make_unique<ReadItem>();
        end->end = true;
        queue.push(std::move(end));
        return;
      }
      if (r.status == FERRY_RETRY) {
        if (++retries >= run.def.retry.max_attempts)
          throw Error("source (plugin '" + run.def.source.plugin + "') gave up after " + std::to_string(retries) +
                      " attempts reading partition '" + partition_ + "': " + r.message);
        if (!sleep_unless_stopping(backoff.delay_ms(retries, r.retry_after_ms), &run.stop)) break;
        continue;
      }
      retries = 0;
      w_.counts.read += static_cast<int64_t>(batch.n_rows);
      run.count("ferry_records_read_total", run.labels(), static_cast<double>(batch.n_rows));
      // Throttle here, so a capped run also holds back the queue behind it.
      if (run.limiter && batch.n_rows > 0 && !run.limiter->acquire(static_cast<double>(batch.n_rows), &run.stop)) {
        if (batch.release) batch.release(&batch);
        break;
      }
      if (!emit(batch, std::move(pending), queue)) return;
      pending.clear();
    }
    auto end = std::make_unique<ReadItem>();
    end->end = true;
    queue.push(std::move(end));
  } catch (...) {
    auto failed = std::make_unique<ReadItem>();
    failed->error = std::current_exception();
    queue.push(std::move(failed));
  }
}

bool BatchReader::emit(const FerryBatch& batch, std::vector<DlqEntry> errants,
                       BoundedQueue<std::unique_ptr<ReadItem>>& queue) {
  const auto rows = static_cast<int64_t>(batch.n_rows);
  if (held_.rows <= 0) return emit_one(batch, std::move(errants), false, queue);
  if (rows <= held_.rows) {
    held_.rows -= rows;
    if (held_.rows == 0 && to_string(batch.end_position) != held_.end_position)
      log_warn("the partition, read again, does not end the interrupted batch where it ended before ('" +
                   held_.end_position + "', now '" + to_string(batch.end_position) + "')",
               w_.run.fields(partition_));
    return emit_one(batch, std::move(errants), true, queue);
  }
  // The source batches differently than when the commit was cut short:
  // split its batch where that commit ended.
  const auto cut = static_cast<size_t>(held_.rows);
  FerryBatch first = copy_rows(batch, 0, cut, held_.end_position);
  FerryBatch rest = copy_rows(batch, cut, batch.n_rows, to_string(batch.end_position));
  FerryBatch original = batch;
  if (original.release) original.release(&original);
  held_.rows = 0;
  if (!emit_one(first, std::move(errants), true, queue)) {
    if (rest.release) rest.release(&rest);
    return false;
  }
  return emit_one(rest, {}, false, queue);
}

bool BatchReader::emit_one(const FerryBatch& batch, std::vector<DlqEntry> errants, bool held,
                           BoundedQueue<std::unique_ptr<ReadItem>>& queue) {
  auto item = std::make_unique<ReadItem>();
  item->chain = std::make_unique<BatchChain>(batch);
  item->source_rows = static_cast<int64_t>(batch.n_rows);
  item->held = held;
  item->errants = std::move(errants);
  {
    ErrantRecords::Collect collect(&item->errants);
    item->rejects = w_.transforms.apply(*item->chain);
  }
  return queue.push(std::move(item));
}

}  // namespace ferry::core
