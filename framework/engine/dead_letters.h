// Turning failures into dead-letter entries: rows of a batch a transform or
// a sink refused, and errant records a plugin reported through its host.
//
// Errant records reported while the reader thread produces a batch (by the
// source's next or a transform's apply) travel with that batch and are
// stored when it commits; records reported anywhere else (listing
// partitions, starting one, by sinks and hooks) are stored at once, as
// duplicates-checked entries, since the same record may be reported again
// when its partition is read again.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <ferry/plugin.h>

#include "engine/run_context.h"
#include "engine/sink_writer.h"

namespace ferry::core {

// The classes a DLQ entry can have: kRetryExhausted, kSinkFailed, or the
// name of the status a sink or transform refused a row with, or a plugin
// gave an errant record ("invalid_data", "io_error", ...).
bool is_error_class(std::string_view name);
// The known classes, for a message: "invalid_data, retry_exhausted, ...".
std::string error_class_list();

DlqEntry row_entry(const RunContext& run, const FerryBatch& batch, size_t row, const std::string& partition_key,
                   const std::string& stage, const std::string& sink, const RowFailure& failure);

class ErrantRecords {
 public:
  explicit ErrantRecords(RunContext& run) : run_(run) {}

  // The host service behind report_errant_record for `stage`.
  FerryStatus report(const std::string& stage, const std::string& current_partition, const FerryErrantRecord& r,
                     WorkerCounts& counts);

  // While one exists on a thread, records reported on that thread go into
  // `into` instead of the state store.
  class Collect {
   public:
    explicit Collect(std::vector<DlqEntry>* into);
    ~Collect();
    Collect(const Collect&) = delete;
    Collect& operator=(const Collect&) = delete;

   private:
    std::vector<DlqEntry>* previous_;
  };

 private:
  RunContext& run_;
};

// Why reading the partitions `in` selects again from the start (a
// checkpoint reset, a backfill redo) would write records twice, or
// nullopt: open DLQ entries of rows there stay, and each such record is
// delivered or queued again beside its entry, which a replay then delivers
// too. (Lines the source could not parse are reported once.)
std::optional<std::string> open_entries_read_again(StateStore& state, const std::string& pipeline,
                                                   const std::function<bool(const std::string&)>& in);
// Why a checkpoint reset (of `partition`, or of every one) is refused, or
// nullopt: open_entries_read_again for what it would read again.
std::optional<std::string> reset_refused(StateStore& state, const std::string& pipeline,
                                         const std::optional<std::string>& partition);
// Why discarding `ids` is refused, or nullopt: one is in a batch an
// interrupted replay left in doubt (replay_entries_in_doubt).
std::optional<std::string> discard_refused(StateStore& state, const std::string& pipeline,
                                           const std::vector<int64_t>& ids);

}  // namespace ferry::core
