// Where the batches in flight to a sink whose output is named after the
// batch (FERRY_CAP_NAMED_BY_BATCH: the s3 and file sinks) were cut. Such a
// sink overwrites its own output with a batch that comes again only when
// the batch is cut as before; after a crash the source may cut it otherwise
// (its input grew, max_records changed), and the records would then land
// twice under two names. So each cut is saved in the state store before
// the sink commits the batch, and a resumed partition reads the batches in
// doubt again cut the same way.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ferry::core {

struct BatchCut {
  std::optional<std::string> from;  // the checkpoint before the batch
  std::string to;                   // its end position
  int64_t source_rows = 0;          // rows the source gave for it
  std::string first, last;          // the positions of its first and last source rows (what names it)
};

std::string encode_cuts(const std::vector<BatchCut>& cuts);
// Throws Error when `text` is not what encode_cuts wrote.
std::vector<BatchCut> decode_cuts(const std::string& text);

// The cuts after `resumed_at` (the checkpoint a partition resumes from),
// in order: the batches that may have reached a sink and must come again
// cut as before. None when `resumed_at` is no boundary of `cuts` (they are
// older than the checkpoint, or the partition was reset).
std::vector<BatchCut> cuts_in_doubt(const std::vector<BatchCut>& cuts, const std::optional<std::string>& resumed_at);

}  // namespace ferry::core
