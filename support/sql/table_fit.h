// How a batch meets a SQL table, the same for every SQL sink:
//
// - A field whose values are all null in the batch (type NULL) says nothing
//   about its type: without a column for it, it is left out, so the column
//   is created by the first batch that has a value (with that value's
//   type), not guessed as text now. A pinned type (the sink's "columns"
//   option) creates it at once.
// - In a case-insensitive target (SQLite, MySQL) fields whose names differ
//   only in case ("a", "A") share one column: a record with a value in more
//   than one of them is rejected (it cannot be written without losing one),
//   the others write their one value.
// - A field the table has no column for, and that no column can be named
//   after in the target (empty, too long, ...), rejects the records with a
//   value in it.
// - A field the table has no column for follows the sink's schema_changes:
//   evolve (the sink adds the column), reject_row (records with a value in
//   it are rejected; the field is left out), freeze (the batch is refused
//   as a configuration error).
//
// The batch to write is the input itself when none of this applies, so the
// common case costs nothing.
#pragma once

#include <ferry/plugin.hpp>

#include "sql/schema_contract.h"

#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ferry::support {

struct TableTarget {
  bool case_insensitive = false;
  // Whether the table has a column of this name (false for every name
  // when the table does not exist yet).
  std::function<bool(std::string_view)> has_column;
  const SchemaContract* contract = nullptr;  // pinned types and schema_changes
  std::vector<std::string> key;              // key fields always stay
  // Why a column cannot be named `name` in this database ("it ends with a
  // space"), or empty. A field without a column whose name fails it rejects
  // the records with a value in it, whatever schema_changes says: the sink
  // could not add the column.
  std::function<std::string(std::string_view)> column_name_problem;
};

// Why a field cannot name a column of each database, or "" when it can:
// SQLite refuses an empty name, one that is not UTF-8 or holds a NUL; the
// others add their own rules.
std::string sqlite_column_name_problem(std::string_view name);
std::string mysql_column_name_problem(std::string_view name);
std::string postgres_column_name_problem(std::string_view name);

class TableFit {
 public:
  TableFit(const ferry::BatchView& in, const TableTarget& target);
  ~TableFit();
  TableFit(const TableFit&) = delete;
  TableFit& operator=(const TableFit&) = delete;

  // The batch to write (the input, or a copy of the fields and rows that go in).
  const ferry::BatchView& batch() const { return view_; }
  // Row `r` of batch() is this row of the input.
  size_t input_row(size_t r) const { return rows_.empty() ? r : rows_[r]; }
  // Input rows that cannot be written, and why.
  const std::vector<std::pair<size_t, std::string>>& rejected() const { return rejected_; }
  // Under "freeze", why the batch cannot be written (a configuration error).
  const std::string& refusal() const { return refusal_; }

 private:
  ferry::BatchView view_;
  FerryBatch owned_{};
  std::vector<size_t> rows_;
  std::vector<std::pair<size_t, std::string>> rejected_;
  std::string refusal_;
};

// A batch's column list as one key, to tell whether a statement prepared
// for one batch fits the next: each name length-prefixed, so no name can
// fake a boundary.
std::string column_signature(const ferry::BatchView& batch);

}  // namespace ferry::support
