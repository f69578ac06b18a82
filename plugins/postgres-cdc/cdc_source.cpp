#include "cdc_source.h"

#include <boost/json.hpp>

#include <algorithm>

#include "text_value.h"

namespace ferry_pg_cdc {
namespace {

// While a batch has rows, how long to wait for more before handing it over.
constexpr std::chrono::milliseconds kLinger(20);
// How long a quiet table waits before its position follows the server's.
constexpr std::chrono::seconds kQuietAdvance(5);

[[noreturn]] void fail(FerryStatus status, const std::string& message) {
  throw ferry::Error(status, "postgres-cdc: " + message);
}

std::vector<RelationColumn> columns_of(const SourceTable& t) {
  std::vector<RelationColumn> out;
  for (const TableColumn& c : t.columns) out.push_back(RelationColumn{false, c.name, c.type_oid, -1});
  return out;
}

bool same_columns(const std::vector<RelationColumn>& a, const std::vector<RelationColumn>& b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](const RelationColumn& x, const RelationColumn& y) {
    return x.name == y.name && x.type_oid == y.type_oid;
  });
}

// Whether two tuples hold the same key (a value that is not text is null).
bool same_key(const Tuple& a, const Tuple& b, const std::vector<size_t>& key_at) {
  const auto text = [](const Tuple& t, size_t at) -> std::optional<std::string_view> {
    if (at < t.size() && t[at].kind == TupleValue::Kind::Text) return t[at].text;
    return std::nullopt;
  };
  for (size_t at : key_at)
    if (text(a, at) != text(b, at)) return false;
  return true;
}

// A tuple's values as they read in keys and DLQ payloads.
void show(const Tuple& values, ferry::support::CdcBatch::Shown* out) {
  out->assign(values.size(), std::nullopt);
  for (size_t c = 0; c < values.size(); ++c)
    if (values[c].kind == TupleValue::Kind::Text) (*out)[c] = values[c].text;
}

}  // namespace

void CdcSource::check_config(const ferry::Context& ctx) { parse_options(ctx); }

CdcSource::CdcSource(const ferry::Context& ctx) : CdcSourceBase(ctx, "postgres-cdc", "postgres-cdc"), opts_(parse_options(ctx)) {}

void CdcSource::open() {
  stream_.reset();  // a retried open() starts over on new connections
  repl_.reset();
  const std::string resume_text = resume().value_or("");
  const std::string_view resume_view = resume_text;
  const std::string_view* position = resume() ? &resume_view : nullptr;
  sql_ = std::make_unique<PgLink>(opts_.dsn, PgLink::Mode::Sql, "postgres-cdc source");
  table_ = read_source_table(*sql_, opts_.table);
  ensure_publication();

  Result slot = sql_->query(
      "SELECT plugin, database = current_database(), confirmed_flush_lsn FROM pg_replication_slots "
      "WHERE slot_name = $1",
      "looking up replication slot '" + opts_.slot + "'", {opts_.slot});
  const bool exists = PQntuples(slot.get()) == 1;
  std::optional<Lsn> confirmed;
  if (exists) {
    if (std::string_view(PQgetvalue(slot.get(), 0, 0)) != "pgoutput" || PQgetvalue(slot.get(), 0, 1)[0] != 't')
      fail(FERRY_ERROR_CONFIG, "replication slot '" + opts_.slot +
                                   "' exists for another plugin or database; name another slot");
    if (!PQgetisnull(slot.get(), 0, 2)) confirmed = parse_lsn(PQgetvalue(slot.get(), 0, 2));
  }

  if (position == nullptr || position->empty()) {
    if (!exists) {
      // The slot's snapshot is the hand-off: the copy sees exactly what
      // committed before the slot's first change.
      repl_ = std::make_unique<PgLink>(opts_.dsn, PgLink::Mode::Replication, "postgres-cdc source");
      stream_ = std::make_unique<ReplicationStream>(*repl_);
      const auto created = stream_->create_slot(opts_.slot);
      host_.info("postgres-cdc: created replication slot '" + opts_.slot + "' at " + lsn_text(created.consistent_point));
      begin_snapshot(created.snapshot, std::nullopt, created.consistent_point);
      return;
    }
    // A slot with no checkpoint: an earlier run was stopped before its
    // first commit. Copy again from a new snapshot; the changes since the
    // slot's start are applied again by key, which ends in the same rows.
    if (!confirmed) fail(FERRY_ERROR_CONFIG, "replication slot '" + opts_.slot + "' has no confirmed position");
    begin_snapshot("", std::nullopt, *confirmed);
    return;
  }

  const CdcPosition at = parse_position(*position);
  if (at.after && at.after->size() != table_.key.size())
    fail(FERRY_ERROR_CONFIG, "the checkpoint's key has " + std::to_string(at.after->size()) + " columns, the primary key of " +
                                 table_.quoted + " " + std::to_string(table_.key.size()) +
                                 "; reset the pipeline's checkpoints to copy the table again");
  if (!exists)
    fail(FERRY_ERROR_CONFIG, "replication slot '" + opts_.slot + "' is gone, so the changes after " +
                                 lsn_text(at.lsn) +
                                 " cannot be read; reset the pipeline's checkpoints to copy the table again");
  if (confirmed && *confirmed > at.lsn)
    fail(FERRY_ERROR_CONFIG, "replication slot '" + opts_.slot + "' was advanced to " + lsn_text(*confirmed) +
                                 ", past this pipeline's checkpoint " + lsn_text(at.lsn) +
                                 " (does another consumer use it?): the changes between are gone");
  if (at.snapshot) {
    // The exported snapshot died with the run that took it; the rest of the
    // copy reads a new one, and the changes since stream_from are applied
    // again by key.
    begin_snapshot("", at.after, at.lsn);
    return;
  }
  use_columns(columns_of(table_));
  stream_from_ = at.lsn;
  acked_ = at.lsn;  // the host's checkpoint: every sink holds it
  start_stream(at.lsn);
}

void CdcSource::ensure_publication() {
  Result pub = sql_->query("SELECT 1 FROM pg_publication WHERE pubname = $1",
                           "looking up publication '" + opts_.publication + "'", {opts_.publication});
  if (PQntuples(pub.get()) == 0) {
    sql_->query("CREATE PUBLICATION " + sql_->quote_ident(opts_.publication) + " FOR TABLE " + table_.quoted,
                "creating publication '" + opts_.publication + "'");
    return;
  }
  Result has = sql_->query(
      "SELECT rowfilter IS NULL AND NOT EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = $4::oid "
      "  AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = '' AND a.attname <> ALL (attnames)) "
      "FROM pg_publication_tables WHERE pubname = $1 AND schemaname = $2 AND tablename = $3",
      "reading publication '" + opts_.publication + "'",
      {opts_.publication, table_.schema, table_.name, std::to_string(table_.oid)});
  if (PQntuples(has.get()) == 0)
    fail(FERRY_ERROR_CONFIG, "publication '" + opts_.publication + "' does not publish " + table_.quoted +
                                 "; ALTER PUBLICATION ... ADD TABLE it, or name another publication");
  // The copy reads every row and column: a stream of fewer would leave
  // rows and values in the sinks that no change ever maintains.
  if (std::string_view(PQgetvalue(has.get(), 0, 0)) != "t")
    fail(FERRY_ERROR_CONFIG, "publication '" + opts_.publication + "' publishes " + table_.quoted +
                                 " with a row filter or a column list; Ferry copies whole tables, so name a "
                                 "publication of the whole table");
}

void CdcSource::begin_snapshot(const std::string& exported, std::optional<std::vector<std::string>> after,
                               Lsn stream_from) {
  phase_ = Phase::Snapshot;
  after_ = std::move(after);
  stream_from_ = stream_from;
  sql_->query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", "starting the snapshot");
  if (!exported.empty())
    sql_->query("SET TRANSACTION SNAPSHOT " + sql_->quote_literal(exported), "reading at the slot's snapshot");
  use_columns(columns_of(table_));
}

bool CdcSource::snapshot_page(FerryBatch* out) {
  std::string cols, order, bound;
  for (const TableColumn& c : table_.columns) cols += (cols.empty() ? "" : ", ") + sql_->quote_ident(c.name);
  Params params;
  for (size_t k = 0; k < table_.key.size(); ++k) {
    const auto col = std::find_if(table_.columns.begin(), table_.columns.end(),
                                  [&](const TableColumn& c) { return c.name == table_.key[k]; });
    order += (k ? ", " : "") + sql_->quote_ident(table_.key[k]);
    bound += (k ? ", " : "") + ("$" + std::to_string(k + 1) + "::" + col->type_sql);
    if (after_) params.emplace_back((*after_)[k]);
  }
  std::string sql = "SELECT " + cols + " FROM " + table_.quoted;
  if (after_) sql += " WHERE (" + order + ") > (" + bound + ")";
  sql += " ORDER BY " + order + " LIMIT " + std::to_string(batch_records());
  Result page = sql_->query(sql, "copying " + table_.quoted, params);

  const int rows = PQntuples(page.get());
  CdcPosition end{true, stream_from_, after_};
  for (int r = 0; r < rows; ++r) {
    Tuple values(table_.columns.size());
    for (size_t c = 0; c < values.size(); ++c) {
      if (PQgetisnull(page.get(), r, static_cast<int>(c))) continue;
      values[c].kind = TupleValue::Kind::Text;
      values[c].text.assign(PQgetvalue(page.get(), r, static_cast<int>(c)),
                            static_cast<size_t>(PQgetlength(page.get(), r, static_cast<int>(c))));
    }
    std::vector<std::string> key;
    for (size_t at : batch_.key_at()) key.push_back(values[at].text);
    end.after = std::move(key);
    add_row(values, FERRY_OP_INSERT, position_text(end), {});
  }
  if (static_cast<uint64_t>(rows) < batch_records()) {
    sql_->query("COMMIT", "ending the snapshot");
    host_.info("postgres-cdc: copied " + table_.quoted + "; streaming its changes from " + lsn_text(stream_from_));
    finish(out, CdcPosition{false, stream_from_, std::nullopt});
    // The stream starts on the next call: a failure to start it must not
    // take this page with it.
    phase_ = Phase::Stream;
    applied_ = stream_from_;
    acked_ = stream_from_;  // where the slot stands already
    reconnect_next();
    return true;
  }
  after_ = end.after;
  finish(out, end);
  return true;
}

void CdcSource::start_stream(Lsn from) {
  phase_ = Phase::Stream;
  applied_ = from;
  handed_ = from;
  if (!opts_.follow) {
    Result now = sql_->query("SELECT pg_current_wal_flush_lsn()", "reading the WAL position");
    target_ = parse_lsn(PQgetvalue(now.get(), 0, 0)).value_or(0);
  }
  if (!repl_) repl_ = std::make_unique<PgLink>(opts_.dsn, PgLink::Mode::Replication, "postgres-cdc source");
  // "Replication slot is active": the connection of a run that was killed
  // is still being closed by the server.
  repl_->retry_on("55006");
  if (!stream_) stream_ = std::make_unique<ReplicationStream>(*repl_);
  stream_->start(opts_.slot, opts_.publication, from, acked_);
}

void CdcSource::acknowledged(std::string_view, std::string_view position) {
  batch_.lag().acknowledged(position);
  const CdcPosition at = parse_position(position);
  if (!at.snapshot && at.lsn > acked_) {
    acked_ = at.lsn;
    if (stream_ && !connection_lost()) stream_->confirm(acked_);
  }
  report_lag();
}

void CdcSource::reconnect() {
  open_.reset();
  ready_.reset();
  batch_.lag().dropped();  // that batch is built again
  relation_.reset();  // the server describes the table again on a new stream
  stream_.reset();
  repl_.reset();
  sql_.reset();
  sql_ = std::make_unique<PgLink>(opts_.dsn, PgLink::Mode::Sql, "postgres-cdc source");
  if (phase_ == Phase::Snapshot) {
    begin_snapshot("", after_, stream_from_);
  } else {
    use_columns(columns_of(table_));
    start_stream(handed_);
  }
}

bool CdcSource::stream_batch(FerryBatch* out) {
  const Lsn batch_start = applied_;
  for (;;) {
    if (ready_) {
      if (!append(*ready_)) break;  // new columns: this batch ends before them
      ready_.reset();
      if (batch_.rows() >= batch_records()) break;
      continue;
    }
    const bool has_rows = batch_.rows() > 0 || applied_ > batch_start;
    auto msg = stream_->next(has_rows ? kLinger : std::chrono::milliseconds(opts_.idle_ms));
    if (msg) {
      handle(decode_pgoutput(*msg));
      continue;
    }
    if (has_rows) break;
    report_lag();  // the oldest change a sink holds up ages meanwhile
    if (!opts_.follow && caught_up()) return false;
    // A quiet stream hands back an empty batch while a handed position is
    // unacknowledged: the host acknowledges only between next() calls.
    if (handed_ > acked_) break;
    // A quiet table on a busy server: the position moves on to where the
    // server has read (every transaction before it came), so the slot can
    // let go of WAL that holds nothing for this table.
    if (!open_ && !ready_ && stream_->server_sent() > applied_ &&
        std::chrono::steady_clock::now() - last_handed_ >= kQuietAdvance) {
      applied_ = stream_->server_sent();
      break;
    }
    // A stop request while the stream is quiet: an empty batch lets the
    // host stop between batches, as it does for every source.
    if (host_.cancelled()) break;
    stream_->ask_progress();
  }
  finish(out, CdcPosition{false, applied_, std::nullopt});
  return true;
}

bool CdcSource::caught_up() const { return !open_ && !ready_ && stream_->server_sent() >= target_; }

void CdcSource::handle(const Message& m) {
  switch (m.kind) {
    case Message::Kind::Begin:
      open_.emplace();
      return;
    case Message::Kind::Commit:
      if (!open_) fail(FERRY_ERROR_IO, "COMMIT without BEGIN in the change stream");
      open_->end = m.end_lsn;
      // PostgreSQL's epoch is 2000-01-01.
      open_->committed = ferry::support::CdcLag::Clock::time_point(
          std::chrono::duration_cast<ferry::support::CdcLag::Clock::duration>(
              std::chrono::microseconds(m.commit_time + 946684800000000LL)));
      ready_ = std::move(open_);
      open_.reset();
      return;
    case Message::Kind::Relation:
      on_relation(m.described);
      return;
    default:
      break;
  }
  if (m.kind == Message::Kind::Truncate) {
    if (open_ && std::find(m.truncated.begin(), m.truncated.end(), table_.oid) != m.truncated.end())
      open_->truncated = true;
    return;
  }
  if (m.kind == Message::Kind::Ignored || m.relation != table_.oid) return;
  if (!open_ || !relation_) fail(FERRY_ERROR_IO, "a change outside a transaction, or before its table was described");
  if (m.kind == Message::Kind::Insert) open_->changes.push_back(Change{FERRY_OP_INSERT, m.new_tuple, {}});
  if (m.kind == Message::Kind::Delete) open_->changes.push_back(Change{FERRY_OP_DELETE, m.old_tuple, {}});
  if (m.kind == Message::Kind::Update) on_update(m);
}

void CdcSource::on_update(const Message& m) {
  Change change{FERRY_OP_UPDATE, m.new_tuple, {}};
  const auto& cols = relation_->columns;
  for (size_t c = 0; c < change.values.size() && c < cols.size(); ++c) {
    if (change.values[c].kind != TupleValue::Kind::Unchanged) continue;
    // Only a whole old row (REPLICA IDENTITY FULL) carries the value.
    if (m.old_kind == 'O' && c < m.old_tuple.size() && m.old_tuple[c].kind != TupleValue::Kind::Unchanged) {
      change.values[c] = m.old_tuple[c];
      continue;
    }
    change.refused = "column '" + cols[c].name +
                     "' holds a TOASTed value this update left unchanged, which the server does not send; "
                     "ALTER TABLE ... REPLICA IDENTITY FULL makes it send the whole old row";
  }
  // A changed primary key: the row under the old key goes away.
  if (m.old_kind != 0 && !same_key(m.old_tuple, change.values, relation_key_at_))
    open_->changes.push_back(Change{FERRY_OP_DELETE, m.old_tuple, {}});
  open_->changes.push_back(std::move(change));
}

void CdcSource::on_relation(const Relation& r) {
  if (r.oid != table_.oid) return;
  if (relation_ && open_ && !same_columns(relation_->columns, r.columns)) {
    // The table changed inside a transaction: its earlier changes take the
    // new columns by name (a dropped column leaves, an added one is null).
    for (Change& ch : open_->changes) {
      Tuple moved(r.columns.size());
      for (size_t c = 0; c < r.columns.size(); ++c)
        for (size_t o = 0; o < relation_->columns.size() && o < ch.values.size(); ++o)
          if (relation_->columns[o].name == r.columns[c].name) moved[c] = ch.values[o];
      ch.values = std::move(moved);
    }
  }
  relation_ = r;
  relation_key_at_ = batch_.key_positions(r.columns, table_.key, table_.quoted);
}

bool CdcSource::append(const Transaction& tx) {
  if (!tx.changes.empty() && !same_columns(columns_, relation_->columns)) {
    // The host records each new schema with the position it began after.
    if (batch_.rows() > 0) return false;
    use_columns(relation_->columns);
  }
  const std::string position = position_text(CdcPosition{false, tx.end, std::nullopt});
  if (!tx.changes.empty()) batch_.lag().add(tx.committed);
  for (const Change& ch : tx.changes) add_row(ch.values, ch.op, position, ch.refused);
  // Committed with the batch that holds its transaction, so a read again
  // from an earlier checkpoint reports it with the same position.
  if (tx.truncated)
    host_.reject(partition(), position, "",
                 "{\"truncate\":" + boost::json::serialize(boost::json::string(table_.quoted)) + "}",
                 "postgres-cdc: TRUNCATE of " + table_.quoted +
                     " has no rows to apply; the sinks keep the rows it removed");
  applied_ = tx.end;
  return true;
}

void CdcSource::use_columns(const std::vector<RelationColumn>& columns) {
  columns_ = columns;
  batch_.use_columns(
      columns, [](const RelationColumn& c) { return ferry_type_of(c.type_oid); }, table_.key, table_.quoted);
}

void CdcSource::add_row(const Tuple& values, FerryOp op, const std::string& position, std::string refused) {
  show(values, &shown_);
  batch_.add<ParsedValue>(
      shown_, op, position, std::move(refused),
      [&](size_t c, ParsedValue* v) { return parse_text(columns_[c].type_oid, values[c].text, v); },
      [](ferry::BatchBuilder& b, size_t row, size_t c, const ParsedValue& v) {
        if (v.type != FERRY_TYPE_NULL) put_value(b, row, c, v);
      });
}

void CdcSource::finish(FerryBatch* out, const CdcPosition& end) {
  batch_.finish(out, position_text(end));
  if (!end.snapshot) handed_ = end.lsn;
  report_lag();
  last_handed_ = std::chrono::steady_clock::now();
}

void CdcSource::report_lag() {
  const Lsn sent = stream_ ? stream_->server_sent() : 0;
  host_.gauge("slot_lag_bytes", sent > acked_ ? static_cast<double>(sent - acked_) : 0.0);
  host_.gauge("slot_lag_seconds", batch_.lag().seconds(ferry::support::CdcLag::Clock::now()));
}

}  // namespace ferry_pg_cdc
