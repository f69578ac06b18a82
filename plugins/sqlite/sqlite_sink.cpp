#include "sqlite_sink.h"

#include <sql/row_checks.h>
#include <sql/table_fit.h>

#include <algorithm>

namespace ferry_sqlite {
namespace {

[[noreturn]] void fail(FerryStatus status, const std::string& message) {
  throw ferry::Error(status, "sqlite sink: " + message);
}

std::optional<size_t> find_field(const ferry::BatchView& batch, std::string_view column) {
  const std::string folded = fold_ident(column);
  for (size_t f = 0; f < batch.fields(); ++f)
    if (fold_ident(batch.field_name(f)) == folded) return f;
  return std::nullopt;
}

}  // namespace

void SqliteSink::check_config(const ferry::Context& ctx) { parse_options(ctx); }

SqliteSink::SqliteSink(const ferry::Context& ctx)
    : host_(ctx.host()), opts_(parse_options(ctx)), pipeline_(ctx.pipeline()) {
  const std::string path = ctx.resolve_path(opts_.path);
  where_ = "table " + quote_ident(opts_.table) + " in " + path;
  claim_.emplace(path, std::string(ctx.pipeline()), std::string(ctx.run_id()), std::string(ctx.name()));
  db_ = std::make_unique<Database>(path, sink_database_options(opts_.busy_timeout_ms));
  configure_connection();
  checkpoints_ = std::make_unique<CheckpointStore>(*db_);
  schema_ = std::make_unique<TableSchema>(*db_, opts_.table);
  // IMMEDIATE takes the write lock at once: BUSY shows up before anything
  // is staged. ROLLBACK TO keeps the savepoint open; RELEASE then drops it.
  txn_ = std::make_unique<ferry::support::SinkTransaction>(
      static_cast<SinkDialect&>(*this),
      ferry::support::TransactionStatements{"BEGIN IMMEDIATE", "SAVEPOINT ferry_write", "RELEASE ferry_write",
                                            "ROLLBACK TO ferry_write; RELEASE ferry_write"},
      "sqlite sink", where_);
  // Fail at open, before any data flows, when the table can never fit.
  rules_ = table_rules();
  ferry::support::check_table_at_open(*schema_, rules_);
}

SqliteSink::~SqliteSink() {
  if (db_ && db_->in_transaction()) sqlite3_exec(db_->raw(), "ROLLBACK", nullptr, nullptr, nullptr);
}

void SqliteSink::configure_connection() {
  if (db_->journal_mode() != "wal")
    host_.warn("sqlite sink: " + db_->path() + " stays in journal mode '" + db_->journal_mode() +
               "' (WAL not available)");
  db_->exec(opts_.synchronous == Synchronous::kFull ? "PRAGMA synchronous = FULL"
                                                    : "PRAGMA synchronous = NORMAL",
            "setting synchronous");
}

ferry::support::TableRules SqliteSink::table_rules() const {
  ferry::support::TableRules rules;
  rules.who = "sqlite sink";
  rules.where = where_;
  rules.create_table = opts_.create_table;
  rules.case_insensitive = true;
  rules.contract = &opts_.contract;
  rules.key = opts_.key;
  rules.default_type = [](const ferry::BatchView& batch, size_t f) { return std::string(column_type(batch.field(f).type)); };
  return rules;
}

void SqliteSink::exec(const std::string& sql, std::string_view what) { db_->exec(sql, std::string(what)); }

void SqliteSink::save_checkpoint(const FerryCheckpoint& checkpoint) { checkpoints_->save(checkpoint, pipeline_); }

void SqliteSink::rollback() noexcept {
  if (db_->in_transaction()) sqlite3_exec(db_->raw(), "ROLLBACK", nullptr, nullptr, nullptr);
}

ferry::support::Loss SqliteSink::loss() noexcept {
  // Some errors (a full disk, an I/O error) make SQLite roll back the
  // whole transaction on its own.
  return db_->in_transaction() ? ferry::support::Loss::kCall : ferry::support::Loss::kTransaction;
}

void SqliteSink::rolled_back(bool whole_transaction) noexcept {
  if (ddl_in_txn_) {
    prepared_.clear();
    schema_->forget();
  }
  if (whole_transaction) ddl_in_txn_ = false;
}

void SqliteSink::write(const ferry::BatchView& input, ferry::Outcomes& outcomes) {
  if (input.rows() == 0) return;
  txn_->begin();  // the write lock first: the table is read under it

  ferry::support::TableTarget target;
  target.case_insensitive = true;
  target.column_name_problem = ferry::support::sqlite_column_name_problem;
  target.has_column = [this](std::string_view name) { return schema_->has_column(name); };
  target.contract = &opts_.contract;
  target.key = opts_.key;
  const ferry::support::TableFit fit(input, target);
  if (!fit.refusal().empty()) fail(FERRY_ERROR_CONFIG, fit.refusal() + " (" + where_ + ")");
  const ferry::BatchView& batch = fit.batch();

  std::vector<Rejection> rejected;
  txn_->write([&] {
    if (batch.rows() > 0) write_rows(batch, prepared_for(batch), &rejected);
    return static_cast<int64_t>(batch.rows() - rejected.size());
  });
  // Outcomes only once the call stands: a failed call must report no rows.
  for (const auto& [row, why] : fit.rejected()) outcomes.reject(row, "sqlite sink: " + why);
  for (Rejection& r : rejected) outcomes.reject(fit.input_row(r.row), std::move(r.message));
}

SqliteSink::Prepared& SqliteSink::prepared_for(const ferry::BatchView& batch) {
  std::string sig = ferry::support::column_signature(batch);
  auto it = prepared_.find(sig);
  if (it != prepared_.end()) return *it->second;
  // TableFit has merged fields that differ only in case and left out those
  // schema_changes forbids: every field here is a column, or may become one.
  if (ferry::support::fit_table(*schema_, batch, rules_)) ddl_in_txn_ = true;
  std::unique_ptr<Prepared> p = prepare(batch);
  return *prepared_.emplace(std::move(sig), std::move(p)).first->second;
}

std::unique_ptr<SqliteSink::Prepared> SqliteSink::prepare(const ferry::BatchView& batch) {
  auto p = std::make_unique<Prepared>();
  const std::string& table = schema_->quoted();

  std::string sql = "INSERT INTO " + table + " (";
  std::string params;
  for (size_t f = 0; f < batch.fields(); ++f) {
    if (f > 0) {
      sql += ", ";
      params += ", ";
    }
    sql += quote_ident(batch.field_name(f));
    params += '?';
  }
  sql += ") VALUES (" + params + ")";

  if (opts_.mode == WriteMode::kUpsert) {
    std::string target;
    std::string where;
    for (size_t i = 0; i < opts_.key.size(); ++i) {
      if (i > 0) {
        target += ", ";
        where += " AND ";
      }
      target += quote_ident(opts_.key[i]);
      where += quote_ident(opts_.key[i]) + " = ?";
      p->key_fields.push_back(*find_field(batch, opts_.key[i]));
    }
    std::string set;
    for (size_t f = 0; f < batch.fields(); ++f) {
      if (std::find(p->key_fields.begin(), p->key_fields.end(), f) != p->key_fields.end()) continue;
      const std::string col = quote_ident(batch.field_name(f));
      if (!set.empty()) set += ", ";
      set += col + " = excluded." + col;
    }
    sql += " ON CONFLICT (" + target + ") ";
    sql += set.empty() ? "DO NOTHING" : "DO UPDATE SET " + set;
    p->remove = db_->prepare("DELETE FROM " + table + " WHERE " + where,
                             "preparing the delete from " + where_);
  }
  p->insert = db_->prepare(sql, "preparing the insert into " + where_);
  for (size_t f = 0; f < batch.fields(); ++f) p->affinities.push_back(schema_->affinity(batch.field_name(f)));
  return p;
}

void SqliteSink::write_rows(const ferry::BatchView& batch, Prepared& p,
                            std::vector<Rejection>* rejected) {
  const size_t n_fields = batch.fields();
  scratch_.resize(n_fields);
  const bool upsert = opts_.mode == WriteMode::kUpsert;

  for (size_t row = 0; row < batch.rows(); ++row) {
    const FerryOp op = batch.meta(row).op;
    std::optional<std::string> why = ferry::support::refused_op(op, upsert);
    if (!why && upsert) why = ferry::support::null_key(batch, row, p.key_fields, '"');
    // A delete binds only the key: a key the column cannot hold matches
    // nothing, so it is refused as an insert would be.
    for (size_t f = 0; f < n_fields && !why; ++f) {
      if (op == FERRY_OP_DELETE && std::find(p.key_fields.begin(), p.key_fields.end(), f) == p.key_fields.end())
        continue;
      if (std::optional<std::string> problem = unstorable(batch.value(row, f), p.affinities[f]))
        why = "field " + quote_ident(batch.field_name(f)) + ": " + *problem;
    }
    if (why) {
      rejected->push_back({row, std::move(*why)});
      continue;
    }
    const bool is_delete = op == FERRY_OP_DELETE;

    sqlite3_stmt* stmt = is_delete ? p.remove.get() : p.insert.get();
    ResetOnExit reset(stmt);
    int rc = SQLITE_OK;
    if (is_delete) {
      for (size_t i = 0; i < p.key_fields.size() && rc == SQLITE_OK; ++i)
        rc = bind_value(stmt, static_cast<int>(i + 1), batch.value(row, p.key_fields[i]),
                        p.affinities[p.key_fields[i]], scratch_[i].data());
    } else {
      for (size_t f = 0; f < n_fields && rc == SQLITE_OK; ++f)
        rc = bind_value(stmt, static_cast<int>(f + 1), batch.value(row, f), p.affinities[f], scratch_[f].data());
    }
    if (rc == SQLITE_OK) rc = sqlite3_step(stmt);
    if (rc != SQLITE_DONE) fail_row(rc, row);
  }
}

void SqliteSink::fail_row(int rc, size_t row) {
  db_->fail(rc, "writing row " + std::to_string(row) + " to " + where_);
}

void SqliteSink::commit(const FerryCheckpoint* checkpoint) {
  const int64_t committed = txn_->commit(checkpoint);
  if (committed > 0) host_.count("sqlite_rows_committed", committed);
}

void SqliteSink::abort() { txn_->abort(); }

std::optional<std::string> SqliteSink::checkpoint(std::string_view partition) {
  return checkpoints_->load(pipeline_, partition);
}

}  // namespace ferry_sqlite
