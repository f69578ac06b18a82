// The sink's target table as PostgreSQL knows it, and the DDL that makes a
// batch fit: CREATE TABLE from the first batch, ALTER TABLE ADD COLUMN for
// fields that appear later.
#ifndef FERRY_PLUGINS_POSTGRES_TARGET_TABLE_H_
#define FERRY_PLUGINS_POSTGRES_TARGET_TABLE_H_

#include <ferry/plugin.h>

#include <sql/row_checks.h>
#include <sql/table_evolution.h>

#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "connection.h"
#include "ident.h"

namespace ferry_pg {

class TargetTable {
 public:
  explicit TargetTable(TableName name) : name_(std::move(name)), quoted_(name_.quoted()) {}

  const std::string& quoted() const { return quoted_; }

  // Reads the columns on first use (and after forget()).
  bool exists(Connection& c);
  bool has_column(Connection& c, std::string_view name);
  bool is_array(Connection& c, std::string_view name);
  // The column's type OID; 0 for a column that does not exist.
  unsigned type_oid(Connection& c, std::string_view name);
  // What the column keeps of a value, from its declared type modifier
  // (timestamp(0), varchar(5)); none for a column that does not exist.
  ferry::support::ColumnLimits limits(Connection& c, std::string_view name);

  using NewColumn = ferry::support::NewColumn;
  // CREATE TABLE IF NOT EXISTS with these columns and, if `key` is not
  // empty, a PRIMARY KEY on those columns.
  void create(Connection& c, const std::vector<NewColumn>& columns, const std::vector<std::string>& key);
  void add_column(Connection& c, const NewColumn& column);

  // DDL is transactional: after a rollback what we cached may be false.
  void forget() { loaded_ = false; }

 private:
  struct Column {
    bool is_array = false;
    unsigned type_oid = 0;
    ferry::support::ColumnLimits limits;
  };
  void load(Connection& c);

  TableName name_;
  std::string quoted_;
  bool loaded_ = false;
  std::unordered_map<std::string, Column> columns_;
};

// The table over one connection, as the SQL sinks' table rules use it.
class TableOnConnection final : public ferry::support::EvolvingTable {
 public:
  TableOnConnection(TargetTable& table, Connection& c) : table_(table), c_(c) {}
  bool exists() override { return table_.exists(c_); }
  bool has_column(std::string_view name) override { return table_.has_column(c_, name); }
  void create(const std::vector<ferry::support::NewColumn>& columns, const std::vector<std::string>& key) override {
    table_.create(c_, columns, key);
  }
  void add_column(const ferry::support::NewColumn& column) override { table_.add_column(c_, column); }

 private:
  TargetTable& table_;
  Connection& c_;
};

// Column type for a Ferry type in a table the sink creates.
const char* pg_type_for(FerryType type);

}  // namespace ferry_pg

#endif  // FERRY_PLUGINS_POSTGRES_TARGET_TABLE_H_
