// The target table's columns as SQLite knows them, and the DDL that makes a
// batch fit: CREATE TABLE from the first batch, ALTER TABLE ADD COLUMN for
// fields that appear later.
#ifndef FERRY_PLUGINS_SQLITE_TABLE_SCHEMA_H_
#define FERRY_PLUGINS_SQLITE_TABLE_SCHEMA_H_

#include <ferry/plugin.h>

#include <sql/schema_contract.h>
#include <sql/table_evolution.h>

#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "database.h"
#include "values.h"

namespace ferry_sqlite {

class TableSchema final : public ferry::support::EvolvingTable {
 public:
  TableSchema(Database& db, std::string table);

  const std::string& table() const { return table_; }
  const std::string& quoted() const { return quoted_; }

  // Reads the columns on first use (and after forget()). False if the table
  // does not exist.
  bool exists() override;
  bool has_column(std::string_view name) override;
  // How SQLite converts values bound to column `name` (kBlob, storing them
  // as they come, for a column it does not have).
  Affinity affinity(std::string_view name);

  // A column to create: its name and declared type ("" for none).
  using NewColumn = ferry::support::NewColumn;
  // CREATE TABLE IF NOT EXISTS with these columns and, if `key` is not
  // empty, a PRIMARY KEY on those columns (which must be among them).
  void create(const std::vector<NewColumn>& columns, const std::vector<std::string>& key) override;
  void add_column(const NewColumn& column) override;

  // DDL is transactional in SQLite: after a rollback what we cached may no
  // longer be true, so read it again next time.
  void forget();

 private:
  void load();

  Database& db_;
  std::string table_;
  std::string quoted_;
  bool loaded_ = false;
  bool exists_ = false;
  // Declared type by column name, ASCII-lowercased as SQLite compares.
  std::unordered_map<std::string, std::string> columns_;
};

// SQLite compares identifiers case-insensitively in ASCII only.
inline std::string fold_ident(std::string_view name) { return ferry::support::fold_ascii(name); }

}  // namespace ferry_sqlite

#endif  // FERRY_PLUGINS_SQLITE_TABLE_SCHEMA_H_
