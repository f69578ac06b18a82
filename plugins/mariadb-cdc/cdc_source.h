// The mariadb-cdc source: a table's rows, then its changes, read from the
// server's binary log as a replica reads it.
//
// One partition, named database.table. The first run copies the table in
// primary-key pages inside START TRANSACTION WITH CONSISTENT SNAPSHOT, whose
// binlog position (binlog_snapshot_file/position, as a GTID position) is
// exactly where the copy stands: the stream starts there, so nothing is lost
// or applied twice between the two. Every batch holds whole transactions;
// its position is the GTID position after the last one, so a resumed run
// asks the server for what followed it. MariaDB keeps binlogs by age, not by
// reader: nothing here holds them back.
//
// Thread safety: one instance is called serially (ABI convention 4).
#ifndef FERRY_PLUGINS_MARIADB_CDC_CDC_SOURCE_H_
#define FERRY_PLUGINS_MARIADB_CDC_CDC_SOURCE_H_

#include <ferry/plugin.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <cdc/cdc_source_base.h>

#include "binlog_stream.h"
#include "cdc_position.h"
#include "maria_link.h"
#include "options.h"
#include "row_image.h"
#include "source_table.h"

namespace ferry_maria_cdc {

class CdcSource final : public ferry::support::CdcSourceBase {
 public:
  explicit CdcSource(const ferry::Context& ctx);
  // The configuration as the constructor reads it, without connecting (ABI 1.3).
  static void check_config(const ferry::Context& ctx);

  // Only for the lag gauge: the binlog is kept by age, not by reader.
  void acknowledged(std::string_view partition, std::string_view position) override;

 private:
  struct Change {
    FerryOp op = FERRY_OP_INSERT;
    Row values;
  };
  struct Transaction {
    Gtid gtid;
    ferry::support::CdcLag::Clock::time_point committed;  // the binlog's timestamp (seconds)
    bool standalone = false;  // DDL and the like: no COMMIT ends it
    std::vector<ColumnKind> columns;  // the table's columns when it wrote
    std::vector<Change> changes;
  };
  enum class Phase { Snapshot, Stream };

  std::string partition_name() const override { return opts_.database + "." + opts_.table; }
  void check_position(std::string_view position) const override { parse_position(position); }
  void open() override;
  void reconnect() override;
  bool read(FerryBatch* out) override;
  void check_server();
  void begin_snapshot(std::optional<std::vector<std::string>> after, std::optional<GtidState> stream_from);
  bool snapshot_page(FerryBatch* out);
  void start_stream(const GtidState& from);
  bool stream_batch(FerryBatch* out);
  void handle(const MARIADB_RPL_EVENT& e);
  void on_table_map(const MARIADB_RPL_EVENT& e);
  void on_rows(const MARIADB_RPL_EVENT& e);
  void end_transaction();
  // The transaction's rows go into the batch; false when its columns differ
  // from the batch's (the batch must be handed over first).
  bool append(const Transaction& tx);
  void use_columns(const std::vector<ColumnKind>& columns);
  void add_row(const Row& values, FerryOp op, const std::string& position);
  // The same, with shown_ showing `values` already.
  void add_shown(const Row& values, FerryOp op, const std::string& position);
  // shown_: a row of the batch's columns as it reads in positions, record
  // keys and DLQ payloads (bytes as hex, kept in hex_). Only the key
  // columns' bytes are spelt out unless `whole` (a refused row's payload).
  void show(const Row& values, bool whole);
  bool caught_up() const;
  void finish(FerryBatch* out, const CdcPosition& end);
  void report_lag();

  Options opts_;
  std::unique_ptr<MariaLink> sql_;
  std::unique_ptr<BinlogStream> stream_;
  SourceTable table_;

  Phase phase_ = Phase::Snapshot;
  std::optional<std::vector<std::string>> after_;  // snapshot: last key copied
  GtidState stream_from_;
  GtidState applied_;  // after the last transaction in the batch being built
  GtidState handed_;   // after the last batch handed to the host
  GtidState target_;   // follow = false: the stream ends once it covers this
  bool target_read_ = false;  // once per run, at the stream's first start
  bool reopen_ = false;         // the server moved to its next binlog file
  bool catalog_stale_ = false;  // DDL passed since the catalog was read

  uint64_t table_id_ = UINT64_MAX;    // the table's id in the current table map
  std::vector<MappedColumn> mapped_;  // the table map's columns
  std::vector<ColumnKind> mapped_kinds_;
  std::vector<size_t> mapped_key_at_;
  std::optional<Transaction> open_;   // between its GTID event and its end
  std::optional<Transaction> ready_;  // ended, waiting for the next batch

  std::vector<ColumnKind> columns_;  // the batch's fields
  ferry::support::CdcBatch::Shown shown_;  // the row being added
  std::vector<std::string> hex_;           // its bytes values as hex
};

}  // namespace ferry_maria_cdc

#endif  // FERRY_PLUGINS_MARIADB_CDC_CDC_SOURCE_H_
