// The sink's target table as the server knows it, and the DDL that makes a
// batch fit: CREATE TABLE from the first batch, ADD COLUMN for new fields.
//
// MySQL commits implicitly before any DDL, so the sink runs these only
// while no transaction is open.
#ifndef FERRY_PLUGINS_MYSQL_TABLE_INFO_H_
#define FERRY_PLUGINS_MYSQL_TABLE_INFO_H_

#include <ferry/plugin.h>

#include <sql/table_evolution.h>

#include <string>
#include <string_view>
#include <vector>

#include "session.h"

namespace ferry_mysql {

class TableInfo final : public ferry::support::EvolvingTable {
 public:
  TableInfo(Session& session, std::string database, std::string table);

  const std::string& quoted() const { return quoted_; }
  bool exists() override;
  bool has_column(std::string_view name) override;
  // Whether some PRIMARY or UNIQUE key exists: upserts need one.
  bool has_unique_key();

  // Created tables are InnoDB (transactional) and utf8mb4_bin, so text keys
  // compare byte for byte as they do in the source, not case-insensitively.
  using NewColumn = ferry::support::NewColumn;
  void create(const std::vector<NewColumn>& columns, const std::vector<std::string>& key) override;
  void add_column(const NewColumn& column) override;
  void forget() { loaded_ = false; }

 private:
  void load();

  Session& session_;
  std::string database_;
  std::string table_;
  std::string quoted_;
  bool loaded_ = false;
  std::vector<std::string> columns_;
  bool unique_key_ = false;
};

}  // namespace ferry_mysql

#endif  // FERRY_PLUGINS_MYSQL_TABLE_INFO_H_
