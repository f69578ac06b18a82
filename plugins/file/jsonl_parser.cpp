#include "jsonl_parser.h"

#include <algorithm>

#include "json_text.h"
#include "utf8.h"

namespace ferry_file {
namespace {

// Kinds seen in a field, one bit each.
enum : uint8_t {
  kSawNull = 1,
  kSawBool = 2,
  kSawInt = 4,
  kSawNumber = 8,  // non-integral, or an integer beyond int64
  kSawString = 16,
  kSawNested = 32,
};

uint8_t kind_bit(const boost::json::value& v) {
  switch (v.kind()) {
    case boost::json::kind::null: return kSawNull;
    case boost::json::kind::bool_: return kSawBool;
    case boost::json::kind::int64: return kSawInt;
    case boost::json::kind::uint64:
    case boost::json::kind::double_: return kSawNumber;
    case boost::json::kind::string: return kSawString;
    case boost::json::kind::array:
    case boost::json::kind::object: return kSawNested;
  }
  return kSawNested;
}

FerryType resolve_type(uint8_t mask) {
  const uint8_t m = mask & static_cast<uint8_t>(~kSawNull);
  if (m == 0) return FERRY_TYPE_NULL;
  if (m == kSawBool) return FERRY_TYPE_BOOL;
  if (m == kSawInt) return FERRY_TYPE_INT64;
  if ((m & ~(kSawInt | kSawNumber)) == 0) return FERRY_TYPE_DOUBLE;
  if (m == kSawString) return FERRY_TYPE_STRING;
  return FERRY_TYPE_JSON;
}

const char* kind_name(const boost::json::value& v) {
  switch (v.kind()) {
    case boost::json::kind::null: return "null";
    case boost::json::kind::bool_: return "a boolean";
    case boost::json::kind::int64:
    case boost::json::kind::uint64:
    case boost::json::kind::double_: return "a number";
    case boost::json::kind::string: return "a string";
    case boost::json::kind::array: return "an array";
    case boost::json::kind::object: return "an object";
  }
  return "a value";
}

double as_double(const boost::json::value& v) {
  if (v.is_double()) return v.get_double();
  if (v.is_int64()) return static_cast<double>(v.get_int64());
  return static_cast<double>(v.get_uint64());
}

}  // namespace

JsonlBatch::JsonlBatch(std::vector<std::string> key_fields)
    : key_fields_(std::move(key_fields)),
      parser_(boost::json::storage_ptr(), boost::json::parse_options(), parser_stack_,
              sizeof parser_stack_) {
  row_cells_.push_back(0);
}

uint32_t JsonlBatch::field_index(std::string_view name, size_t ordinal) {
  // Rows of one file usually list the same keys in the same order.
  if (ordinal < names_.size() && names_[ordinal] == name) return static_cast<uint32_t>(ordinal);
  if (auto it = index_.find(name); it != index_.end()) return it->second;
  const auto f = static_cast<uint32_t>(names_.size());
  names_.emplace_back(name);
  masks_.push_back(0);
  index_.emplace(names_.back(), f);
  return f;
}

bool JsonlBatch::changes_a_type(const boost::json::object& row) const {
  for (const boost::json::key_value_pair& kv : row) {
    auto it = index_.find(std::string_view(kv.key().data(), kv.key().size()));
    if (it == index_.end()) continue;
    const uint8_t before = masks_[it->second];
    const FerryType was = resolve_type(before);
    if (was == FERRY_TYPE_NULL || was == FERRY_TYPE_JSON) continue;
    if (resolve_type(static_cast<uint8_t>(before | kind_bit(kv.value()))) == FERRY_TYPE_JSON) return true;
  }
  return false;
}

JsonlBatch::Added JsonlBatch::add(std::string_view line, std::string_view position, std::string* error) {
  boost::system::error_code ec;
  parser_.reset(&arena_);
  parser_.write(line.data(), line.size(), ec);
  if (ec) {
    // Boost.JSON calls bad UTF-8 a syntax error: name the real cause.
    *error = is_valid_utf8(line) ? "invalid JSON: " + ec.message() : "invalid UTF-8";
    return Added::kRejected;
  }
  boost::json::value v = parser_.release();
  if (!v.is_object()) {
    *error = std::string("not a JSON object (found ") + kind_name(v) + ")";
    return Added::kRejected;
  }
  if (!rows_.empty() && changes_a_type(v.get_object())) return Added::kTypeChange;
  rows_.push_back(std::move(v));
  size_t ordinal = 0;
  // Cells point into the arena, which does not move when rows_ grows.
  for (const boost::json::key_value_pair& kv : rows_.back().get_object()) {
    const uint32_t f = field_index(kv.key(), ordinal++);
    masks_[f] |= kind_bit(kv.value());
    cells_.push_back(Cell{f, &kv.value()});
  }
  row_cells_.push_back(static_cast<uint32_t>(cells_.size()));
  positions_.append(position);
  position_ends_.push_back(static_cast<uint32_t>(positions_.size()));
  return Added::kRow;
}

void JsonlBatch::append_key(std::string& key, size_t row) const {
  auto find = [&](const std::string& name) -> const boost::json::value* {
    for (uint32_t c = row_cells_[row]; c < row_cells_[row + 1]; ++c)
      if (names_[cells_[c].field] == name) return cells_[c].value;
    return nullptr;
  };
  if (key_fields_.size() == 1) {
    const boost::json::value* v = find(key_fields_[0]);
    if (!v || v->is_null()) return;
    if (v->is_string()) {
      key.append(v->get_string().data(), v->get_string().size());
      return;
    }
    append_json(key, *v);
    return;
  }
  key.push_back('[');
  for (size_t k = 0; k < key_fields_.size(); ++k) {
    if (k > 0) key.push_back(',');
    const boost::json::value* v = find(key_fields_[k]);
    if (v) {
      append_json(key, *v);
    } else {
      key += "null";
    }
  }
  key.push_back(']');
}

void JsonlBatch::set_value(ferry::BatchBuilder& out, size_t row, uint32_t f,
                           const boost::json::value& v) {
  if (v.is_null()) return;  // rows start all-null
  switch (types_[f]) {
    case FERRY_TYPE_BOOL: out.set_bool(row, f, v.get_bool()); return;
    case FERRY_TYPE_INT64: out.set_int(row, f, v.get_int64()); return;
    case FERRY_TYPE_DOUBLE: out.set_double(row, f, as_double(v)); return;
    case FERRY_TYPE_STRING: {
      const boost::json::string& s = v.get_string();
      out.set_string(row, f, std::string_view(s.data(), s.size()));
      return;
    }
    case FERRY_TYPE_JSON:
      scratch_.clear();
      append_json(scratch_, v);
      out.set_bytes(row, f, FERRY_TYPE_JSON, scratch_);
      return;
    default: return;
  }
}

void JsonlBatch::build(ferry::BatchBuilder& out) {
  types_.resize(names_.size());
  for (size_t f = 0; f < names_.size(); ++f) {
    types_[f] = resolve_type(masks_[f]);
    const bool is_key =
        std::find(key_fields_.begin(), key_fields_.end(), names_[f]) != key_fields_.end();
    out.add_field(names_[f], types_[f], FERRY_FIELD_NULLABLE | (is_key ? FERRY_FIELD_KEY : 0u));
  }
  out.reserve(rows_.size());
  std::string key;
  uint32_t pos_begin = 0;
  for (size_t r = 0; r < rows_.size(); ++r) {
    const std::string_view position =
        std::string_view(positions_).substr(pos_begin, position_ends_[r] - pos_begin);
    pos_begin = position_ends_[r];
    key.clear();
    if (!key_fields_.empty()) append_key(key, r);
    const size_t row = out.add_row(key, position);
    for (uint32_t c = row_cells_[r]; c < row_cells_[r + 1]; ++c)
      set_value(out, row, cells_[c].field, *cells_[c].value);
  }
  clear();
}

void JsonlBatch::clear() {
  // Values first: they point into the arena that reset() recycles.
  rows_.clear();
  cells_.clear();
  row_cells_.assign(1, 0);
  positions_.clear();
  position_ends_.clear();
  index_.clear();
  names_.clear();
  masks_.clear();
  arena_.reset();
}

}  // namespace ferry_file
