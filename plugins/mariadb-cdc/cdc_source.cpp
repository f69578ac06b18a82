#include "cdc_source.h"

#include "table_map_columns.h"

#include <boost/json.hpp>

#include <algorithm>

#include <codec/hex.h>

namespace ferry_maria_cdc {
namespace {

// While more of the stream is waiting, how long a batch with rows may grow.
constexpr std::chrono::milliseconds kLinger(100);
// How long a quiet table waits before its position follows the server's
// (the transactions of other tables it read past).
constexpr std::chrono::seconds kQuietAdvance(1);

[[noreturn]] void fail(FerryStatus status, const std::string& message) {
  throw ferry::Error(status, "mariadb-cdc source: " + message);
}

bool same_columns(const std::vector<ColumnKind>& a, const std::vector<ColumnKind>& b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](const ColumnKind& x, const ColumnKind& y) {
    return x.name == y.name && x.kind == y.kind && x.is_unsigned == y.is_unsigned;
  });
}

// Whether two row images hold the same key.
bool same_key(const Row& a, const Row& b, const std::vector<size_t>& key_at) {
  const auto cell = [](const Row& r, size_t at) { return at < r.size() ? r[at] : Cell(); };
  for (size_t at : key_at)
    if (cell(a, at) != cell(b, at)) return false;
  return true;
}

// "12,2" of a column type "decimal(12,2) unsigned".
std::string decimal_digits(const std::string& sql_type) {
  const size_t open = sql_type.find('('), close = sql_type.find(')');
  if (open == std::string::npos || close == std::string::npos || close < open)
    fail(FERRY_ERROR_INTERNAL, "no precision in column type '" + sql_type + "'");
  return sql_type.substr(open + 1, close - open - 1);
}

}  // namespace

void CdcSource::check_config(const ferry::Context& ctx) { parse_options(ctx); }

CdcSource::CdcSource(const ferry::Context& ctx)
    : CdcSourceBase(ctx, "mariadb-cdc", "mariadb-cdc source"), opts_(parse_options(ctx)) {}

void CdcSource::check_server() {
  const std::vector<Row> r = sql_->rows(
      "SELECT @@log_bin, @@binlog_format, @@binlog_row_image, @@binlog_row_metadata, @@version",
      "reading the server's binlog settings");
  const auto setting = [&](size_t c) { return r.empty() ? std::string() : r[0][c].value_or(""); };
  if (setting(4).find("MariaDB") == std::string::npos)
    fail(FERRY_ERROR_CONFIG, "the server is " + setting(4) + ", not MariaDB; this source reads MariaDB's binlog "
                                 "with GTIDs (domain-server-sequence)");
  if (setting(0) != "1") fail(FERRY_ERROR_CONFIG, "the server has no binary log; start it with log_bin");
  const std::pair<size_t, const char*> wanted[] = {{1, "ROW"}, {2, "FULL"}, {3, "FULL"}};
  const char* names[] = {"", "binlog_format", "binlog_row_image", "binlog_row_metadata"};
  for (const auto& [column, value] : wanted)
    if (setting(column) != value)
      fail(FERRY_ERROR_CONFIG, std::string("the server has ") + names[column] + " = " + setting(column) +
                                   "; this source needs " + names[column] + " = " + value +
                                   " (SET GLOBAL, and in the server's configuration)");
}

void CdcSource::open() {
  stream_.reset();
  sql_ = std::make_unique<MariaLink>(opts_);
  check_server();
  table_ = read_source_table(*sql_, opts_.database, opts_.table);
  if (!resume()) {
    begin_snapshot(std::nullopt, std::nullopt);
    return;
  }
  const CdcPosition at = parse_position(*resume());
  if (at.after && at.after->size() != table_.key.size())
    fail(FERRY_ERROR_CONFIG, "the checkpoint's key has " + std::to_string(at.after->size()) +
                                 " columns, the primary key of " + table_.quoted + " " +
                                 std::to_string(table_.key.size()) +
                                 "; reset the pipeline's checkpoints to copy the table again");
  if (at.snapshot) {
    // The snapshot died with the run that took it; the rest of the copy
    // reads a new one, and the changes since the first are applied again
    // by key, which ends in the same rows.
    begin_snapshot(at.after, at.gtid);
    return;
  }
  use_columns(table_.columns);
  start_stream(at.gtid);
}

void CdcSource::begin_snapshot(std::optional<std::vector<std::string>> after, std::optional<GtidState> stream_from) {
  phase_ = Phase::Snapshot;
  after_ = std::move(after);
  sql_->exec("SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ", "starting the snapshot");
  sql_->exec("START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY", "starting the snapshot");
  // The binlog position this snapshot sees exactly up to (InnoDB and the
  // binlog commit together), as a GTID position.
  const std::vector<Row> status = sql_->rows("SHOW STATUS LIKE 'binlog_snapshot_%'", "reading the snapshot's position");
  std::string file, offset;
  for (const Row& r : status) {
    if (r[0] == std::optional<std::string>("Binlog_snapshot_file")) file = r[1].value_or("");
    if (r[0] == std::optional<std::string>("Binlog_snapshot_position")) offset = r[1].value_or("");
  }
  if (file.empty() || offset.find_first_not_of("0123456789") != std::string::npos || offset.empty())
    fail(FERRY_ERROR_IO, "the server did not report the snapshot's binlog position");
  const Cell gtid = sql_->value("SELECT BINLOG_GTID_POS(" + MariaLink::literal(file, false) + ", " + offset + ")",
                                "reading the snapshot's GTID position");
  const auto at = GtidState::parse(gtid.value_or(""));
  if (!gtid || !at) fail(FERRY_ERROR_IO, "the server gave no GTID position for " + file + ":" + offset);
  stream_from_ = stream_from.value_or(*at);
  if (!stream_from) host_.info("mariadb-cdc: copying " + table_.quoted + " at GTID '" + at->text() + "'");
  use_columns(table_.columns);
}

bool CdcSource::snapshot_page(FerryBatch* out) {
  std::string cols, order, bound;
  for (const ColumnKind& c : table_.columns) {
    // A FLOAT prints with six digits; as a DOUBLE, its exact value.
    const std::string name = MariaLink::quote_ident(c.name);
    cols += (cols.empty() ? "" : ", ") + (c.kind == Kind::kFloat ? "CAST(" + name + " AS DOUBLE)" : name);
  }
  for (size_t k = 0; k < table_.key.size(); ++k) {
    const ColumnKind& c = *std::find_if(table_.columns.begin(), table_.columns.end(),
                                        [&](const ColumnKind& x) { return x.name == table_.key[k]; });
    order += (k ? ", " : "") + MariaLink::quote_ident(c.name);
    if (!after_) continue;
    const std::string& v = (*after_)[k];
    std::string lit;
    if (c.kind == Kind::kBytes) {
      const std::optional<std::string> bytes = ferry::support::hex_decode(v);
      if (!bytes)
        fail(FERRY_ERROR_CONFIG, "the checkpoint's key value for column '" + c.name +
                                     "' is not hex; reset the pipeline's checkpoints to copy the table again");
      lit = MariaLink::literal(*bytes, true);
    } else {
      lit = MariaLink::literal(v, false);
    }
    switch (c.kind) {
      case Kind::kInt: case Kind::kYear: lit = "CAST(" + lit + " AS SIGNED)"; break;
      case Kind::kUInt64: lit = "CAST(" + lit + " AS UNSIGNED)"; break;
      case Kind::kDecimal: lit = "CAST(" + lit + " AS DECIMAL(" + decimal_digits(c.sql_type) + "))"; break;
      case Kind::kDate: lit = "CAST(" + lit + " AS DATE)"; break;
      case Kind::kDatetime: case Kind::kTimestamp: lit = "CAST(" + lit + " AS DATETIME(6))"; break;
      case Kind::kTime: lit = "CAST(" + lit + " AS TIME(6))"; break;
      default: break;
    }
    bound += (k ? ", " : "") + lit;
  }
  std::string sql = "SELECT " + cols + " FROM " + table_.quoted;
  if (after_) sql += " WHERE (" + order + ") > (" + bound + ")";
  sql += " ORDER BY " + order + " LIMIT " + std::to_string(batch_records());
  std::vector<Row> page = sql_->rows(sql, "copying " + table_.quoted);
  for (Row& r : page)
    for (size_t c = 0; c < r.size() && c < table_.columns.size(); ++c)
      if (r[c]) canonicalize(table_.columns[c].kind, &*r[c]);

  CdcPosition end{true, stream_from_, after_};
  for (const Row& values : page) {
    show(values, false);
    std::vector<std::string> key;
    for (size_t at : batch_.key_at()) key.emplace_back(shown_[at].value_or(""));
    end.after = std::move(key);
    add_shown(values, FERRY_OP_INSERT, position_text(end));
  }
  if (page.size() < batch_records()) {
    sql_->exec("COMMIT", "ending the snapshot");
    host_.info("mariadb-cdc: copied " + table_.quoted + "; streaming its changes after GTID '" +
               stream_from_.text() + "'");
    finish(out, CdcPosition{false, stream_from_, std::nullopt});
    // The stream starts on the next call: a failure to start it must not
    // take this page with it.
    phase_ = Phase::Stream;
    reconnect_next();
    return true;
  }
  after_ = end.after;
  finish(out, end);
  return true;
}

void CdcSource::start_stream(const GtidState& from) {
  phase_ = Phase::Stream;
  applied_ = from;
  handed_ = from;
  table_id_ = UINT64_MAX;  // the server maps the table again on a new stream
  if (!opts_.follow && !target_read_) {
    const auto now = GtidState::parse(
        sql_->value("SELECT @@gtid_binlog_pos", "reading the binlog's GTID position").value_or(""));
    target_ = now.value_or(GtidState());
    target_read_ = true;
  }
  stream_ = std::make_unique<BinlogStream>(opts_, from, std::chrono::milliseconds(opts_.idle_ms));
}

bool CdcSource::read(FerryBatch* out) {
  if (reopen_) {
    reopen_ = false;
    stream_.reset();
    start_stream(handed_);
  }
  return phase_ == Phase::Snapshot ? snapshot_page(out) : stream_batch(out);
}

void CdcSource::reconnect() {
  open_.reset();
  ready_.reset();
  batch_.lag().dropped();  // that batch is built again
  table_id_ = UINT64_MAX;  // the server maps the table again on a new stream
  mapped_.clear();
  stream_.reset();
  sql_.reset();
  sql_ = std::make_unique<MariaLink>(opts_);
  if (phase_ == Phase::Snapshot) {
    begin_snapshot(after_, stream_from_);
  } else {
    use_columns(table_.columns);
    start_stream(handed_);
  }
}

bool CdcSource::stream_batch(FerryBatch* out) {
  const GtidState batch_start = applied_;
  const auto began = std::chrono::steady_clock::now();
  for (;;) {
    if (ready_) {
      if (!append(*ready_)) break;  // new columns: this batch ends before them
      ready_.reset();
      if (batch_.rows() >= batch_records()) break;
      // Rows wait for more only while more is arriving.
      if (batch_.rows() > 0 && (!stream_->more_waiting() || std::chrono::steady_clock::now() - began >= kLinger))
        break;
      continue;
    }
    if (!opts_.follow && caught_up()) {
      if (batch_.rows() > 0 || applied_ != batch_start) break;
      return false;
    }
    const Event e = stream_->next();
    if ((e->event_type == ROTATE_EVENT && (e->flags & LOG_EVENT_ARTIFICIAL_F) == 0) || e->event_type == STOP_EVENT) {
      // The server goes on in its next binlog file. With checksums on,
      // Connector/C 3.3 cannot read the artificial ROTATE it sends then
      // ("Malformed packet"), so this stream ends here, between
      // transactions, and the next opens after them: the server then
      // starts in the new file.
      if (open_) fail(FERRY_ERROR_IO, "the binlog file ended inside a transaction");
      reopen_ = true;
      break;
    }
    if (e->event_type != HEARTBEAT_LOG_EVENT) {
      handle(*e);
      continue;
    }
    // Quiet: a batch with rows goes now; a position that moved past other
    // tables' transactions follows after a while; a stop request gets an
    // empty batch, so that the host stops between batches.
    report_lag();  // the oldest change a sink holds up ages meanwhile
    if (batch_.rows() > 0) break;
    if (applied_ != batch_start && std::chrono::steady_clock::now() - began >= kQuietAdvance) break;
    if (host_.cancelled()) break;
  }
  finish(out, CdcPosition{false, applied_, std::nullopt});
  return true;
}

bool CdcSource::caught_up() const { return !open_ && !ready_ && applied_.covers(target_); }

void CdcSource::handle(const MARIADB_RPL_EVENT& e) {
  switch (e.event_type) {
    case GTID_EVENT: {
      // A statement group that needs no COMMIT ends where the next begins.
      if (open_ && open_->standalone && open_->changes.empty()) end_transaction();
      if (open_) fail(FERRY_ERROR_IO, "a transaction began before the one before it ended");
      if (e.event.gtid.flags & FL_PREPARED_XA)
        fail(FERRY_ERROR_CONFIG, "the binlog holds a prepared XA transaction (GTID " +
                                     std::to_string(e.event.gtid.domain_id) + "-" + std::to_string(e.server_id) + "-" +
                                     std::to_string(e.event.gtid.sequence_nr) +
                                     "), whose outcome comes later; XA transactions are not supported");
      open_.emplace();
      open_->gtid = Gtid{e.event.gtid.domain_id, e.server_id, e.event.gtid.sequence_nr};
      open_->standalone = (e.event.gtid.flags & FL_STANDALONE) != 0;
      open_->committed = ferry::support::CdcLag::Clock::from_time_t(static_cast<time_t>(e.timestamp));
      return;
    }
    case TABLE_MAP_EVENT:
      on_table_map(e);
      return;
    case XID_EVENT:
      end_transaction();
      return;
    case QUERY_EVENT:
    case QUERY_COMPRESSED_EVENT: {  // the library has inflated the statement
      const std::string_view sql(e.event.query.statement.str, e.event.query.statement.length);
      // DDL (a group of its own): the catalog is read again at the table's
      // next table map, which may describe other columns or types.
      if (open_ && open_->standalone) catalog_stale_ = true;
      if (open_ && (open_->standalone || sql == "COMMIT" || sql == "ROLLBACK")) end_transaction();
      return;
    }
    case INCIDENT_EVENT:
      // The server lost events here (as a replica would, the stream stops).
      fail(FERRY_ERROR_IO, "the binlog records an incident: the server may have lost changes here; read on "
                           "only once it is known what they were (reset the checkpoints to copy the table again)");
    case FORMAT_DESCRIPTION_EVENT:
      table_id_ = UINT64_MAX;  // a new binlog file numbers its tables anew
      return;
    default:
      if (IS_ROW_EVENT(&e)) on_rows(e);
      return;
  }
}

void CdcSource::end_transaction() {
  if (!open_) fail(FERRY_ERROR_IO, "a transaction ended that never began");
  ready_ = std::move(open_);
  open_.reset();
}

void CdcSource::on_table_map(const MARIADB_RPL_EVENT& e) {
  const auto& tm = e.event.table_map;
  if (std::string_view(tm.database.str, tm.database.length) != table_.database ||
      std::string_view(tm.table.str, tm.table.length) != table_.name) {
    if (tm.table_id == table_id_) table_id_ = UINT64_MAX;  // the id now names another table
    return;
  }
  table_id_ = tm.table_id;
  std::vector<MappedColumn> cols = mapped_columns(e);
  const bool same = std::equal(cols.begin(), cols.end(), mapped_.begin(), mapped_.end(),
                               [](const MappedColumn& a, const MappedColumn& b) {
                                 return a.name == b.name && a.type == b.type && a.meta == b.meta &&
                                        a.is_unsigned == b.is_unsigned && a.collation == b.collation;
                               });
  if (same && !catalog_stale_) return;
  for (const MappedColumn& m : cols)
    if (!readable_binlog_type(m.type))
      fail(FERRY_ERROR_CONFIG, "column '" + m.name + "' of " + table_.quoted + " is written to the binlog as type " +
                                   std::to_string(m.type) +
                                   " (a COMPRESSED column, or a date-time column in the format before MariaDB "
                                   "10.0), which is not supported");
  if (catalog_stale_) {
    MariaLink catalog(opts_);
    table_ = read_source_table(catalog, opts_.database, opts_.table);
    catalog_stale_ = false;
  }
  // The table map changed (or is the first).
  std::vector<ColumnKind> kinds = catalog_columns_of(cols, table_, opts_);
  mapped_ = std::move(cols);
  mapped_kinds_ = std::move(kinds);
  mapped_key_at_ = batch_.key_positions(mapped_kinds_, table_.key, table_.quoted);
}

void CdcSource::on_rows(const MARIADB_RPL_EVENT& e) {
  if (e.event.rows.table_id != table_id_) return;
  if (!open_) fail(FERRY_ERROR_IO, "a row change outside a transaction");
  if (mapped_.empty()) fail(FERRY_ERROR_IO, "a row change of the table before its table map");
  std::vector<Row> images = decode_rows(mapped_, mapped_kinds_, e);
  if (open_->changes.empty()) open_->columns = mapped_kinds_;
  switch (e.event.rows.type) {
    case WRITE_ROWS:
      for (Row& r : images) open_->changes.push_back(Change{FERRY_OP_INSERT, std::move(r)});
      return;
    case DELETE_ROWS:
      for (Row& r : images) open_->changes.push_back(Change{FERRY_OP_DELETE, std::move(r)});
      return;
    case UPDATE_ROWS:
      for (size_t k = 0; k + 1 < images.size(); k += 2) {
        // A changed primary key: the row under the old key goes away.
        if (!same_key(images[k], images[k + 1], mapped_key_at_))
          open_->changes.push_back(Change{FERRY_OP_DELETE, std::move(images[k])});
        open_->changes.push_back(Change{FERRY_OP_UPDATE, std::move(images[k + 1])});
      }
      return;
  }
}

bool CdcSource::append(const Transaction& tx) {
  if (!tx.changes.empty() && !same_columns(columns_, tx.columns)) {
    // The host records each new schema with the position it began after.
    if (batch_.rows() > 0) return false;
    use_columns(tx.columns);
  }
  GtidState after = applied_;
  after.advance(tx.gtid);
  const std::string position = position_text(CdcPosition{false, after, std::nullopt});
  if (!tx.changes.empty()) batch_.lag().add(tx.committed);
  for (const Change& ch : tx.changes) add_row(ch.values, ch.op, position);
  applied_ = after;
  return true;
}

void CdcSource::use_columns(const std::vector<ColumnKind>& columns) {
  columns_ = columns;
  batch_.use_columns(
      columns, [](const ColumnKind& c) { return ferry_type_of(c.kind); }, table_.key, table_.quoted);
}

void CdcSource::show(const Row& values, bool whole) {
  const std::vector<size_t>& key_at = batch_.key_at();
  // Sized first: the views below point into its strings.
  hex_.resize(values.size());
  shown_.assign(values.size(), std::nullopt);
  for (size_t c = 0; c < values.size(); ++c) {
    if (!values[c]) continue;
    const bool hex = c < columns_.size() && columns_[c].kind == Kind::kBytes &&
                     (whole || std::find(key_at.begin(), key_at.end(), c) != key_at.end());
    if (!hex) {
      shown_[c] = *values[c];
      continue;
    }
    hex_[c].clear();
    ferry::support::append_hex(hex_[c], *values[c]);
    shown_[c] = hex_[c];
  }
}

void CdcSource::add_row(const Row& values, FerryOp op, const std::string& position) {
  show(values, false);
  add_shown(values, op, position);
}

void CdcSource::add_shown(const Row& values, FerryOp op, const std::string& position) {
  batch_.add<ParsedValue>(
      shown_, op, position, {}, [&](size_t c, ParsedValue* v) { return parse_text(columns_[c].kind, *values[c], v); },
      [](ferry::BatchBuilder& b, size_t row, size_t c, const ParsedValue& v) { put_value(b, row, c, v); },
      [&]() -> const ferry::support::CdcBatch::Shown& {
        show(values, true);
        return shown_;
      });
}

void CdcSource::finish(FerryBatch* out, const CdcPosition& end) {
  batch_.finish(out, position_text(end));
  if (!end.snapshot) handed_ = end.gtid;
  report_lag();
}

void CdcSource::acknowledged(std::string_view, std::string_view position) {
  batch_.lag().acknowledged(position);
  report_lag();
}

void CdcSource::report_lag() {
  // The age of the oldest change a sink has not committed (the binlog
  // stamps whole seconds).
  host_.gauge("binlog_lag_seconds", batch_.lag().seconds(ferry::support::CdcLag::Clock::now()));
}

}  // namespace ferry_maria_cdc
