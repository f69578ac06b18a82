// The sink's target table as PostgreSQL knows it, and the DDL that makes a
// batch fit: CREATE TABLE from the first batch, ALTER TABLE ADD COLUMN for
// fields that appear later.
#ifndef FERRY_PLUGINS_POSTGRES_TARGET_TABLE_H_
#define FERRY_PLUGINS_POSTGRES_TARGET_TABLE_H_

#include <ferry/plugin.h>

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

  struct NewColumn {
    std::string name;
    std::string type;  // SQL type
  };
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
  };
  void load(Connection& c);

  TableName name_;
  std::string quoted_;
  bool loaded_ = false;
  std::unordered_map<std::string, Column> columns_;
};

// Column type for a Ferry type in a table the sink creates.
const char* pg_type_for(FerryType type);

}  // namespace ferry_pg

#endif  // FERRY_PLUGINS_POSTGRES_TARGET_TABLE_H_
