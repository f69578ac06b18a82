// How a SQL sink's table follows the batches, written once for the
// postgres, mysql and sqlite sinks: at open, a table that is missing and
// may not be created, or that lacks a key column, is a configuration error;
// before a batch is written, the table is created from it (with the key as
// its primary key) or gains a nullable column per new field. Which fields
// may become columns at all is TableFit's decision (table_fit.h), made
// before this runs.
//
// Each sink keeps its dialect: how it reads the table's columns, the DDL,
// the default column type of a Ferry type.
#pragma once

#include <ferry/plugin.hpp>

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "sql/schema_contract.h"

namespace ferry::support {

struct NewColumn {
  std::string name;
  std::string type;  // SQL type; empty: none (SQLite)
};

// The target table as one dialect reads and changes it.
class EvolvingTable {
 public:
  virtual ~EvolvingTable() = default;
  virtual bool exists() = 0;
  virtual bool has_column(std::string_view name) = 0;
  // With a primary key on `key` when it is not empty.
  virtual void create(const std::vector<NewColumn>& columns, const std::vector<std::string>& key) = 0;
  // Nullable. A column another writer added meanwhile is no error.
  virtual void add_column(const NewColumn& column) = 0;
};

struct TableRules {
  std::string who;    // starts messages: "postgres sink"
  std::string where;  // names the table in messages
  bool create_table = true;
  bool case_insensitive = false;  // how field names match column names
  char quote = '"';               // how names are quoted, in messages too
  const SchemaContract* contract = nullptr;
  std::vector<std::string> key;
  // The type of a new column for field `field` when the contract pins none.
  std::function<std::string(const ferry::BatchView& batch, size_t field)> default_type;
  // Told before each change ("creating the table", "adding column `x`"); may
  // refuse it by throwing (MySQL: never while a transaction is open).
  std::function<void(const std::string& change)> before_change;
};

// At open, before any data flows: throws FERRY_ERROR_CONFIG when the table
// can never take rows.
void check_table_at_open(EvolvingTable& table, const TableRules& rules);

// Before writing `batch`: every key column must be one of its fields; the
// table is created or gains the batch's new fields. Returns whether it ran
// DDL.
bool fit_table(EvolvingTable& table, const ferry::BatchView& batch, const TableRules& rules);

}  // namespace ferry::support
