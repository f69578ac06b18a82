// A sink that declares FERRY_CAP_SINGLE_WRITER and fails loudly whenever
// the host breaks that promise: a second instance open at once, two calls
// at once, or a batch of another partition written before the first one
// was committed or aborted. Transactional and fenced: it keeps each
// partition's checkpoint and fence (in memory, for the life of the
// process) and appends committed rows to DIR/rows.txt ("partition<TAB>key"
// per row); with `down` every open answers RETRY; a row whose key is `errant_key` is reported to the host as an
// errant record instead. Being fenced, only its single-writer flag keeps workers of
// other processes from sharing its pipeline.
#include <ferry/plugin.hpp>

#include <atomic>
#include <cstdio>
#include <map>
#include <string>

namespace {

std::atomic<int> g_open{0};

void append(const std::string& path, const std::string& text) {
  FILE* f = std::fopen(path.c_str(), "a");
  if (!f) throw ferry::Error(FERRY_ERROR_IO, "cannot open " + path);
  std::fwrite(text.data(), 1, text.size(), f);
  std::fclose(f);
}

std::atomic<bool> g_busy{false};

// Holds the "inside a call" flag; a second thread inside is the bug this
// plugin exists to catch.
class OneCallAtATime {
 public:
  explicit OneCallAtATime(const char* call) {
    if (g_busy.exchange(true))
      throw ferry::Error(FERRY_ERROR_INTERNAL, std::string("single-writer sink: ") + call +
                                                   " called while another call was running");
  }
  ~OneCallAtATime() { g_busy = false; }
};

class SingleWriterSink : public ferry::Sink {
 public:
  explicit SingleWriterSink(const ferry::Context& ctx) : host_(ctx.host()) {
    ctx.require_typed_options();
    const std::string dir = ctx.resolve_path(ctx.option_string("dir"));
    if (ctx.option_bool("down", false)) {
      append(dir + "/opens.txt", "open\n");
      throw ferry::Error(FERRY_RETRY, "single-writer sink: down");
    }
    if (g_open.fetch_add(1) > 0) {
      g_open.fetch_sub(1);
      throw ferry::Error(FERRY_ERROR_CONFIG, "single-writer sink: a second instance was opened while one is open");
    }
    dir_ = dir;
    errant_key_ = ctx.option_string("errant_key");
  }
  ~SingleWriterSink() override { g_open.fetch_sub(1); }

  void write(const ferry::BatchView& b, ferry::Outcomes&) override {
    OneCallAtATime one("write");
    const std::string partition(b.partition());
    if (in_batch_ && partition != partition_)
      throw ferry::Error(FERRY_ERROR_INTERNAL, "single-writer sink: a batch of partition '" + partition +
                                                   "' was written inside the open batch of '" + partition_ + "'");
    in_batch_ = true;
    partition_ = partition;
    for (size_t r = 0; r < b.rows(); ++r) {
      const std::string key(b.key(r));
      if (!errant_key_.empty() && key == errant_key_)
        host_.reject(partition, b.position(r), key, key, "single-writer sink: cannot take " + key);
      else
        staged_ += partition + "\t" + key + "\n";
    }
  }

  void commit(const FerryCheckpoint* cp) override {
    OneCallAtATime one("commit");
    const std::string partition(ferry::view(cp->partition));
    if (ferry::fence_token(*cp) < fences_[partition])
      throw ferry::Error(FERRY_FENCED, "single-writer sink: partition '" + partition + "' is fenced");
    if (in_batch_ && partition != partition_)
      throw ferry::Error(FERRY_ERROR_INTERNAL, "single-writer sink: partition '" + partition +
                                                   "' committed the open batch of '" + partition_ + "'");
    append(dir_ + "/rows.txt", staged_);
    checkpoints_[partition] = std::string(ferry::view(cp->position));
    staged_.clear();
    in_batch_ = false;
  }

  void abort() override {
    OneCallAtATime one("abort");
    staged_.clear();
    in_batch_ = false;
  }

  void fence(std::string_view partition, uint64_t token) override {
    OneCallAtATime one("fence");
    uint64_t& fenced = fences_[std::string(partition)];
    if (token < fenced) throw ferry::Error(FERRY_FENCED, "single-writer sink: fenced with a newer token");
    fenced = token;
  }

  std::optional<std::string> checkpoint(std::string_view partition) override {
    OneCallAtATime one("checkpoint");
    auto it = checkpoints_.find(std::string(partition));
    if (it == checkpoints_.end()) return std::nullopt;
    return it->second;
  }

 private:
  ferry::Host host_;
  std::string dir_, errant_key_, partition_, staged_;
  bool in_batch_ = false;
  std::map<std::string, std::string> checkpoints_;
  std::map<std::string, uint64_t> fences_;
};

const FerryOptionSpec kOptions[] = {
    {"dir", FERRY_OPTION_STRING, FERRY_OPTION_REQUIRED, nullptr, "where rows.txt goes"},
    {"down", FERRY_OPTION_BOOL, 0, "false", "every open answers RETRY (logged to opens.txt)"},
    {"errant_key", FERRY_OPTION_STRING, 0, "\"\"", "a key reported as an errant record, not written"},
};
const FerryKindSpec kKinds[] = {
    {FERRY_KIND_SINK, FERRY_CAP_TRANSACTIONAL | FERRY_CAP_FENCED | FERRY_CAP_SINGLE_WRITER,
     "test sink that takes one writer at a time and catches a host that breaks that", kOptions,
     FERRY_COUNT_OF(kOptions)},
};

}  // namespace

FERRY_PLUGIN_DESCRIPTOR("single-writer", "1.0.0", "a sink that must not be written by two at once", kKinds)
FERRY_PLUGIN(SingleWriterSink)
