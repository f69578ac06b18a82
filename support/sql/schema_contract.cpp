#include "sql/schema_contract.h"

#include <ferry/plugin.hpp>

#include <boost/json.hpp>
#include <cctype>

namespace ferry::support {
namespace {

bool is_word_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == ' ';
}

}  // namespace

std::optional<SchemaChanges> parse_schema_changes(std::string_view text) {
  if (text == "evolve") return SchemaChanges::kEvolve;
  if (text == "reject_row") return SchemaChanges::kRejectRow;
  if (text == "freeze") return SchemaChanges::kFreeze;
  return std::nullopt;
}

bool is_plain_sql_type(std::string_view type) {
  size_t i = 0;
  auto word = [&] {
    const size_t start = i;
    while (i < type.size() && is_word_char(type[i])) ++i;
    return i > start;
  };
  if (type.empty() || std::isalpha(static_cast<unsigned char>(type[0])) == 0 || !word()) return false;
  if (i < type.size() && type[i] == '(') {
    ++i;
    bool digits = false;
    while (i < type.size() &&
           (std::isdigit(static_cast<unsigned char>(type[i])) != 0 || type[i] == ',' || type[i] == ' ')) {
      digits = digits || std::isdigit(static_cast<unsigned char>(type[i])) != 0;
      ++i;
    }
    if (!digits || i >= type.size() || type[i] != ')') return false;
    ++i;
    word();
  }
  if (type.substr(i) == "[]") i += 2;
  return i == type.size();
}

std::string fold_ascii(std::string_view name) {
  std::string out(name);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

const std::string* SchemaContract::type_for(std::string_view field, bool case_insensitive) const {
  for (const auto& [name, type] : column_types)
    if (case_insensitive ? fold_ascii(name) == fold_ascii(field) : name == field) return &type;
  return nullptr;
}

SchemaContract read_schema_contract(const OptionReader& options, bool create_table) {
  SchemaContract out;
  out.changes = create_table ? SchemaChanges::kEvolve : SchemaChanges::kFreeze;
  out.changes_implied = !create_table;
  if (options.has("schema_changes")) {
    out.changes_implied = false;
    const std::optional<SchemaChanges> changes = parse_schema_changes(options.string("schema_changes"));
    if (!changes) options.fail("option 'schema_changes' must be \"evolve\", \"reject_row\" or \"freeze\"");
    out.changes = *changes;
  }
  const boost::json::value columns = options.json("columns");
  if (columns.is_null()) return out;
  if (!columns.is_object()) options.fail("option 'columns' must be an object of field name to SQL type");
  for (const auto& kv : columns.get_object()) {
    const std::string name(kv.key());
    if (name.empty()) options.fail("option 'columns' has an empty field name");
    if (!kv.value().is_string() || !is_plain_sql_type(std::string_view(kv.value().get_string())))
      options.fail("option 'columns': the type of field \"" + name +
                   "\" must be a plain SQL type such as \"bigint\", \"numeric(12,2)\" or \"varchar(80)\"");
    out.column_types.emplace_back(name, std::string(kv.value().get_string()));
  }
  return out;
}

}  // namespace ferry::support
