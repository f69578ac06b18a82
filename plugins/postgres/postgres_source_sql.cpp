// How the postgres source learns its columns (names, types, how each is
// printed) and writes the SQL of its pages.
#include <algorithm>

#include "ident.h"
#include "postgres_source.h"

namespace ferry_pg {
namespace {

[[noreturn]] void fail(FerryStatus status, const std::string& message) {
  throw ferry::Error(status, "postgres source: " + message);
}

}  // namespace

size_t PostgresSource::column_index(const std::string& name, std::string_view option) const {
  for (size_t i = 0; i < columns_.size(); ++i)
    if (columns_[i].name == name) return i;
  const std::string what = opts_.table ? "table " + opts_.table->quoted() : std::string("the query");
  fail(FERRY_ERROR_CONFIG, "option '" + std::string(option) + "' names column " +
                               quote_ident(name) + ", which is not a column of " + what + " (" +
                               conn_->endpoint() + ")");
}

void PostgresSource::describe_columns() {
  Connection& c = connection();
  const std::string what = opts_.table ? "reading the columns of table " + opts_.table->quoted()
                                       : std::string("describing the query");
  Result r = c.exec("SELECT * FROM " + from_ + " AS ferry_src LIMIT 0", what);
  const int n = PQnfields(r.get());
  std::string oids = "{", typmods = "{";
  for (int i = 0; i < n; ++i) {
    SourceColumn col;
    col.name = PQfname(r.get(), i);
    for (const SourceColumn& other : columns_)
      if (other.name == col.name)
        fail(FERRY_ERROR_CONFIG, "the query returns two columns named " + quote_ident(col.name));
    columns_.push_back(std::move(col));
    if (i > 0) {
      oids += ',';
      typmods += ',';
    }
    oids += std::to_string(PQftype(r.get(), i));
    typmods += std::to_string(PQfmod(r.get(), i));
  }
  oids += '}';
  typmods += '}';

  // Each column's type: its category (enums, domains and arrays have OIDs
  // that differ per database); its name with the column's modifier, to
  // cast a bound cursor value (char(3): as char(1) the value would be cut
  // and the table read again from there); its output function as regproc
  // prints it, schema-qualified where the search path would not find it.
  Params p;
  p.add_text(oids);
  p.add_text(typmods);
  Result types = c.exec(
      "SELECT t.typcategory, format_type(x.o, x.m), t.typoutput::regproc::text "
      "FROM unnest($1::oid[], $2::int4[]) WITH ORDINALITY AS x(o, m, n) JOIN pg_type t ON t.oid = x.o "
      "ORDER BY x.n",
      p, "reading column types");
  if (PQntuples(types.get()) != n) fail(FERRY_ERROR_INTERNAL, "a column's type is missing from pg_type");
  for (int i = 0; i < n; ++i) {
    SourceColumn& col = columns_[static_cast<size_t>(i)];
    col.oid = PQftype(r.get(), i);
    col.sql_type = PQgetvalue(types.get(), i, 1);
    col.output_fn = PQgetvalue(types.get(), i, 2);
    if (col.output_fn.empty() || col.output_fn == "-")
      fail(FERRY_ERROR_CONFIG, "column " + quote_ident(col.name) + " has type " + col.sql_type +
                                   ", which has no text output");
    col.kind = kind_of(col.oid, PQgetvalue(types.get(), i, 0)[0], &col.as_json);
    col.wire = wire_of(col);
  }

  for (const std::string& name : opts_.cursor) cursor_cols_.push_back(column_index(name, "cursor"));
  for (const std::string& name : opts_.key) key_cols_.push_back(column_index(name, "key"));
  for (size_t i : cursor_cols_)
    if (columns_[i].as_json)
      fail(FERRY_ERROR_CONFIG, "cursor column " + quote_ident(columns_[i].name) +
                                   " is an array; use scalar, unique, NOT NULL columns");
  if (!opts_.partition_column.empty()) {
    partition_col_ = column_index(opts_.partition_column, "partition_column");
    if (columns_[*partition_col_].kind != ColumnKind::kInt)
      fail(FERRY_ERROR_CONFIG, "partition_column " + quote_ident(opts_.partition_column) +
                                   " must be an integer column, is " +
                                   columns_[*partition_col_].sql_type);
  }

  // Cursor and key columns that arrive in binary come a second time, as
  // text, after the others.
  int extra = static_cast<int>(columns_.size());
  const auto needs_text = [&](size_t k) {
    SourceColumn& col = columns_[k];
    if (col.text_at >= 0) return;
    col.text_at = col.wire == Wire::kText ? static_cast<int>(k) : extra++;
  };
  for (size_t k : cursor_cols_) needs_text(k);
  for (size_t k : key_cols_) needs_text(k);
  choose_text_exprs();
  // Arrays come as JSON, which has no index bounds: their dimensions too,
  // after the texts, to refuse what JSON would renumber.
  for (SourceColumn& col : columns_)
    if (col.as_json) col.dims_at = extra++;

  for (size_t i = 0; i < columns_.size(); ++i) {
    bool is_key = false;
    for (size_t k : key_cols_) is_key = is_key || k == i;
    builder_.add_field(columns_[i].name, ferry_type(columns_[i].kind),
                       FERRY_FIELD_NULLABLE | (is_key ? FERRY_FIELD_KEY : 0u));
  }
}

bool PostgresSource::printed_by_call(const SourceColumn& col) const {
  if (col.text_at >= static_cast<int>(columns_.size())) return true;  // a binary cursor or key column's text
  return col.wire == Wire::kText && !col.as_json && col.kind != ColumnKind::kJson && !sends_its_text(col.oid);
}

void PostgresSource::choose_text_exprs() {
  // Through the output function, the text is exactly what the server
  // prints. Calling it in SQL can fail where the server's own printing
  // does not: an extension's type in a schema the reader may not use, a
  // type whose output function takes another type (refcursor's is text's).
  // Such a column is cast to text instead, the same text unless its type
  // brings a cast of its own.
  std::vector<size_t> called;
  for (size_t i = 0; i < columns_.size(); ++i) {
    SourceColumn& col = columns_[i];
    col.text_expr = col.output_fn + "(ferry_src." + quote_ident(col.name) + ")";
    if (printed_by_call(col)) called.push_back(i);
  }
  const auto callable = [&](const std::vector<size_t>& cols) {
    std::string sql = "SELECT ";
    for (size_t k = 0; k < cols.size(); ++k) sql += (k ? ", " : "") + columns_[cols[k]].text_expr;
    try {
      connection().exec(sql + " FROM " + from_ + " AS ferry_src LIMIT 0", "checking how to print the columns");
      return true;
    } catch (const PgError& e) {
      if (e.connection_lost()) throw;
      return false;
    }
  };
  if (called.empty() || callable(called)) return;
  for (size_t i : called)
    if (!callable({i})) columns_[i].text_expr = "ferry_src." + quote_ident(columns_[i].name) + "::text";
}

std::string PostgresSource::cursor_comparison(const char* alias, const char* op) const {
  std::string lhs, rhs;
  for (size_t k = 0; k < cursor_cols_.size(); ++k) {
    const SourceColumn& col = columns_[cursor_cols_[k]];
    if (k > 0) {
      lhs += ", ";
      rhs += ", ";
    }
    lhs += std::string(alias) + "." + quote_ident(col.name);
    rhs += "$" + std::to_string(k + 1) + "::" + col.sql_type;
  }
  if (cursor_cols_.size() == 1) return lhs + " " + op + " " + rhs;
  return "(" + lhs + ") " + op + " (" + rhs + ")";
}

std::vector<std::string> PostgresSource::partition_conditions(const Range& range, const char* alias) const {
  std::vector<std::string> conds;
  if (!partition_col_) return conds;
  const std::string pc = std::string(alias) + "." + quote_ident(columns_[*partition_col_].name);
  // Bounds are integers we computed: literals are safe and let the planner see them.
  if (range.lo) conds.push_back(pc + " >= " + std::to_string(*range.lo));
  if (range.hi) conds.push_back(pc + " < " + std::to_string(*range.hi));
  if (!range.lo && !range.hi) conds.push_back(pc + " IS NOT NULL");
  return conds;
}

std::string PostgresSource::ties_sql(const Range& range) const {
  // Its own alias: inside a page's select list it must not see the page's row.
  std::vector<std::string> conds = partition_conditions(range, "ferry_tie");
  conds.insert(conds.begin(), cursor_comparison("ferry_tie", "="));
  std::string sql = "SELECT 1 FROM " + from_ + " AS ferry_tie";
  for (size_t i = 0; i < conds.size(); ++i) sql += (i == 0 ? " WHERE " : " AND ") + conds[i];
  return "SELECT count(*) FROM (" + sql + " LIMIT 2) AS ferry_ties";
}

std::string PostgresSource::page_sql(const Range& range, bool after_cursor) const {
  std::string sql = "SELECT ";
  for (size_t i = 0; i < columns_.size(); ++i) {
    if (i > 0) sql += ", ";
    const SourceColumn& col = columns_[i];
    const std::string q = "ferry_src." + quote_ident(col.name);
    if (col.as_json) sql += "to_json(" + q + ")";
    else if (col.wire != Wire::kText || sends_its_text(col.oid) || col.kind == ColumnKind::kJson) sql += q;
    else sql += col.text_expr;
  }
  // The text forms of cursor and key columns that came in binary, in the
  // order describe_columns() numbered them.
  std::vector<const SourceColumn*> texts;
  for (const SourceColumn& col : columns_)
    if (col.text_at >= static_cast<int>(columns_.size())) texts.push_back(&col);
  std::sort(texts.begin(), texts.end(), [](const SourceColumn* a, const SourceColumn* b) { return a->text_at < b->text_at; });
  for (const SourceColumn* col : texts) sql += ", " + col->text_expr;
  for (const SourceColumn& col : columns_)
    if (col.dims_at >= 0) sql += ", array_dims(ferry_src." + quote_ident(col.name) + ")";
  // Last, after a cursor: how many rows share the cursor the page starts
  // after (check_page_start), computed once per page, not per row.
  if (after_cursor) sql += ", (" + ties_sql(range) + ")";
  sql += " FROM " + from_ + " AS ferry_src";
  std::vector<std::string> conds = partition_conditions(range, "ferry_src");
  // A row comparison: one index range scan on (a, b), not an OR chain.
  if (after_cursor) conds.insert(conds.begin(), cursor_comparison("ferry_src", ">"));
  for (size_t i = 0; i < conds.size(); ++i) sql += (i == 0 ? " WHERE " : " AND ") + conds[i];
  sql += " ORDER BY ";
  for (size_t k = 0; k < cursor_cols_.size(); ++k) {
    if (k > 0) sql += ", ";
    sql += "ferry_src." + quote_ident(columns_[cursor_cols_[k]].name);
  }
  sql += " LIMIT " + std::to_string(batch_records_);
  return sql;
}

}  // namespace ferry_pg
