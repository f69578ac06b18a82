// What every change-data-capture source does around its reads. start()
// checks the checkpoint before any connection and leaves connecting to
// next(), which the host calls again while the server cannot be reached.
// After a lost connection (a RETRY), the next call reconnects and reads on
// from the last batch handed over.
//
// Thread safety: one instance is called serially (ABI convention 4).
#pragma once

#include <ferry/plugin.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cdc_batch.h"

namespace ferry::support {

class CdcSourceBase : public ferry::Source {
 public:
  std::vector<std::string> partitions() override { return {partition_name()}; }
  void start(std::string_view partition, const std::string_view* position) final;
  bool next(FerryBatch* out) final;

 protected:
  // `plugin` begins the reason of each change sent to the DLQ
  // ("postgres-cdc"), `errors` each error's message ("postgres-cdc").
  CdcSourceBase(const ferry::Context& ctx, const std::string& plugin, const std::string& errors);

  // The one partition's name.
  virtual std::string partition_name() const = 0;
  // Throws ferry::Error (FERRY_ERROR_CONFIG) for a checkpoint that is not
  // this source's.
  virtual void check_position(std::string_view position) const = 0;
  // Connects and starts where resume() says (a first run when it is none).
  virtual void open() = 0;
  // New connections after a lost one, reading on after the last batch
  // handed over.
  virtual void reconnect() = 0;
  virtual bool read(FerryBatch* out) = 0;

  // The next call reconnects before it reads (the stream starts on new
  // connections once the copy is handed over).
  void reconnect_next() { lost_ = true; }
  bool connection_lost() const { return lost_; }
  const std::optional<std::string>& resume() const { return resume_; }
  const std::string& partition() const { return partition_; }
  uint64_t batch_records() const { return batch_records_; }

  ferry::Host host_;
  CdcBatch batch_;

 private:
  std::string errors_;
  uint64_t batch_records_;
  std::string partition_;
  std::optional<std::string> resume_;  // the position start() was given
  bool opened_ = false;
  bool lost_ = false;
};

}  // namespace ferry::support
