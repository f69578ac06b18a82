#include "csv_rows.h"

#include <algorithm>
#include <unordered_set>

#include "json_text.h"
#include "text/decimal_value.h"
#include "utf8.h"

namespace ferry_file {
namespace {

// Keeps error messages short when a value is huge.
std::string excerpt(std::string_view s) {
  constexpr size_t kMax = 80;
  if (s.size() <= kMax) return std::string(s);
  return std::string(s.substr(0, kMax)) + "...";
}

}  // namespace

CsvRows::CsvRows(CsvOptions options)
    : options_(std::move(options)), parser_(options_.delimiter) {}

bool CsvRows::set_first_record(std::string_view record, std::string* error) {
  if (!is_valid_utf8(record)) {
    *error = "invalid UTF-8";
    return false;
  }
  if (!parser_.parse(record, fields_, error)) return false;
  names_.clear();
  // A set, not a scan of names_: a header of a million columns (one 64 MiB
  // record may hold that) must not take a million squared steps.
  std::unordered_set<std::string> taken;
  for (size_t i = 0; i < fields_.size(); ++i) {
    std::string name = options_.header ? std::string(fields_[i].text) : std::string();
    if (name.empty()) name = "c" + std::to_string(i + 1);
    // Field names must be unique for sinks that map them to columns. The
    // suffixed name may be taken too ("a_3,a,a"): suffix again until free.
    while (taken.count(name) != 0) name += "_" + std::to_string(i + 1);
    taken.insert(name);
    names_.push_back(std::move(name));
  }
  types_.assign(names_.size(), ColumnType::kString);
  for (const auto& [name, type] : options_.column_types) {
    auto it = std::find(names_.begin(), names_.end(), name);
    if (it == names_.end()) {
      *error = "columns_types names column '" + name + "', which the file does not have";
      return false;
    }
    types_[static_cast<size_t>(it - names_.begin())] = type;
  }
  key_columns_.clear();
  for (const std::string& name : options_.key) {
    auto it = std::find(names_.begin(), names_.end(), name);
    if (it == names_.end()) {
      *error = "key names column '" + name + "', which the file does not have";
      return false;
    }
    key_columns_.push_back(static_cast<size_t>(it - names_.begin()));
  }
  return true;
}

void CsvRows::add_fields(ferry::BatchBuilder& out) const {
  for (size_t c = 0; c < names_.size(); ++c) {
    const bool is_key =
        std::find(key_columns_.begin(), key_columns_.end(), c) != key_columns_.end();
    out.add_field(names_[c], ferry_type(types_[c]),
                  FERRY_FIELD_NULLABLE | (is_key ? FERRY_FIELD_KEY : 0u));
  }
}

void CsvRows::append_key(std::string& key) const {
  if (key_columns_.size() == 1) {
    const FerryValue& v = values_[key_columns_[0]];
    if (v.type != FERRY_TYPE_NULL) key.append(fields_[key_columns_[0]].text);
    return;
  }
  key.push_back('[');
  for (size_t k = 0; k < key_columns_.size(); ++k) {
    if (k > 0) key.push_back(',');
    const size_t c = key_columns_[k];
    if (values_[c].type == FERRY_TYPE_NULL) {
      key += "null";
    } else {
      append_json_string(key, fields_[c].text);
    }
  }
  key.push_back(']');
}

bool CsvRows::add(std::string_view record, std::string_view position, ferry::BatchBuilder& out,
                  std::string* error, bool* malformed) {
  if (malformed) *malformed = false;
  if (!is_valid_utf8(record)) {
    *error = "invalid UTF-8";
    return false;
  }
  if (!parser_.parse(record, fields_, error)) {
    if (malformed) *malformed = true;
    return false;
  }
  // The quotes parsed: these lines are one record however many fields it
  // holds, and the lines inside a quoted field are never records of their own.
  if (fields_.size() != names_.size()) {
    *error = "expected " + std::to_string(names_.size()) + " fields, found " +
             std::to_string(fields_.size());
    return false;
  }
  // Convert the whole row first, so a bad value leaves no partial row.
  values_.resize(fields_.size());
  for (size_t c = 0; c < fields_.size(); ++c) {
    const CsvField& field = fields_[c];
    if (!field.quoted && field.text == options_.null_string) {
      values_[c] = FerryValue{};
      continue;
    }
    if (!convert_text(field.text, types_[c], &values_[c])) {
      if (types_[c] == ColumnType::kDouble && ferry::support::decimal_value(field.text))
        *error = "column '" + names_[c] + "': " + excerpt(field.text) +
                 " has no exact double (leave the column a string to keep every digit)";
      else
        *error = "column '" + names_[c] + "': invalid " + column_type_name(types_[c]) + " value '" +
                 excerpt(field.text) + "'";
      return false;
    }
  }
  key_.clear();
  if (!key_columns_.empty()) append_key(key_);
  const size_t row = out.add_row(key_, position);
  for (size_t c = 0; c < values_.size(); ++c)
    if (values_[c].type != FERRY_TYPE_NULL) out.set_value(row, c, values_[c]);
  return true;
}

}  // namespace ferry_file
