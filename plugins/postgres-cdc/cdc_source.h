// The postgres-cdc source: a table's rows, then its changes, read from a
// logical replication slot with the built-in pgoutput plugin.
//
// One partition, named after the slot. A new slot exports its snapshot;
// the table is copied at that snapshot in primary-key pages, and the stream
// then starts at the slot's consistent point: nothing is lost or applied
// twice between the two. Every batch holds whole transactions and ends at a
// transaction's end; its position is that LSN, so a resumed run asks the
// server for what committed after it. The slot's flush position is only
// ever a position the host handed back (every sink holds it).
//
// Thread safety: one instance is called serially (ABI convention 4).
#ifndef FERRY_PLUGINS_POSTGRES_CDC_CDC_SOURCE_H_
#define FERRY_PLUGINS_POSTGRES_CDC_CDC_SOURCE_H_

#include <ferry/plugin.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <cdc/cdc_source_base.h>

#include "cdc_position.h"
#include "options.h"
#include "pg_link.h"
#include "pgoutput.h"
#include "replication_stream.h"
#include "source_table.h"

namespace ferry_pg_cdc {

class CdcSource final : public ferry::support::CdcSourceBase {
 public:
  explicit CdcSource(const ferry::Context& ctx);
  // The configuration as the constructor reads it, without connecting (ABI 1.3).
  static void check_config(const ferry::Context& ctx);

  // The slot may drop the WAL before a committed stream position.
  void acknowledged(std::string_view partition, std::string_view position) override;

 private:
  struct Change {
    FerryOp op = FERRY_OP_INSERT;
    Tuple values;
    std::string refused;  // why it cannot be applied exactly; it goes to the DLQ
  };
  struct Transaction {
    Lsn end = 0;
    ferry::support::CdcLag::Clock::time_point committed;
    std::vector<Change> changes;
    bool truncated = false;  // TRUNCATE of the table: reported with the transaction's batch
  };
  enum class Phase { Snapshot, Stream };

  std::string partition_name() const override { return opts_.slot; }
  void check_position(std::string_view position) const override { parse_position(position); }
  // What start() asked for: the slot, the publication, the snapshot or
  // the stream.
  void open() override;
  // After a lost connection: a new snapshot from the last key handed over,
  // or a new stream from the last transaction handed over.
  void reconnect() override;
  bool read(FerryBatch* out) override { return phase_ == Phase::Snapshot ? snapshot_page(out) : stream_batch(out); }
  void ensure_publication();
  void begin_snapshot(const std::string& exported, std::optional<std::vector<std::string>> after, Lsn stream_from);
  bool snapshot_page(FerryBatch* out);
  void start_stream(Lsn from);
  bool stream_batch(FerryBatch* out);
  void handle(const Message& m);
  void on_update(const Message& m);
  void on_relation(const Relation& r);
  // The transaction's rows go into the batch; false when its columns differ
  // from the batch's (the batch must be handed over first).
  bool append(const Transaction& tx);
  void use_columns(const std::vector<RelationColumn>& columns);
  void add_row(const Tuple& values, FerryOp op, const std::string& position, std::string refused);
  bool caught_up() const;
  void finish(FerryBatch* out, const CdcPosition& end);
  // The slot's lag as gauges: bytes the server sent past what every sink
  // committed, and the age of the oldest change a sink has not committed.
  void report_lag();

  Options opts_;
  std::unique_ptr<PgLink> sql_;
  std::unique_ptr<PgLink> repl_;
  std::unique_ptr<ReplicationStream> stream_;
  SourceTable table_;

  Phase phase_ = Phase::Snapshot;
  std::optional<std::vector<std::string>> after_;  // snapshot: last key copied
  Lsn stream_from_ = 0;
  Lsn applied_ = 0;  // end of the last transaction in the batch being built
  Lsn handed_ = 0;   // end of the last batch handed to the host
  Lsn acked_ = 0;    // end of the last batch every sink committed
  std::chrono::steady_clock::time_point last_handed_ = std::chrono::steady_clock::now();
  Lsn target_ = 0;   // follow = false: the stream ends once here
  std::optional<Relation> relation_;
  std::vector<size_t> relation_key_at_;  // primary key columns in relation_
  std::optional<Transaction> open_;   // between BEGIN and COMMIT
  std::optional<Transaction> ready_;  // committed, waiting for the next batch

  std::vector<RelationColumn> columns_;  // the batch's fields
  ferry::support::CdcBatch::Shown shown_;  // the row being added
};

}  // namespace ferry_pg_cdc

#endif  // FERRY_PLUGINS_POSTGRES_CDC_CDC_SOURCE_H_
