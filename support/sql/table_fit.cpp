#include "sql/table_fit.h"

#include <algorithm>

#include <ferry/json_text.hpp>

namespace ferry::support {
namespace {

std::string quoted(std::string_view name) { return "\"" + std::string(name) + "\""; }

// Characters of valid UTF-8 (its lead bytes), and whether one takes four
// bytes (outside the Basic Multilingual Plane).
size_t utf8_chars(std::string_view s, bool* beyond_bmp) {
  size_t n = 0;
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if ((c & 0xC0) != 0x80) ++n;
    if (c >= 0xF0) *beyond_bmp = true;
  }
  return n;
}

}  // namespace

std::string sqlite_column_name_problem(std::string_view name) {
  if (name.empty()) return "the name is empty";
  if (!ferry::is_valid_utf8(name)) return "it is not valid UTF-8";
  // SQL text is a C string: a NUL would end the statement inside the name.
  if (name.find('\0') != std::string_view::npos) return "it holds a NUL character";
  return {};
}

std::string mysql_column_name_problem(std::string_view name) {
  if (std::string problem = sqlite_column_name_problem(name); !problem.empty()) return problem;
  if (name.back() == ' ') return "it ends with a space";
  bool beyond_bmp = false;
  if (utf8_chars(name, &beyond_bmp) > 64) return "it is longer than 64 characters";
  if (beyond_bmp) return "it holds a character outside Unicode's Basic Multilingual Plane";
  return {};
}

std::string postgres_column_name_problem(std::string_view name) {
  if (std::string problem = sqlite_column_name_problem(name); !problem.empty()) return problem;
  // Every table has these system columns.
  for (const char* system : {"tableoid", "xmin", "cmin", "xmax", "cmax", "ctid"})
    if (name == system) return "it is the name of a system column";
  // The server would cut a longer name to 63 bytes, and two such fields
  // would meet in one column.
  if (name.size() > 63) return "it is longer than 63 bytes";
  return {};
}

TableFit::TableFit(const ferry::BatchView& in, const TableTarget& target) : view_(in) {
  const size_t n = in.fields();
  auto is_key = [&](std::string_view name) {
    return std::find(target.key.begin(), target.key.end(), name) != target.key.end();
  };
  auto has_column = [&](std::string_view name) { return target.has_column && target.has_column(name); };
  auto pinned = [&](std::string_view name) {
    return target.contract != nullptr && target.contract->type_for(name, target.case_insensitive) != nullptr;
  };
  const SchemaChanges changes = target.contract != nullptr ? target.contract->changes : SchemaChanges::kEvolve;

  // Which column each field goes to (-1: left out); column c is named after
  // the first field that goes to it.
  std::vector<long> column(n, -1);
  std::vector<size_t> first_field;   // per column: the field that names it
  std::vector<std::string> folded;   // per column
  // Fields whose values reject their record, and why.
  std::vector<std::pair<size_t, std::string>> refuse_values;
  std::vector<std::string_view> frozen;
  for (size_t f = 0; f < n; ++f) {
    const std::string_view name = in.field_name(f);
    const bool known = has_column(name) || is_key(name) || pinned(name);
    if (in.field(f).type == FERRY_TYPE_NULL && !known) continue;  // no evidence of a type yet
    if (!known && target.column_name_problem) {
      const std::string problem = target.column_name_problem(name);
      if (!problem.empty()) {
        refuse_values.emplace_back(f, "field " + quoted(name) + " cannot name a column: " + problem);
        continue;
      }
    }
    if (!known && !has_column(name)) {
      if (changes == SchemaChanges::kRejectRow) {
        refuse_values.emplace_back(
            f, "field " + quoted(name) + " is not a column of the table, and schema_changes is \"reject_row\"");
        continue;
      }
      if (changes == SchemaChanges::kFreeze) {
        frozen.push_back(name);
        continue;
      }
    }
    const std::string key = target.case_insensitive ? fold_ascii(name) : std::string(name);
    auto it = std::find(folded.begin(), folded.end(), key);
    if (it == folded.end()) {
      column[f] = static_cast<long>(folded.size());
      folded.push_back(key);
      first_field.push_back(f);
    } else {
      column[f] = static_cast<long>(it - folded.begin());
    }
  }
  if (!frozen.empty()) {
    std::string names;
    for (std::string_view name : frozen) names += (names.empty() ? "" : ", ") + quoted(name);
    refusal_ = (frozen.size() == 1 ? "field " + names + " of the batch is not a column of the table"
                                   : "fields " + names + " of the batch are not columns of the table") +
               ", and schema_changes is \"freeze\"" +
               (target.contract != nullptr && target.contract->changes_implied
                    ? " (the default when create_table is false)"
                    : "");
    return;
  }
  bool shares = false;
  for (size_t f = 0; f < n; ++f)
    if (column[f] >= 0 && first_field[static_cast<size_t>(column[f])] != f) shares = true;
  const size_t kept = folded.size();
  if (kept == n && !shares && refuse_values.empty()) return;  // nothing to change

  // Decide row by row: a record with values in two fields of one column,
  // of the wrong type for it, or in a field it may not have, is rejected.
  std::vector<FerryType> types(kept);
  for (size_t c = 0; c < kept; ++c) types[c] = in.field(first_field[c]).type;
  for (size_t f = 0; f < n; ++f)
    if (column[f] >= 0 && types[static_cast<size_t>(column[f])] == FERRY_TYPE_NULL)
      types[static_cast<size_t>(column[f])] = in.field(f).type;
  std::vector<long> source(kept);
  for (size_t r = 0; r < in.rows(); ++r) {
    std::string why;
    for (const auto& [f, reason] : refuse_values)
      if (in.value(r, f).type != FERRY_TYPE_NULL && why.empty()) why = reason;
    std::fill(source.begin(), source.end(), -1);
    for (size_t f = 0; f < n && why.empty(); ++f) {
      if (column[f] < 0 || in.value(r, f).type == FERRY_TYPE_NULL) continue;
      const size_t c = static_cast<size_t>(column[f]);
      if (source[c] >= 0) {
        why = "fields " + quoted(in.field_name(static_cast<size_t>(source[c]))) + " and " + quoted(in.field_name(f)) +
              " name one column of a table whose column names ignore case, and the record has a value in both";
      } else if (in.value(r, f).type != types[c]) {
        why = "field " + quoted(in.field_name(f)) + " holds a " + std::to_string(in.value(r, f).type) +
              "-typed value where its column takes type " + std::to_string(types[c]);
      } else {
        source[c] = static_cast<long>(f);
      }
    }
    if (!why.empty()) {
      rejected_.emplace_back(r, std::move(why));
      continue;
    }
    rows_.push_back(r);
  }

  ferry::BatchBuilder b;
  for (size_t c = 0; c < kept; ++c) {
    const FerryField& field = in.field(first_field[c]);
    b.add_field(in.field_name(first_field[c]), types[c], field.flags);
  }
  b.reserve(rows_.size());
  for (size_t r : rows_) {
    const FerryRecordMeta& m = in.meta(r);
    const size_t row = b.add_row(ferry::view(m.key), ferry::view(m.position), m.op);
    for (size_t f = 0; f < n; ++f)
      if (column[f] >= 0 && in.value(r, f).type != FERRY_TYPE_NULL)
        b.set_value(row, static_cast<size_t>(column[f]), in.value(r, f));
  }
  b.finish(&owned_, in.partition(), in.end_position());
  view_ = ferry::BatchView(&owned_);
}

TableFit::~TableFit() {
  if (owned_.release) owned_.release(&owned_);
}

std::string column_signature(const ferry::BatchView& batch) {
  std::string sig;
  for (size_t f = 0; f < batch.fields(); ++f) {
    const std::string_view name = batch.field_name(f);
    sig += std::to_string(name.size());
    sig += ':';
    sig += name;
  }
  return sig;
}

}  // namespace ferry::support
