#include "sql/table_evolution.h"

#include "sql/sql_identifier.h"

namespace ferry::support {
namespace {

[[noreturn]] void refuse(const TableRules& rules, const std::string& message) {
  throw Error(FERRY_ERROR_CONFIG, rules.who + ": " + message);
}

bool same_name(std::string_view a, std::string_view b, bool case_insensitive) {
  return case_insensitive ? fold_ascii(a) == fold_ascii(b) : a == b;
}

bool is_field(const ferry::BatchView& batch, std::string_view column, bool case_insensitive) {
  for (size_t f = 0; f < batch.fields(); ++f)
    if (same_name(batch.field_name(f), column, case_insensitive)) return true;
  return false;
}

NewColumn new_column(const ferry::BatchView& batch, size_t f, const TableRules& rules) {
  const std::string_view name = batch.field_name(f);
  const std::string* pinned = rules.contract != nullptr ? rules.contract->type_for(name, rules.case_insensitive) : nullptr;
  return {std::string(name), pinned != nullptr ? *pinned : rules.default_type(batch, f)};
}

void before_change(const TableRules& rules, const std::string& change) {
  if (rules.before_change) rules.before_change(change);
}

}  // namespace

void check_table_at_open(EvolvingTable& table, const TableRules& rules) {
  if (!table.exists()) {
    if (!rules.create_table) refuse(rules, rules.where + " does not exist and create_table is false");
    return;
  }
  for (const std::string& k : rules.key)
    if (!table.has_column(k))
      refuse(rules, "key column " + quote_identifier(k, rules.quote) + " is not a column of " + rules.where);
}

bool fit_table(EvolvingTable& table, const ferry::BatchView& batch, const TableRules& rules) {
  for (const std::string& k : rules.key)
    if (!is_field(batch, k, rules.case_insensitive))
      refuse(rules, "key column " + quote_identifier(k, rules.quote) + " is not a field of the batch (" + rules.where +
                        ")");
  bool changed = false;
  if (!table.exists()) {
    if (!rules.create_table) refuse(rules, rules.where + " does not exist and create_table is false");
    before_change(rules, "creating the table");
    std::vector<NewColumn> columns;
    for (size_t f = 0; f < batch.fields(); ++f) columns.push_back(new_column(batch, f, rules));
    table.create(columns, rules.key);
    changed = true;
  }
  for (size_t f = 0; f < batch.fields(); ++f) {
    if (table.has_column(batch.field_name(f))) continue;
    before_change(rules, "adding column " + quote_identifier(batch.field_name(f), rules.quote));
    table.add_column(new_column(batch, f, rules));
    changed = true;
  }
  return changed;
}

}  // namespace ferry::support
