#include "postgres_sink.h"

#include <sql/row_checks.h>
#include <sql/table_fit.h>

#include <charconv>
#include <exception>

#include "copy_text.h"
#include "upsert_keys.h"

namespace ferry_pg {
namespace {

constexpr const char* kWho = "postgres sink";
// Bytes per PQputCopyData. The server starts on a batch when its first
// chunk arrives and idles while that chunk is encoded: 1 MiB cost about
// 5 ms per 50,000-row batch; 64 KiB measured fastest (16 KiB no faster).
constexpr size_t kCopyChunk = 1 << 16;
constexpr const char* kStage = "pg_temp.ferry_stage";
constexpr const char* kSeq = "__ferry_seq";
constexpr const char* kDelete = "__ferry_delete";

std::optional<size_t> find_field(const ferry::BatchView& batch, std::string_view column) {
  for (size_t f = 0; f < batch.fields(); ++f)
    if (batch.field_name(f) == column) return f;
  return std::nullopt;
}

// After a COPY aborted for a value without a binary form, this many
// batches are checked whole before they are sent: data that holds such
// values late in its batches aborts at most one batch in nine. (Counted in
// write() calls: a batch the host splits to isolate a record counts each
// part.)
constexpr int kPrecheckedBatches = 8;
// What the server's log shows for such a COPY ("COPY from stdin failed: ...").
constexpr const char* kBinaryAbort = "a value has no binary form; the rows are sent again as text";

// A value without a binary form found after rows went out in binary: the
// COPY was aborted, and write() runs the call again (in text).
class BinaryRefused : public ferry::Error {
 public:
  BinaryRefused()
      : ferry::Error(FERRY_ERROR_INTERNAL,
                     "postgres sink: a value has no binary form; the COPY was aborted to send the batch as text") {}
};

std::string column_list(const ferry::BatchView& batch, std::string_view prefix = {}) {
  std::string out;
  for (size_t f = 0; f < batch.fields(); ++f) {
    if (f > 0) out += ", ";
    out += prefix;
    out += quote_ident(batch.field_name(f));
  }
  return out;
}

}  // namespace

void PostgresSink::check_config(const ferry::Context& ctx) { parse_sink_options(ctx); }

PostgresSink::PostgresSink(const ferry::Context& ctx)
    : host_(ctx.host()),
      opts_(parse_sink_options(ctx)),
      pipeline_(ctx.pipeline()),
      table_(opts_.table),
      checkpoints_(opts_.checkpoint_table) {
  // At open every failure is fatal: a server that is down is reported
  // with its address, and the run does not start.
  conn_ = std::make_unique<Connection>(opts_.dsn, kWho, &host_);
  where_ = "table " + table_.quoted() + " at " + conn_->endpoint();
  txn_ = std::make_unique<ferry::support::SinkTransaction>(
      static_cast<SinkDialect&>(*this),
      ferry::support::TransactionStatements{"BEGIN", "SAVEPOINT ferry_write", "RELEASE SAVEPOINT ferry_write",
                                            "ROLLBACK TO SAVEPOINT ferry_write; RELEASE SAVEPOINT ferry_write"},
      kWho, where_);
  checkpoints_.ensure(*conn_);
  TableOnConnection table(table_, *conn_);
  rules_ = table_rules();
  ferry::support::check_table_at_open(table, rules_);
}

ferry::support::TableRules PostgresSink::table_rules() const {
  ferry::support::TableRules rules;
  rules.who = kWho;
  rules.where = where_;
  rules.create_table = opts_.create_table;
  rules.contract = &opts_.contract;
  rules.key = opts_.key;
  rules.default_type = [](const ferry::BatchView& batch, size_t f) { return std::string(pg_type_for(batch.field(f).type)); };
  return rules;
}

void PostgresSink::fail(FerryStatus status, const std::string& message) const {
  const std::string text = std::string(kWho) + ": " + message;
  throw ferry::Error(status, conn_ ? conn_->redact(text) : text);
}

void PostgresSink::drop_connection() noexcept {
  conn_.reset();
  stage_signature_.clear();
  table_.forget();
}

Connection& PostgresSink::connection() {
  if (conn_ && !conn_->broken()) return *conn_;
  // The server rolled back what the lost connection had open.
  txn_->connection_lost();
  drop_connection();
  // Reconnect: unreachable answers RETRY (the host backs off); rejected
  // credentials stay fatal.
  conn_ = std::make_unique<Connection>(opts_.dsn, kWho, &host_);
  return *conn_;
}

Connection& PostgresSink::live() {
  if (!conn_) throw ferry::Error(FERRY_RETRY, std::string(kWho) + ": the connection to " + where_ + " was lost");
  return *conn_;
}

void PostgresSink::exec(const std::string& sql, std::string_view what) {
  const Result r = live().exec(sql, what);
  // COMMIT of a transaction an error had aborted is no error: the server
  // rolls back and answers "ROLLBACK".
  if (sql == "COMMIT" && std::string_view(PQcmdStatus(r.get())) != "COMMIT")
    throw PgError(FERRY_RETRY,
                  std::string(kWho) + ": the server rolled the transaction on " + where_ +
                      " back instead of committing it (a statement in it had failed)",
                  "", false);
}

void PostgresSink::exec_later(const std::string& sql, std::string_view what) {
  live().hold(sql, std::string(what));
}

void PostgresSink::save_checkpoint(const FerryCheckpoint& checkpoint) {
  checkpoints_.save(live(), checkpoint, pipeline_);
}

void PostgresSink::rollback() noexcept {
  if (!conn_ || conn_->broken()) return;
  conn_->drop_held();
  try {
    conn_->exec("ROLLBACK", "rolling back " + where_);
  } catch (const ferry::Error&) {
    drop_connection();  // the server forgets the transaction with the session
  }
}

ferry::support::Loss PostgresSink::loss() noexcept {
  bool lost = !conn_ || conn_->broken();
  bool held = false;
  if (std::exception_ptr failure = std::current_exception()) {
    try {
      std::rethrow_exception(failure);
    } catch (const PgError& e) {
      lost = lost || e.connection_lost();
      held = e.held();
    } catch (...) {
    }
  }
  if (lost) {
    drop_connection();
    return ferry::support::Loss::kConnection;
  }
  // A held statement (a BEGIN, SAVEPOINT or RELEASE sent with this call)
  // failed: which savepoint stands is not known, so the transaction is
  // treated as gone rather than rolled back to a guess.
  return held ? ferry::support::Loss::kTransaction : ferry::support::Loss::kCall;
}

void PostgresSink::began() {
  ddl_in_txn_ = false;
  types_pinned_ = false;
}

void PostgresSink::call_begins() {
  ddl_before_call_ = ddl_in_txn_;
  ddl_in_call_ = false;
}

void PostgresSink::made_ddl() {
  ddl_in_txn_ = true;
  ddl_in_call_ = true;
}

void PostgresSink::rolled_back(bool whole_transaction) noexcept {
  // What was read of the table after DDL that is undone now is stale, the
  // staging table included; DDL of earlier calls stands.
  if (whole_transaction ? ddl_in_txn_ : ddl_in_call_) {
    table_.forget();
    stage_signature_.clear();
  }
  ddl_in_txn_ = whole_transaction ? false : ddl_before_call_;
  ddl_in_call_ = false;
  types_pinned_ = false;  // the rolled-back part may have held the only table lock
}

void PostgresSink::pin_column_types(Connection& c) {
  // Binary COPY carries no types: the server reads each value as the type
  // its column has when COPY runs. So the types are read again in every
  // transaction, after taking the lock COPY takes anyway, which keeps a
  // concurrent ALTER TABLE out until COMMIT.
  if (types_pinned_ || opts_.copy_format != CopyFormat::kAuto || opts_.mode != WriteMode::kAppend) return;
  types_pinned_ = true;
  if (!table_.exists(c)) return;  // created in this transaction, from the batch's own types
  c.hold("LOCK TABLE " + table_.quoted() + " IN ROW EXCLUSIVE MODE", "locking " + where_);
  table_.forget();
}

void PostgresSink::fit_table(Connection& c, const ferry::BatchView& batch) {
  // TableFit has left out the fields schema_changes forbids: every field
  // here is a column, or may become one.
  for (size_t f = 0; f < batch.fields(); ++f)
    for (size_t g = 0; g < f; ++g)
      if (batch.field_name(f) == batch.field_name(g))
        fail(FERRY_ERROR_CONFIG, "the batch has two fields named " + quote_ident(batch.field_name(f)) +
                                     " (writing to " + where_ + ")");
  TableOnConnection table(table_, c);
  if (ferry::support::fit_table(table, batch, rules_)) made_ddl();
  array_cols_.assign(batch.fields(), false);
  binary_cols_.assign(batch.fields(), BinaryColumn::kNone);
  for (size_t f = 0; f < batch.fields(); ++f) {
    array_cols_[f] = table_.is_array(c, batch.field_name(f));
    binary_cols_[f] = binary_column_for(table_.type_oid(c, batch.field_name(f)));
  }
}

RowCheck PostgresSink::row_check(const ferry::BatchView& batch) {
  const bool upsert = opts_.mode == WriteMode::kUpsert;
  std::vector<size_t> key_fields;
  if (upsert)
    for (const std::string& k : opts_.key)
      if (auto f = find_field(batch, k)) key_fields.push_back(*f);
  std::vector<ferry::support::ColumnLimits> limits(batch.fields());
  for (size_t f = 0; f < batch.fields(); ++f) limits[f] = table_.limits(live(), batch.field_name(f));
  return RowCheck(batch, std::move(limits), std::move(key_fields), upsert);
}

bool PostgresSink::binary_first(const ferry::BatchView& batch, RowCheck& check) {
  // Upsert stays in text: its staging table's types are fixed when it is
  // created, and the merge casts anyway (binary measured no faster there).
  if (batch.fields() + 2 > UINT16_MAX || opts_.copy_format != CopyFormat::kAuto ||
      opts_.mode != WriteMode::kAppend || !types_pinned_)
    return false;
  for (BinaryColumn col : binary_cols_)
    if (col == BinaryColumn::kNone) return false;
  // Values are checked as they are encoded, while the server works on the
  // rows sent before, unless a COPY was aborted lately.
  if (prechecks_left_ == 0) return true;
  --prechecks_left_;
  for (size_t row = 0; row < batch.rows(); ++row) {
    if (!check.keep(row)) continue;
    for (size_t f = 0; f < batch.fields(); ++f)
      if (!binary_fits(batch.value(row, f), binary_cols_[f])) return false;
  }
  return true;
}

void PostgresSink::append_text_row(const ferry::BatchView& batch, size_t row, bool with_op_columns) {
  char num[24];
  for (size_t f = 0; f < batch.fields(); ++f) {
    if (f > 0) buffer_ += '\t';
    if (!append_copy_value(buffer_, batch.value(row, f), array_cols_[f]))
      // Only a JSON value that is no array, bound for an array column.
      fail(FERRY_INVALID_DATA, "field " + quote_ident(batch.field_name(f)) + " of row " + std::to_string(row) +
                                   " is not a JSON array, but column " + quote_ident(batch.field_name(f)) +
                                   " of " + where_ + " is an array");
  }
  if (with_op_columns) {
    buffer_ += '\t';
    const char* end = std::to_chars(num, num + sizeof num, row).ptr;
    buffer_.append(num, static_cast<size_t>(end - num));
    buffer_ += batch.meta(row).op == FERRY_OP_DELETE ? "\tt" : "\tf";
  }
  buffer_ += '\n';
}

bool PostgresSink::append_binary_row(const ferry::BatchView& batch, size_t row, bool with_op_columns) {
  const size_t row_start = buffer_.size();
  append_binary_row_start(buffer_, static_cast<uint16_t>(batch.fields() + (with_op_columns ? 2 : 0)));
  for (size_t f = 0; f < batch.fields(); ++f)
    if (!append_binary_value(buffer_, batch.value(row, f), binary_cols_[f])) {
      buffer_.resize(row_start);
      return false;
    }
  if (with_op_columns) {
    append_binary_int8(buffer_, static_cast<int64_t>(row));
    append_binary_bool(buffer_, batch.meta(row).op == FERRY_OP_DELETE);
  }
  return true;
}

int64_t PostgresSink::copy_rows(Connection& c, const std::string& copy_sql, const ferry::BatchView& batch,
                                RowCheck& check, bool with_op_columns) {
  if (binary_first(batch, check))
    if (std::optional<int64_t> copied = stream_rows(c, copy_sql, batch, check, with_op_columns, true))
      return *copied;
  return *stream_rows(c, copy_sql, batch, check, with_op_columns, false);
}

std::optional<int64_t> PostgresSink::stream_rows(Connection& c, const std::string& copy_sql,
                                                 const ferry::BatchView& batch, RowCheck& check,
                                                 bool with_op_columns, bool binary) {
  // COPY starts with the first chunk: until then a value without a binary
  // form costs only the rows encoded so far.
  bool started = false;
  const auto send = [&] {
    if (!started) c.copy_start(binary ? copy_sql + " (FORMAT binary)" : copy_sql, "starting COPY into " + where_);
    started = true;
    c.copy_put(buffer_, "sending rows to " + where_);
    buffer_.clear();
  };
  int64_t copied = 0;
  buffer_.clear();
  if (binary) append_binary_header(buffer_);
  for (size_t row = 0; row < batch.rows(); ++row) {
    if (!check.keep(row)) continue;
    if (!binary) {
      append_text_row(batch, row, with_op_columns);
    } else if (!append_binary_row(batch, row, with_op_columns)) {
      if (!started) return std::nullopt;
      prechecks_left_ = kPrecheckedBatches + 1;  // the call's own re-run takes one
      c.copy_abort(kBinaryAbort, "writing rows to " + where_);
      throw BinaryRefused();
    }
    ++copied;
    if (buffer_.size() >= kCopyChunk) send();
  }
  if (copied == 0) return 0;  // every row refused: no COPY at all
  if (binary) append_binary_trailer(buffer_);
  send();
  c.copy_end("writing rows to " + where_);
  return copied;
}

int64_t PostgresSink::write_append(Connection& c, const ferry::BatchView& batch, RowCheck& check) {
  return copy_rows(c, "COPY " + table_.quoted() + " (" + column_list(batch) + ") FROM STDIN", batch, check,
                   false);
}

void PostgresSink::ensure_stage(Connection& c, const ferry::BatchView& batch) {
  std::string sig = ferry::support::column_signature(batch);
  if (sig == stage_signature_) return;
  // Same column types as the target, so the merge needs no casts; the
  // sequence number keeps the last record per key, `delete` its op.
  c.exec(std::string("DROP TABLE IF EXISTS ") + kStage + "; CREATE TEMP TABLE ferry_stage AS SELECT " +
             column_list(batch) + ", 0::int8 AS " + kSeq + ", false AS " + kDelete + " FROM " +
             table_.quoted() + " WITH NO DATA",
         "creating the staging table for " + where_);
  made_ddl();
  stage_signature_ = sig;
}

int64_t PostgresSink::write_upsert(Connection& c, const ferry::BatchView& batch, RowCheck& check) {
  bool has_deletes = false;
  std::vector<size_t> rows;
  for (size_t row = 0; row < batch.rows(); ++row)
    if (check.keep(row)) {
      rows.push_back(row);
      has_deletes = has_deletes || batch.meta(row).op == FERRY_OP_DELETE;
    }
  if (rows.empty()) return 0;
  std::vector<size_t> key_fields;
  std::vector<bool> integer_columns;
  for (const std::string& k : opts_.key)
    if (const std::optional<size_t> f = find_field(batch, k)) {
      key_fields.push_back(*f);
      const BinaryColumn type = binary_cols_[*f];
      integer_columns.push_back(type == BinaryColumn::kInt2 || type == BinaryColumn::kInt4 ||
                                type == BinaryColumn::kInt8);
    }
  // Inserts and updates only, each key once and in key order: the rows
  // merge as staged.
  const bool as_staged = !has_deletes && key_fields.size() == opts_.key.size() &&
                         integer_keys_ascend(batch, key_fields, integer_columns, rows);
  ensure_stage(c, batch);
  c.exec(std::string("TRUNCATE ") + kStage, "clearing the staging table for " + where_);
  const std::string op_columns = as_staged ? "" : std::string(", ") + kSeq + ", " + kDelete;
  const int64_t staged = copy_rows(c, std::string("COPY ") + kStage + " (" + column_list(batch) + op_columns +
                                          ") FROM STDIN",
                                   batch, check, !as_staged);

  std::string keys, join;
  for (size_t i = 0; i < opts_.key.size(); ++i) {
    const std::string q = quote_ident(opts_.key[i]);
    keys += (i ? ", " : "") + q;
    join += (i ? " AND t." : "t.") + q + " = s." + q;
  }
  // The last record per key wins, as if the records were applied in order.
  const std::string latest = as_staged ? std::string(kStage) + " AS s"
                                       : std::string("(SELECT DISTINCT ON (") + keys + ") * FROM " + kStage +
                                             " ORDER BY " + keys + ", " + kSeq + " DESC) AS s";
  if (has_deletes)
    c.exec("DELETE FROM " + table_.quoted() + " AS t USING " + latest + " WHERE s." + kDelete +
               " AND " + join,
           "deleting rows from " + where_);
  std::string set;
  for (size_t f = 0; f < batch.fields(); ++f) {
    const std::string_view name = batch.field_name(f);
    bool is_key = false;
    for (const std::string& k : opts_.key) is_key = is_key || k == name;
    if (is_key) continue;
    const std::string q = quote_ident(name);
    set += (set.empty() ? "" : ", ") + q + " = EXCLUDED." + q;
  }
  c.exec("INSERT INTO " + table_.quoted() + " (" + column_list(batch) + ") SELECT " +
             column_list(batch, "s.") + " FROM " + latest + (as_staged ? "" : std::string(" WHERE NOT s.") + kDelete) +
             " ON CONFLICT (" + keys + ") " + (set.empty() ? "DO NOTHING" : "DO UPDATE SET " + set),
         "upserting rows into " + where_);
  return staged;
}

void PostgresSink::write(const ferry::BatchView& input, ferry::Outcomes& outcomes) {
  if (input.rows() == 0) return;
  connection();
  std::optional<ferry::support::TableFit> fit;
  std::vector<Rejection> rejections;
  const auto call = [&] {
    txn_->write([&] {
      call_begins();
      Connection& c = live();
      pin_column_types(c);
      ferry::support::TableTarget target;
      target.has_column = [&](std::string_view name) { return table_.has_column(c, name); };
      target.contract = &opts_.contract;
      target.key = opts_.key;
      target.column_name_problem = ferry::support::postgres_column_name_problem;
      fit.emplace(input, target);
      if (!fit->refusal().empty()) fail(FERRY_ERROR_CONFIG, fit->refusal() + " (" + where_ + ")");
      const ferry::BatchView& batch = fit->batch();
      if (batch.rows() == 0) return int64_t{0};
      // The table first: the checks read the limits of the columns it adds.
      fit_table(c, batch);
      RowCheck check = row_check(batch);
      const int64_t staged =
          opts_.mode == WriteMode::kAppend ? write_append(c, batch, check) : write_upsert(c, batch, check);
      rejections = check.take_rejections();
      return staged;
    });
  };
  try {
    call();
  } catch (const BinaryRefused&) {
    // The call was undone; binary_first() now checks the batch before
    // sending it. The undo may have taken the connection with it.
    connection();
    call();
  }
  // Outcomes only once the call stands: a failed call must report no rows.
  for (const auto& [row, why] : fit->rejected()) outcomes.reject(row, std::string(kWho) + ": " + why);
  for (Rejection& r : rejections) outcomes.reject(fit->input_row(r.row), std::move(r.message));
}

void PostgresSink::commit(const FerryCheckpoint* checkpoint) {
  // A connection lost with rows staged makes the commit answer RETRY: the
  // host aborts and writes the batch again.
  connection();
  const int64_t committed = txn_->commit(checkpoint);
  if (committed > 0) host_.count("postgres_rows_committed", committed);
}

void PostgresSink::abort() { txn_->abort(); }

void PostgresSink::fence(std::string_view partition, uint64_t token) {
  if (txn_->open())
    throw ferry::Error(FERRY_ERROR_INTERNAL, std::string(kWho) + ": fence() called with a transaction open");
  checkpoints_.fence(connection(), pipeline_, partition, token);
}

std::optional<std::string> PostgresSink::checkpoint(std::string_view partition) {
  Connection& c = connection();
  if (!txn_->open()) return checkpoints_.load(c, pipeline_, partition, false);
  // Inside the transaction, where a failed statement would abort it.
  std::optional<std::string> out;
  txn_->in_savepoint([&] {
    call_begins();
    out = checkpoints_.load(live(), pipeline_, partition, true);
  });
  return out;
}

}  // namespace ferry_pg
