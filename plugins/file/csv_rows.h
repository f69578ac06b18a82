// CSV records -> rows of a batch: header, column types, nulls and keys.
// Pure C++ over the SDK's BatchBuilder; no host.
#ifndef FERRY_PLUGINS_FILE_CSV_ROWS_H_
#define FERRY_PLUGINS_FILE_CSV_ROWS_H_

#include <ferry/plugin.hpp>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "column_types.h"
#include "csv_parser.h"

namespace ferry_file {

struct CsvOptions {
  char delimiter = ',';
  // With a header, the first record names the columns; without, columns
  // are c1..cN, N being the first record's field count.
  bool header = true;
  // An UNQUOTED field whose text equals this is null. With the default ""
  // an empty unquoted field is null while a quoted "" is an empty string,
  // so both stay expressible.
  std::string null_string;
  // Columns not listed are STRING.
  std::vector<std::pair<std::string, ColumnType>> column_types;
  // Key: one column -> its text (empty when null); several -> a JSON array
  // of their texts (null for nulls).
  std::vector<std::string> key;
};

class CsvRows {
 public:
  explicit CsvRows(CsvOptions options);

  // Sets the columns from the file's first non-empty record. Returns false
  // with `error` when it is malformed, or when a typed or key column is
  // not among them.
  bool set_first_record(std::string_view record, std::string* error);
  size_t columns() const { return names_.size(); }
  const std::vector<std::string>& names() const { return names_; }

  // Declares the schema on a builder that has no fields yet.
  void add_fields(ferry::BatchBuilder& out) const;
  // Parses one data record (not empty, valid UTF-8 checked here) and appends
  // it to `out` as a row; or returns false with `error` and appends nothing.
  // `malformed` (if given) tells a record whose quotes do not parse (so its
  // lines may not be one record: a stray quote may have taken in the lines
  // after it) from one that parsed but holds the wrong number of fields or
  // a bad value.
  bool add(std::string_view record, std::string_view position, ferry::BatchBuilder& out,
           std::string* error, bool* malformed = nullptr);

 private:
  void append_key(std::string& key) const;

  CsvOptions options_;
  CsvParser parser_;
  std::vector<std::string> names_;
  std::vector<ColumnType> types_;
  std::vector<size_t> key_columns_;
  std::vector<CsvField> fields_;
  std::vector<FerryValue> values_;  // the row being converted
  std::string key_;
};

}  // namespace ferry_file

#endif  // FERRY_PLUGINS_FILE_CSV_ROWS_H_
