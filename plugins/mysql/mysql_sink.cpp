#include "mysql_sink.h"

#include <cppconn/resultset.h>
#include <cppconn/statement.h>
#include <cppconn/warning.h>
#include <sql/row_checks.h>
#include <sql/table_fit.h>

#include "column_types.h"
#include "sql/mysql_errors.h"
#include "identifiers.h"
#include "row_binder.h"

namespace ferry_mysql {
namespace {

constexpr const char* kComponent = "mysql sink";
// Keeps one multi-row INSERT far below MariaDB's default 16 MiB
// max_allowed_packet, and at most half of a smaller one (larger values go
// as long data and do not count).
constexpr size_t kMaxStatementBytes = 4 << 20;
// Room a value leaves in its packet for the packet's own header and the
// statement's.
constexpr size_t kPacketHeadroom = 1024;
// MySQL's limit of placeholders per prepared statement.
constexpr size_t kMaxPlaceholders = 65535;
// Distinct row counts kept prepared per column list; short tails vary.
constexpr size_t kMaxCachedInserts = 8;
constexpr uint64_t kRetryAfterMs = 200;
// Every write() runs inside this savepoint (support/sql/sink_transaction.h).
constexpr const char* kSavepoint = "SAVEPOINT ferry_write";
constexpr const char* kRollbackToSavepoint = "ROLLBACK TO SAVEPOINT ferry_write";

std::optional<size_t> find_field(const ferry::BatchView& batch, std::string_view column) {
  for (size_t f = 0; f < batch.fields(); ++f)
    if (same_column(batch.field_name(f), column)) return f;
  return std::nullopt;
}

}  // namespace

void MysqlSink::check_config(const ferry::Context& ctx) { parse_sink_options(ctx); }

MysqlSink::MysqlSink(const ferry::Context& ctx)
    : host_(ctx.host()),
      opts_(parse_sink_options(ctx)),
      pipeline_(ctx.pipeline()),
      where_("table " + quote_table(opts_.connection.database, opts_.table)),
      session_(opts_.connection, kComponent, opts_.load_data),
      table_(session_, opts_.connection.database, opts_.table),
      checkpoints_(session_, opts_.connection.database, opts_.checkpoint_table),
      load_data_(opts_.load_data) {
  // No RELEASE: a savepoint of the same name replaces it, and COMMIT drops it.
  txn_ = std::make_unique<ferry::support::SinkTransaction>(
      static_cast<SinkDialect&>(*this),
      ferry::support::TransactionStatements{"START TRANSACTION", kSavepoint, "", kRollbackToSavepoint},
      kComponent, where_);
  // The server rolls back what the connection had open when it dies.
  session_.on_disconnect([this] {
    drop_statements();
    txn_->connection_lost();
  });
  try {
    session_.ensure_connected();
    // Fail at open, before any data flows or a checkpoint table is made,
    // when the table can never fit or never roll back.
    ferry::support::check_table_at_open(table_, table_rules(opts_.key));
    table_.require_transactional();
    checkpoints_.ensure_table();
  } catch (...) {
    // No destructor runs: members go in reverse order, and the session,
    // closing last, must not call back into the ones already gone.
    drop_statements();
    session_.on_disconnect(nullptr);
    throw;
  }
}

MysqlSink::~MysqlSink() {
  txn_->abort();
  drop_statements();
  session_.on_disconnect(nullptr);
}

void MysqlSink::fail(FerryStatus status, const std::string& message) const {
  throw ferry::Error(status, std::string(kComponent) + ": " + message,
                     status == FERRY_RETRY ? kRetryAfterMs : 0);
}

void MysqlSink::drop_statements() {
  plans_.clear();
  checkpoints_.reset();
}

void MysqlSink::exec(const std::string& sql, std::string_view what) {
  // Never reconnects: a statement of this transaction must not run on a
  // new connection that does not have it.
  session_.ferry::support::mysql::Session::exec(sql, what);
  if (sql.rfind("ROLLBACK", 0) == 0) note_unreverted_changes();
}

void MysqlSink::note_unreverted_changes() {
  // A rollback warns (1196) when some changed tables could not roll back.
  // The engine was checked at open; one changed to MyISAM during the run
  // keeps the rows of a failed write, and the next call stops the run
  // rather than count them as failed or write them again. The warning
  // count is the cheap test (it may still be a LOAD's, and a server with
  // max_error_count 0 lists none); the table's engine decides.
  try {
    std::unique_ptr<sql::Statement> st(session_.raw().createStatement());
    std::unique_ptr<sql::ResultSet> count(st->executeQuery("SHOW COUNT(*) WARNINGS"));
    if (!count->next() || count->getInt64(1) == 0) return;
  } catch (const sql::SQLException& e) {
    session_.note(e);
    return;
  }
  const TableEngine engine = look_up_engine(session_, opts_.connection.database, opts_.table, table_.quoted());
  if (engine.exists && !engine.transactional) unreverted_engine_ = engine.view ? "a view" : engine.name;
}

void MysqlSink::stop_if_unreverted() {
  if (unreverted_engine_.empty()) return;
  fail(FERRY_ERROR_CONFIG, "rolling back a failed write to " + where_ +
                               " left rows behind: the server could not roll it back, the table's engine is now " +
                               unreverted_engine_ +
                               ". Was it altered during the run? The run stops rather than count written rows as failed");
}

void MysqlSink::save_checkpoint(const FerryCheckpoint& checkpoint) {
  std::string pipeline(ferry::view(checkpoint.pipeline));
  if (pipeline.empty()) pipeline = pipeline_;
  try {
    checkpoints_.save(pipeline, checkpoint);
  } catch (const sql::SQLException& e) {
    fail(e, "storing the checkpoint in " + checkpoints_.quoted());
  }
}

void MysqlSink::rollback() noexcept {
  if (!session_.connected()) return;
  try {
    exec("ROLLBACK", "rolling back " + where_);
  } catch (const ferry::Error&) {
    session_.disconnect();  // whatever stayed open dies with the connection
  }
}

ferry::support::Loss MysqlSink::loss() noexcept {
  const int code = std::exchange(last_error_code_, 0);
  if (!session_.connected()) return ferry::support::Loss::kConnection;
  // A deadlock: InnoDB rolled the whole transaction back.
  if (code != 0 && ferry::support::mysql_error_loses_transaction(code)) return ferry::support::Loss::kTransaction;
  return ferry::support::Loss::kCall;
}

void MysqlSink::fail(const sql::SQLException& e, std::string_view what) {
  last_error_code_ = error_code(e);
  session_.fail(e, what);
}

std::vector<std::string> MysqlSink::key_columns(const ferry::BatchView& batch) const {
  if (!opts_.key.empty() || opts_.mode == WriteMode::kAppend) return opts_.key;
  // Upsert without `key`: the fields the source marked as the record key.
  std::vector<std::string> key;
  for (size_t f = 0; f < batch.fields(); ++f)
    if ((batch.field(f).flags & FERRY_FIELD_KEY) != 0) key.emplace_back(batch.field_name(f));
  return key;
}

ferry::support::TableRules MysqlSink::table_rules(const std::vector<std::string>& key) const {
  ferry::support::TableRules rules;
  rules.who = kComponent;
  rules.where = where_;
  rules.create_table = opts_.create_table;
  rules.case_insensitive = true;
  rules.quote = '`';
  rules.contract = &opts_.contract;
  rules.key = key;
  rules.default_type = [key](const ferry::BatchView& batch, size_t f) {
    bool is_key = false;
    for (const std::string& k : key) is_key = is_key || same_column(k, batch.field_name(f));
    return std::string(mysql_column_type(batch.field(f).type, is_key));
  };
  return rules;
}

void MysqlSink::fit_table(const ferry::BatchView& batch, const std::vector<std::string>& key) {
  if (batch.fields() == 0) fail(FERRY_ERROR_CONFIG, "a batch without fields cannot be written");
  if (opts_.mode == WriteMode::kUpsert && key.empty())
    fail(FERRY_ERROR_CONFIG, "mode \"upsert\" needs option 'key' or key fields in the batch (" +
                                 where_ + ")");
  ferry::support::TableRules rules = table_rules(key);
  // DDL commits whatever is open: never while rows are staged.
  rules.before_change = [this](const std::string& change) {
    if (txn_->open())
      fail(FERRY_ERROR_IO, change + " is needed in the middle of a transaction on " + where_ +
                               "; MySQL would commit the staged rows without their checkpoint");
  };
  const bool missing = !table_.exists();
  ferry::support::fit_table(table_, batch, rules);
  if (missing) host_.info("mysql sink: created " + where_);
  table_.require_transactional();
  if (opts_.mode == WriteMode::kUpsert && !table_.has_unique_key())
    fail(FERRY_ERROR_CONFIG, "mode \"upsert\" needs a PRIMARY KEY or UNIQUE key on " + where_ +
                                 " (ON DUPLICATE KEY UPDATE matches on it)");
}

std::unique_ptr<MysqlSink::Plan> MysqlSink::make_plan(const ferry::BatchView& batch,
                                                      const std::vector<std::string>& key) {
  auto plan = std::make_unique<Plan>();
  std::string columns;
  plan->row_params = "(";
  for (size_t f = 0; f < batch.fields(); ++f) {
    if (f > 0) {
      columns += ", ";
      plan->row_params += ", ";
    }
    columns += quote_ident(batch.field_name(f));
    plan->row_params += '?';
  }
  plan->row_params += ')';
  plan->insert_head = "INSERT INTO " + table_.quoted() + " (" + columns + ") VALUES ";
  for (const std::string& k : key) plan->key_fields.push_back(*find_field(batch, k));
  for (size_t f = 0; f < batch.fields(); ++f) plan->limits.push_back(table_.limits(batch.field_name(f)));

  if (opts_.mode == WriteMode::kUpsert) {
    std::string set;
    for (size_t f = 0; f < batch.fields(); ++f) {
      if (std::find(plan->key_fields.begin(), plan->key_fields.end(), f) != plan->key_fields.end())
        continue;
      const std::string col = quote_ident(batch.field_name(f));
      set += (set.empty() ? "" : ", ") + col + " = VALUES(" + col + ")";
    }
    // Only key columns: a no-op update keeps the statement an upsert.
    if (set.empty()) {
      const std::string col = quote_ident(batch.field_name(plan->key_fields[0]));
      set = col + " = " + col;
    }
    plan->tail = " ON DUPLICATE KEY UPDATE " + set;
  }
  plan->max_rows = std::max<size_t>(
      1, std::min<size_t>(static_cast<size_t>(opts_.rows_per_statement),
                          kMaxPlaceholders / batch.fields()));
  return plan;
}

MysqlSink::Plan& MysqlSink::plan_for(const ferry::BatchView& batch) {
  std::string sig = ferry::support::column_signature(batch);
  auto it = plans_.find(sig);
  if (it != plans_.end()) return *it->second;
  const std::vector<std::string> key = key_columns(batch);
  fit_table(batch, key);
  std::unique_ptr<Plan> plan = make_plan(batch, key);
  return *plans_.emplace(std::move(sig), std::move(plan)).first->second;
}

void MysqlSink::insert_rows(const ferry::BatchView& batch, Plan& plan,
                            const std::vector<size_t>& rows) {
  const size_t n = rows.size();
  auto it = plan.inserts.find(n);
  if (it == plan.inserts.end()) {
    if (plan.inserts.size() >= kMaxCachedInserts) plan.inserts.clear();
    std::string sql = plan.insert_head;
    sql.reserve(sql.size() + n * (plan.row_params.size() + 2) + plan.tail.size());
    for (size_t i = 0; i < n; ++i) {
      if (i > 0) sql += ", ";
      sql += plan.row_params;
    }
    sql += plan.tail;
    it = plan.inserts.emplace(n, session_.prepare(sql, "preparing the insert into " + where_)).first;
  }
  sql::PreparedStatement& stmt = *it->second;
  unsigned index = 1;
  for (size_t row : rows)
    for (size_t f = 0; f < batch.fields(); ++f) bind_value(stmt, index++, batch.value(row, f));
  stmt.executeUpdate();
}

void MysqlSink::delete_row(const ferry::BatchView& batch, Plan& plan, size_t row) {
  if (!plan.remove) {
    std::string where;
    for (size_t k : plan.key_fields)
      where += (where.empty() ? "" : " AND ") + quote_ident(batch.field_name(k)) + " = ?";
    plan.remove = session_.prepare("DELETE FROM " + table_.quoted() + " WHERE " + where,
                                   "preparing the delete from " + where_);
  }
  unsigned index = 1;
  for (size_t k : plan.key_fields) bind_value(*plan.remove, index++, batch.value(row, k));
  plan.remove->executeUpdate();
}

size_t MysqlSink::max_packet() {
  // Per connection: a session's max_allowed_packet is the server's global
  // when it connected.
  if (max_packet_generation_ == session_.generation() && max_packet_ > 0) return max_packet_;
  try {
    std::unique_ptr<sql::Statement> st(session_.raw().createStatement());
    std::unique_ptr<sql::ResultSet> rs(st->executeQuery("SELECT @@max_allowed_packet"));
    max_packet_ = rs->next() ? static_cast<size_t>(rs->getUInt64(1)) : kMaxStatementBytes;
  } catch (const sql::SQLException& e) {
    fail(e, "reading max_allowed_packet");
  }
  max_packet_generation_ = session_.generation();
  return max_packet_;
}

std::vector<size_t> MysqlSink::accept_rows(const ferry::BatchView& batch, const Plan& plan, size_t max_packet,
                                           std::vector<Rejection>* rejected) const {
  const bool upsert = opts_.mode == WriteMode::kUpsert;
  std::vector<size_t> accepted;
  accepted.reserve(batch.rows());
  for (size_t row = 0; row < batch.rows(); ++row) {
    if (std::optional<std::string> why = ferry::support::refused_op(batch.meta(row).op, upsert)) {
      rejected->push_back({row, std::move(*why)});
      continue;
    }
    std::optional<std::string> bad;
    if (upsert) bad = ferry::support::null_key(batch, row, plan.key_fields, '`');
    for (size_t f = 0; f < batch.fields() && !bad; ++f) {
      const FerryValue& v = batch.value(row, f);
      if (std::optional<std::string> why = unstorable(v))
        bad = "column " + quote_ident(batch.field_name(f)) + ": " + *why;
      else if (std::optional<std::string> narrowed =
                   ferry::support::narrowed_value(v, plan.limits[f], batch.field_name(f), '`'))
        bad = std::move(narrowed);
      // A value the server cannot take in one packet can never be written
      // by INSERT: refused alone, not left to fail the batch on every try.
      else if (wire_size(v) + kPacketHeadroom > max_packet)
        bad = "column " + quote_ident(batch.field_name(f)) + ": a value of " + std::to_string(v.as.bytes.size) +
              " bytes does not fit the server's max_allowed_packet (" + std::to_string(max_packet) +
              " bytes, less " + std::to_string(kPacketHeadroom) + " for the statement around it)";
    }
    if (bad) {
      rejected->push_back({row, std::string(kComponent) + ": " + *bad + " (" + where_ + ")"});
      continue;
    }
    accepted.push_back(row);
  }
  return accepted;
}

bool MysqlSink::load_rows(const ferry::BatchView& batch, const std::vector<size_t>& rows) {
  if (!load_data_ || opts_.mode != WriteMode::kAppend || rows.empty()) return false;
  std::vector<LoadColumn> columns(batch.fields());
  for (size_t f = 0; f < batch.fields(); ++f) {
    if (!table_.takes_loaded_values(batch.field_name(f))) return false;
    bool integers = false, text = false;
    for (size_t row : rows) {
      const FerryValue& v = batch.value(row, f);
      if (!loadable(v)) return false;
      const bool integer = v.type == FERRY_TYPE_INT64 || v.type == FERRY_TYPE_BOOL;
      integers = integers || integer;
      text = text || (!integer && v.type != FERRY_TYPE_NULL);
    }
    // One way per field: integers cast back to numbers, or text as it is.
    if (integers && text) return false;
    columns[f] = LoadColumn{quote_ident(batch.field_name(f)), integers};
  }
  if (!load_file_) load_file_ = std::make_unique<LoadFile>();
  load_file_->clear();
  for (size_t row : rows) load_file_->add_row(batch, row);
  load_file_->finish();

  std::unique_ptr<sql::Statement> stmt(session_.raw().createStatement());
  int loaded = 0;
  try {
    loaded = stmt->executeUpdate(load_statement(load_file_->path(), table_.quoted(), columns));
  } catch (const sql::SQLException& e) {
    if (!refuses_local_infile(error_code(e), e.what())) throw;
    load_data_ = false;
    host_.info(std::string(kComponent) + ": LOAD DATA LOCAL INFILE is refused (" + where_ + ", [" +
               std::to_string(error_code(e)) + "]: local_infile off?); writing with INSERT from now on");
    return false;
  }
  // LOAD DATA LOCAL turns what an INSERT refuses (a bad value, a duplicate
  // key) into warnings and goes on: undo it, and let INSERT say which row.
  // The first warning as listed (SHOW WARNINGS, which leaves the list as it
  // is), then the count: a server with max_error_count 0 lists none but
  // counts them.
  const sql::SQLWarning* warning = stmt->getWarnings();
  const std::string first =
      warning ? " ([" + std::to_string(warning->getErrorCode()) + "] " + std::string(warning->getMessage()) + ")"
              : std::string();
  std::unique_ptr<sql::ResultSet> count(stmt->executeQuery("SHOW COUNT(*) WARNINGS"));
  const int64_t warnings = count->next() ? count->getInt64(1) : 1;
  if (warnings == 0 && static_cast<size_t>(loaded) == rows.size()) return true;
  exec(kRollbackToSavepoint, "undoing a LOAD DATA into " + where_ + " the server warned about");
  stop_if_unreverted();
  host_.count("mysql_load_data_fallbacks", 1);
  if (!std::exchange(warned_fallback_, true))
    host_.info(std::string(kComponent) + ": LOAD DATA into " + where_ + " loaded " + std::to_string(loaded) + " of " +
               std::to_string(rows.size()) + " row(s) with " + std::to_string(warnings) + " warning(s)" + first +
               "; such batches are written again with INSERT, which refuses the rows in question "
               "(logged once)");
  return false;
}

void MysqlSink::insert_in_order(const ferry::BatchView& batch, Plan& plan, const std::vector<size_t>& rows,
                                size_t max_packet) {
  const size_t max_statement = std::min(kMaxStatementBytes, max_packet / 2);
  std::vector<size_t> pending;
  size_t pending_bytes = 0;
  auto flush = [&] {
    if (pending.empty()) return;
    insert_rows(batch, plan, pending);
    pending.clear();
    pending_bytes = 0;
  };
  for (size_t row : rows) {
    if (batch.meta(row).op == FERRY_OP_DELETE) {
      // In order: a delete must see the inserts before it.
      flush();
      delete_row(batch, plan, row);
      continue;
    }
    size_t bytes = 0;
    for (size_t f = 0; f < batch.fields(); ++f) bytes += wire_size(batch.value(row, f));
    if (!pending.empty() && pending_bytes + bytes > max_statement) flush();
    pending.push_back(row);
    pending_bytes += bytes;
    if (pending.size() == plan.max_rows) flush();
  }
  flush();
}

void MysqlSink::write_rows(const ferry::BatchView& batch, Plan& plan,
                           std::vector<Rejection>* rejected) {
  const size_t packet = max_packet();
  const std::vector<size_t> rows = accept_rows(batch, plan, packet, rejected);
  if (load_rows(batch, rows)) return;
  insert_in_order(batch, plan, rows, packet);
}

void MysqlSink::write(const ferry::BatchView& input, ferry::Outcomes& outcomes) {
  if (input.rows() == 0) return;
  stop_if_unreverted();
  session_.ensure_connected();
  ferry::support::TableTarget target;
  target.case_insensitive = true;
  target.has_column = [this](std::string_view name) { return table_.has_column(name); };
  target.contract = &opts_.contract;
  target.key = key_columns(input);
  target.column_name_problem = ferry::support::mysql_column_name_problem;
  const ferry::support::TableFit fit(input, target);
  if (!fit.refusal().empty()) fail(FERRY_ERROR_CONFIG, fit.refusal() + " (" + where_ + ")");
  const ferry::BatchView& batch = fit.batch();
  if (batch.rows() == 0) {
    for (const auto& [row, why] : fit.rejected()) outcomes.reject(row, std::string(kComponent) + ": " + why);
    return;
  }
  Plan& plan = plan_for(batch);

  const std::string what =
      "writing " + std::to_string(batch.rows()) + " row(s) to " + where_;
  std::vector<Rejection> rejected;
  txn_->write([&] {
    try {
      write_rows(batch, plan, &rejected);
    } catch (const sql::SQLException& e) {
      fail(e, what);
    }
    return static_cast<int64_t>(batch.rows() - rejected.size());
  });
  // Outcomes only once the call stands: a failed call must report no rows.
  for (const auto& [row, why] : fit.rejected()) outcomes.reject(row, std::string(kComponent) + ": " + why);
  for (Rejection& r : rejected) outcomes.reject(fit.input_row(r.row), std::move(r.message));
}

void MysqlSink::commit(const FerryCheckpoint* cp) {
  stop_if_unreverted();
  session_.ensure_connected();
  const int64_t committed = txn_->commit(cp);
  if (committed > 0) host_.count("mysql_rows_committed", committed);
}

void MysqlSink::abort() { txn_->abort(); }

void MysqlSink::fence(std::string_view partition, uint64_t token) {
  if (txn_->open())
    throw ferry::Error(FERRY_ERROR_INTERNAL, "mysql sink: fence() called with a transaction open");
  session_.ensure_connected();
  checkpoints_.fence(pipeline_, partition, token);
}

std::optional<std::string> MysqlSink::checkpoint(std::string_view partition) {
  session_.ensure_connected();
  // Inside an open transaction the read is part of it: a deadlock there
  // rolls the staged rows back, which the transaction must know of.
  std::optional<std::string> out;
  txn_->in_savepoint([&] { out = checkpoints_.load(pipeline_, partition); });
  return out;
}

}  // namespace ferry_mysql
