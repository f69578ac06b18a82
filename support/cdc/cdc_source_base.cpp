#include "cdc_source_base.h"

namespace ferry::support {
namespace {

constexpr uint64_t kDefaultBatchRecords = 1000;

}  // namespace

CdcSourceBase::CdcSourceBase(const ferry::Context& ctx, const std::string& plugin, const std::string& errors)
    : host_(ctx.host()),
      batch_(ctx.host(), plugin, errors),
      errors_(errors),
      batch_records_(ctx.max_batch_records() > 0 ? ctx.max_batch_records() : kDefaultBatchRecords) {}

void CdcSourceBase::start(std::string_view partition, const std::string_view* position) {
  if (partition != partition_name())
    throw ferry::Error(FERRY_ERROR_CONFIG, errors_ + ": unknown partition '" + std::string(partition) + "'");
  partition_.assign(partition);
  batch_.set_partition(partition_);
  resume_.reset();
  if (position != nullptr && !position->empty()) {
    check_position(*position);  // a foreign checkpoint fails here, before any connection
    resume_ = std::string(*position);
  }
  opened_ = false;
}

bool CdcSourceBase::next(FerryBatch* out) {
  if (partition_.empty()) throw ferry::Error(FERRY_ERROR_INTERNAL, errors_ + ": next() called before start()");
  try {
    if (!opened_) {
      open();
      opened_ = true;
      lost_ = false;
    }
    if (lost_) {
      reconnect();
      lost_ = false;
    }
    return read(out);
  } catch (const ferry::Error& e) {
    // The host calls next() again after a RETRY: it then reads on from the
    // last batch handed over, on new connections.
    if (e.status() == FERRY_RETRY && opened_) lost_ = true;
    throw;
  }
}

}  // namespace ferry::support
