// my-sink: appends every committed row to a file as one line of JSON.
// Rename it, keep the shape: stage in write(), make durable in commit(),
// drop in abort(); report a bad row through `outcomes`, fail a call by
// throwing ferry::Error (the C++ layer turns it into a status and message).
#include <ferry/plugin.hpp>

#include <boost/json.hpp>

#include <cstdio>
#include <string>

namespace {

class MySink final : public ferry::Sink {
 public:
  explicit MySink(const ferry::Context& ctx) : host_(ctx.host()) {
    // The host checked the options below (types, required ones), filled in
    // defaults and hands them over typed; a host too old to (before ABI 1.4)
    // is refused rather than leaving "path" empty.
    ctx.require_typed_options();
    path_ = ctx.resolve_path(ctx.option_string("path"));
  }

  void write(const ferry::BatchView& batch, ferry::Outcomes& outcomes) override {
    for (size_t row = 0; row < batch.rows(); ++row) {
      boost::json::object line;
      bool refused = false;
      for (size_t f = 0; f < batch.fields() && !refused; ++f) {
        const FerryValue& v = batch.value(row, f);
        boost::json::value& out = line[batch.field_name(f)];
        switch (v.type) {
          case FERRY_TYPE_NULL: out = nullptr; break;
          case FERRY_TYPE_BOOL: out = v.as.boolean != 0; break;
          case FERRY_TYPE_INT64:
          case FERRY_TYPE_TIMESTAMP: out = v.as.i64; break;
          case FERRY_TYPE_DOUBLE: out = v.as.f64; break;
          case FERRY_TYPE_BYTES:
            // JSON text has no bytes: this row goes to the dead-letter
            // queue with the reason, the others are written.
            outcomes.reject(row, "my-sink cannot write a BYTES value as JSON");
            refused = true;
            break;
          default: out = std::string(ferry::view(v.as.bytes)); break;
        }
      }
      if (!refused) staged_ += boost::json::serialize(line) + "\n";
    }
  }

  void commit(const FerryCheckpoint* /*checkpoint*/) override {
    if (staged_.empty()) return;
    std::FILE* f = std::fopen(path_.c_str(), "a");
    if (!f) throw ferry::Error(FERRY_ERROR_IO, "my-sink: cannot open " + path_);
    bool ok = std::fwrite(staged_.data(), 1, staged_.size(), f) == staged_.size();
    ok = std::fclose(f) == 0 && ok;
    if (!ok) throw ferry::Error(FERRY_ERROR_IO, "my-sink: cannot write " + path_);
    staged_.clear();
  }

  void abort() override { staged_.clear(); }

 private:
  ferry::Host host_;
  std::string path_;
  std::string staged_;
};

const FerryOptionSpec kOptions[] = {
    {"path", FERRY_OPTION_STRING, FERRY_OPTION_REQUIRED, nullptr,
     "Output file (JSON Lines), relative to the pipeline's directory; rows are appended."},
};
const FerryKindSpec kKinds[] = {
    {FERRY_KIND_SINK, 0, "Appends rows as JSON Lines.", kOptions, FERRY_COUNT_OF(kOptions)},
};

}  // namespace

FERRY_PLUGIN_DESCRIPTOR("my-sink", "0.1.0", "A sink to start from", kKinds)
FERRY_PLUGIN(MySink)
