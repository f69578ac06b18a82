#include "engine/batch_reader.h"

#include <chrono>
#include <thread>

#include "common/error.h"
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
      pass_acknowledgement();
      FerryBatch batch{};
      CallResult r;
      const size_t pending_before = pending.size();
      {
        ErrantRecords::Collect collect(&pending);
        const auto called = Clock::now();
        r = w_.source->next(&batch);
        run.observe_call("next", "source", called);
      }
      if (r.status == FERRY_END_OF_STREAM) {
        if (!gathered_.empty()) {
          log_warn("the partition, read again, ended before the end of a batch an interrupted run had delivered",
                   run.fields(partition_));
          held_.front().end_position = to_string(gathered_.back().end_position);
          if (!emit_held(queue)) return;
        }
        held_.clear();
        // Reported after the last batch: nothing commits them, so they are
        // stored now (as possible duplicates of an earlier read's).
        if (!pending.empty() && !run.dry_run()) run.state.add_dlq(pending);
        auto end = std::make_unique<ReadItem>();
        end->end = true;
        queue.push(std::move(end));
        return;
      }
      if (r.status == FERRY_RETRY) {
        // A RETRY emitted nothing: the read again reports its errant
        // records again, so those of this call are neither kept nor counted.
        const auto dropped = static_cast<int64_t>(pending.size() - pending_before);
        pending.resize(pending_before);
        w_.counts.read -= dropped;
        w_.counts.rejected -= dropped;
        if (++retries >= run.def.retry.max_attempts)
          throw Error("source (plugin '" + run.def.source.plugin + "') gave up after " + std::to_string(retries) +
                      " attempts reading partition '" + partition_ + "': " + r.message);
        const uint64_t delay = backoff.delay_ms(retries, r.retry_after_ms);
        // Said, so an operator sees a source that is down while the run waits.
        log_warn("read failed, retrying in " + std::to_string(delay) + " ms (attempt " + std::to_string(retries) +
                     " of " + std::to_string(run.def.retry.max_attempts) + "): " + r.message,
                 run.fields(partition_, "source"));
        if (!sleep_unless_stopping(delay, &run.stop)) break;
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

void BatchReader::pass_acknowledgement() {
  std::optional<std::string> position;
  {
    std::lock_guard<std::mutex> lock(acked_mu_);
    position.swap(acked_);
  }
  if (!position) return;
  const CallResult r = w_.source->acknowledged(partition_, *position);
  if (!r.ok())
    log_warn("source could not take the acknowledgement of position '" + *position + "': " + r.message,
             w_.run.fields(partition_, "source"));
}

void BatchReader::next_held() {
  while (!held_.empty() && held_.front().rows <= 0) held_.pop_front();
}

bool BatchReader::emit(const FerryBatch& batch, std::vector<DlqEntry> errants,
                       BoundedQueue<std::unique_ptr<ReadItem>>& queue) {
  if (held_.empty()) {
    // An empty batch at the position already passed on carries nothing: a
    // quiet source (change data capture) returns them to hear
    // acknowledgements and to stay responsive, and queued they would fill
    // the queue behind a slow sink and stop the source from being called.
    const std::string_view end(batch.end_position.data ? batch.end_position.data : "", batch.end_position.size);
    if (batch.n_rows == 0 && errants.empty() && last_end_ == end) {
      FerryBatch copy = batch;
      if (copy.release) copy.release(&copy);
      return true;
    }
    if (last_end_) last_end_->assign(end);  // keeps its buffer: no allocation per batch
    else last_end_.emplace(end);
    return emit_one(batch, std::move(errants), nullptr, queue);
  }
  HeldRows& held = held_.front();
  const auto rows = static_cast<int64_t>(batch.n_rows);
  for (DlqEntry& e : errants) gathered_errants_.push_back(std::move(e));
  if (rows <= held.rows) {
    gathered_.push_back(batch);
    held.rows -= rows;
    return held.rows > 0 || emit_held(queue);
  }
  // The held rows end inside this source batch: cut it there.
  const auto cut = static_cast<size_t>(held.rows);
  gathered_.push_back(copy_rows(batch, 0, cut, held.end_position));
  FerryBatch rest = copy_rows(batch, cut, batch.n_rows, to_string(batch.end_position));
  FerryBatch original = batch;
  if (original.release) original.release(&original);
  held.rows = 0;
  if (!emit_held(queue)) {
    if (rest.release) rest.release(&rest);
    return false;
  }
  // The rest goes on to the next batch held, if any.
  return emit(rest, {}, queue);
}

bool BatchReader::emit_held(BoundedQueue<std::unique_ptr<ReadItem>>& queue) {
  const HeldRows done = std::move(held_.front());
  held_.pop_front();
  next_held();
  std::vector<FerryBatch> parts = std::move(gathered_);
  gathered_.clear();
  struct Release {
    std::vector<FerryBatch>& parts;
    ~Release() {
      for (FerryBatch& p : parts)
        if (p.release) p.release(&p);
    }
  } release{parts};
  if (parts.empty()) return true;
  // A batch cut before must come again with the rows that named it: a row
  // the source added or dropped since (a keyset source's table changed
  // under the range) would shift the cut, and the batch would land under
  // another name or claim a position it does not hold.
  if (done.first_last) {
    const FerryBatch* first = nullptr;
    const FerryBatch* last = nullptr;
    for (const FerryBatch& p : parts)
      if (p.n_rows > 0) {
        if (!first) first = &p;
        last = &p;
      }
    const std::string read_first = first ? to_string(first->records[0].position) : "";
    const std::string read_last = last ? to_string(last->records[last->n_rows - 1].position) : "";
    if (first && (read_first != done.first_last->first || read_last != done.first_last->second))
      throw Error("partition '" + partition_ + "': the rows read again for a batch an interrupted run delivered "
                  "are not the rows it held (rows from position '" + done.first_last->first + "' to '" +
                  done.first_last->second + "', read again from '" + read_first + "' to '" + read_last +
                  "'): the source changed inside that range since. Delivering other rows under the batch's "
                  "positions could skip or repeat records; see docs/operations.md, \"Reading and resetting checkpoints\"");
  }
  // A batch cut before whose rows end where a source batch ends now keeps
  // that batch's end: the source read no further (a rejected line after
  // them comes with the next batch, which then checkpoints it), and the
  // rows, which name the batch, are the same. Rows cut inside a source
  // batch have the batch's end already. The batch of an intent ends where
  // the sinks that hold it say.
  const std::string end = done.intent ? done.end_position : to_string(parts.back().end_position);
  FerryBatch held{};
  if (parts.size() == 1 && to_string(parts[0].end_position) == end) {
    held = parts[0];
    parts.clear();  // handed on whole
  } else {
    std::vector<const FerryBatch*> views;
    for (const FerryBatch& p : parts) views.push_back(&p);
    held = join_rows(views, end);
  }
  return emit_one(held, std::move(gathered_errants_), &done, queue);
}

bool BatchReader::emit_one(const FerryBatch& batch, std::vector<DlqEntry> errants, const HeldRows* done,
                           BoundedQueue<std::unique_ptr<ReadItem>>& queue) {
  auto item = std::make_unique<ReadItem>();
  item->chain = std::make_unique<BatchChain>(batch);
  item->source_rows = static_cast<int64_t>(batch.n_rows);
  item->held = done && done->intent;
  if (done) item->recut_of = done->cut_to;
  item->errants = std::move(errants);
  {
    ErrantRecords::Collect collect(&item->errants);
    item->rejects = w_.transforms.apply(*item->chain);
  }
  return queue.push(std::move(item));
}

}  // namespace ferry::core
