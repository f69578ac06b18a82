#include "table_schema.h"

#include <ferry/plugin.hpp>

#include "values.h"

namespace ferry_sqlite {

TableSchema::TableSchema(Database& db, std::string table)
    : db_(db), table_(std::move(table)), quoted_(quote_ident(table_)) {}

void TableSchema::forget() {
  loaded_ = false;
  exists_ = false;
  columns_.clear();
}

void TableSchema::load() {
  const std::string what = "reading the columns of table " + quoted_;
  // A bound table name: no identifier ever reaches SQL text unquoted.
  Statement stmt = db_.prepare("SELECT name, type FROM pragma_table_info(?1, 'main')", what);
  sqlite3_bind_text(stmt.get(), 1, table_.data(), static_cast<int>(table_.size()), SQLITE_STATIC);
  ResetOnExit reset(stmt.get());
  columns_.clear();
  int rc;
  while ((rc = sqlite3_step(stmt.get())) == SQLITE_ROW) {
    const auto text = [&stmt](int column) {
      const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt.get(), column));
      return std::string(p ? p : "", static_cast<size_t>(sqlite3_column_bytes(stmt.get(), column)));
    };
    columns_.emplace(fold_ident(text(0)), text(1));
  }
  if (rc != SQLITE_DONE) db_.fail(rc, what);
  exists_ = !columns_.empty();
  loaded_ = true;
}

bool TableSchema::exists() {
  if (!loaded_) load();
  return exists_;
}

bool TableSchema::has_column(std::string_view name) {
  if (!loaded_) load();
  return columns_.count(fold_ident(name)) != 0;
}

Affinity TableSchema::affinity(std::string_view name) {
  if (!loaded_) load();
  const auto it = columns_.find(fold_ident(name));
  return it == columns_.end() ? Affinity::kBlob : affinity_of(it->second);
}

void TableSchema::create(const std::vector<NewColumn>& columns, const std::vector<std::string>& key) {
  std::string sql = "CREATE TABLE IF NOT EXISTS " + quoted_ + " (";
  for (size_t f = 0; f < columns.size(); ++f) {
    const std::string& name = columns[f].name;
    if (f > 0) sql += ", ";
    sql += quote_ident(name);
    if (!columns[f].type.empty()) sql += ' ' + columns[f].type;
    // SQLite lets NULL into a non-INTEGER primary key; say what we mean.
    for (const std::string& k : key) {
      if (fold_ident(k) == fold_ident(name)) {
        sql += " NOT NULL";
        break;
      }
    }
  }
  if (!key.empty()) {
    sql += ", PRIMARY KEY (";
    for (size_t i = 0; i < key.size(); ++i) {
      if (i > 0) sql += ", ";
      sql += quote_ident(key[i]);
    }
    sql += ')';
  }
  sql += ')';
  db_.exec(sql, "creating table " + quoted_);
  forget();
}

void TableSchema::add_column(const NewColumn& column) {
  // Another writer on the file (a parallel worker's sink) may have added it
  // since the columns were read. The sink holds the write lock here (BEGIN
  // IMMEDIATE), so a fresh look stays true until the ALTER.
  forget();
  if (has_column(column.name)) return;
  std::string sql = "ALTER TABLE " + quoted_ + " ADD COLUMN " + quote_ident(column.name);
  if (!column.type.empty()) sql += ' ' + column.type;
  db_.exec(sql, "adding column " + quote_ident(column.name) + " to table " + quoted_);
  if (loaded_) columns_.emplace(fold_ident(column.name), column.type);
}

}  // namespace ferry_sqlite
