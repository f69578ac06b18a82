#include "common/stored_record.h"

namespace ferry::core {
namespace {

constexpr std::string_view kOpen = "{\"schema\":";

}  // namespace

size_t stored_schema_end(std::string_view record_json) {
  if (record_json.substr(0, kOpen.size() + 1) != "{\"schema\":[") return std::string_view::npos;
  bool in_string = false;
  int depth = 0;
  for (size_t i = kOpen.size(); i < record_json.size(); ++i) {
    const char c = record_json[i];
    if (in_string) {
      if (c == '\\') ++i;
      else if (c == '"') in_string = false;
      continue;
    }
    if (c == '"') in_string = true;
    else if (c == '[' || c == '{') ++depth;
    else if ((c == ']' || c == '}') && --depth == 0) return i + 1;
  }
  return std::string_view::npos;
}

std::optional<SplitRecord> split_stored_record(std::string_view record_json) {
  const size_t end = stored_schema_end(record_json);
  // Something must follow the schema: {"schema":[..]} alone stays whole.
  if (end == std::string_view::npos || end + 1 >= record_json.size() || record_json[end] != ',') return std::nullopt;
  SplitRecord split;
  split.schema = record_json.substr(kOpen.size(), end - kOpen.size());
  split.rest.reserve(record_json.size() - end);
  split.rest += '{';
  split.rest.append(record_json.substr(end + 1));
  return split;
}

std::string join_stored_record(std::string_view schema, std::string_view rest) {
  std::string text;
  if (rest.empty()) return text;
  text.reserve(kOpen.size() + schema.size() + rest.size());
  text.append(kOpen);
  text.append(schema);
  text += ',';
  text.append(rest.substr(1));
  return text;
}

bool stored_record_has_schema(std::string_view record_json, std::string_view schema) {
  const size_t end = kOpen.size() + schema.size();
  return !schema.empty() && record_json.size() > end && record_json.substr(0, kOpen.size()) == kOpen &&
         record_json.substr(kOpen.size(), schema.size()) == schema && record_json[end] == ',';
}

}  // namespace ferry::core
