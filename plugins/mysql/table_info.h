// The sink's target table as the server knows it, and the DDL that makes a
// batch fit: CREATE TABLE from the first batch, ADD COLUMN for new fields.
//
// MySQL commits implicitly before any DDL, so the sink runs these only
// while no transaction is open.
#ifndef FERRY_PLUGINS_MYSQL_TABLE_INFO_H_
#define FERRY_PLUGINS_MYSQL_TABLE_INFO_H_

#include <ferry/plugin.h>

#include <sql/row_checks.h>
#include <sql/table_evolution.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "session.h"

namespace ferry_mysql {

// A table's storage engine as the server reports it.
struct TableEngine {
  bool exists = false;
  bool view = false;
  std::string name;            // "InnoDB", "MyISAM"; empty for a view or when unknown
  bool transactional = false;  // the engine says it can roll back
};
TableEngine look_up_engine(Session& session, const std::string& database, const std::string& table,
                           const std::string& quoted);
// Throws ferry::Error(FERRY_ERROR_CONFIG) naming `quoted` when the table
// exists and cannot be known to roll back: rows and checkpoint would not
// commit together, and a failed write would stay half-done. A view is
// refused too: which tables lie behind it the server does not list
// (MariaDB), and one over MyISAM would take half a failed write.
void require_transactional(const TableEngine& engine, const std::string& quoted);

class TableInfo final : public ferry::support::EvolvingTable {
 public:
  TableInfo(Session& session, std::string database, std::string table);

  const std::string& quoted() const { return quoted_; }
  bool exists() override;
  bool has_column(std::string_view name) override;
  // Whether some PRIMARY or UNIQUE key exists: upserts need one.
  bool has_unique_key();
  // Throws FERRY_ERROR_CONFIG when the table exists and cannot roll back.
  void require_transactional();
  // Whether the server takes a loaded value for `column` as given: false
  // for a generated or system-versioning column (LOAD DATA drops a value
  // for one without a warning, where INSERT refuses it) and for a column the
  // table does not have.
  bool takes_loaded_values(std::string_view column);
  // What the column keeps of a value (DATETIME(2), VARCHAR(5)); none for a
  // column the table does not have.
  ferry::support::ColumnLimits limits(std::string_view column);

  // Created tables are InnoDB (transactional) and utf8mb4_bin, with text
  // key columns of exact_collation(), so that keys compare byte for byte as
  // they do in the source: not case-insensitively, and trailing spaces
  // count.
  using NewColumn = ferry::support::NewColumn;
  void create(const std::vector<NewColumn>& columns, const std::vector<std::string>& key) override;
  void add_column(const NewColumn& column) override;
  void forget() { loaded_ = false; }

 private:
  void load();
  std::optional<size_t> column_index(std::string_view column);

  Session& session_;
  std::string database_;
  std::string table_;
  std::string quoted_;
  bool loaded_ = false;
  std::vector<std::string> columns_;
  std::vector<bool> generated_;  // by column: the server computes its values
  std::vector<ferry::support::ColumnLimits> limits_;  // by column
  bool unique_key_ = false;
  TableEngine engine_;
};

}  // namespace ferry_mysql

#endif  // FERRY_PLUGINS_MYSQL_TABLE_INFO_H_
