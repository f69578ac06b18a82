// The null sink: accepts every row and keeps none.
//
// Rows are counted on commit, not on write, so `null_rows` reports what was
// acknowledged: an aborted attempt that the host replays is not counted twice.
#include <cstdint>
#include <ferry/plugin.hpp>

namespace {

class NullSink final : public ferry::Sink {
 public:
  // The Context is only valid during open; the Host inside it lives until close.
  explicit NullSink(const ferry::Context& ctx) : host_(ctx.host()) {}

  void write(const ferry::BatchView& batch, ferry::Outcomes& /*outcomes*/) override {
    staged_ += static_cast<int64_t>(batch.rows());
  }
  void commit(const FerryCheckpoint* /*checkpoint*/) override {
    if (staged_ != 0) host_.count("null_rows", staged_);
    staged_ = 0;
  }
  void abort() override { staged_ = 0; }

 private:
  ferry::Host host_;
  int64_t staged_ = 0;
};

// No options: the host rejects any key in this sink's config.
const FerryKindSpec kKinds[] = {
    {FERRY_KIND_SINK, FERRY_CAP_IDEMPOTENT, "Discards every row; counts them in null_rows.",
     nullptr, 0},
};

}  // namespace

FERRY_PLUGIN_DESCRIPTOR("null", "1.0.0", "Discards rows (benchmarks, smoke tests)", kKinds)
FERRY_PLUGIN(NullSink)
