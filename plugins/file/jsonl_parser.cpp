#include "jsonl_parser.h"

#include <algorithm>
#include <cmath>

#include "json_keys.h"
#include "json_numbers.h"
#include "text/json_exact.h"
#include "json_text.h"
#include "utf8.h"

namespace ferry_file {
namespace {

// Nesting beyond this rejects the line: it bounds the parser's stack.
constexpr int kMaxDepth = 32;

boost::json::parse_options depth_limit() {
  boost::json::parse_options o;
  o.max_depth = kMaxDepth;
  return o;
}

// Kinds seen in a field, one bit each.
enum : uint8_t {
  kSawNull = 1,
  kSawBool = 2,
  kSawInt = 4,       // an int64 that a double holds exactly (|i| <= 2^53)
  kSawNumber = 8,    // a fractional number (or an exponent)
  kSawString = 16,
  kSawNested = 32,
  kSawWideInt = 64,  // an int64 beyond 2^53: no double holds it
  kSawBigInt = 128,  // an integer beyond int64
};
constexpr uint8_t kIntegers = kSawInt | kSawWideInt | kSawBigInt;
constexpr int64_t kExactInDouble = int64_t{1} << 53;

// The kind of a value; numbers the document holds exactly (int64) need no
// text, the others are classified from `text`.
uint8_t kind_bit(const boost::json::value& v, const std::string* text) {
  switch (v.kind()) {
    case boost::json::kind::null: return kSawNull;
    case boost::json::kind::bool_: return kSawBool;
    case boost::json::kind::int64: {
      const int64_t i = v.get_int64();
      return i >= -kExactInDouble && i <= kExactInDouble ? kSawInt : kSawWideInt;
    }
    case boost::json::kind::uint64: return kSawBigInt;
    case boost::json::kind::double_: return text && is_integer_text(*text) ? kSawBigInt : kSawNumber;
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
  if ((m & ~(kSawInt | kSawWideInt)) == 0) return FERRY_TYPE_INT64;
  if ((m & ~(kIntegers | kSawNumber)) == 0) {
    // Mixed with fractional numbers, ints stay exact only as doubles that
    // hold them, or as decimals.
    return (m & (kSawWideInt | kSawBigInt)) ? FERRY_TYPE_DECIMAL : FERRY_TYPE_DOUBLE;
  }
  if (m == kSawString) return FERRY_TYPE_STRING;
  return FERRY_TYPE_JSON;
}

// Whether the document rounds any number of `v` (a double, or an integer
// beyond int64): then the line's number texts are needed.
bool rounds(const boost::json::value& v) {
  return ferry::support::json_any_scalar(v, [](const boost::json::value& x) { return x.is_double() || x.is_uint64(); });
}

size_t numbers_in(const boost::json::value& v) { return ferry::support::json_number_count(v); }

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

// Boost.JSON reports a \uD800-\uDBFF escape that no low surrogate follows
// as a bare syntax error.
std::optional<std::string> lone_surrogate(std::string_view line) {
  const auto hex4 = [&](size_t at) -> int {
    if (at + 4 > line.size()) return -1;
    int v = 0;
    for (size_t k = at; k < at + 4; ++k) {
      const char c = line[k];
      const int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
      if (d < 0) return -1;
      v = v * 16 + d;
    }
    return v;
  };
  for (size_t i = 0; i + 1 < line.size(); ++i) {
    if (line[i] != '\\') continue;
    if (line[i + 1] != 'u') {
      ++i;  // an escaped character, a backslash included
      continue;
    }
    const int high = hex4(i + 2);
    if (high < 0xD800 || high > 0xDBFF) continue;
    const bool closed = i + 7 < line.size() && line[i + 6] == '\\' && line[i + 7] == 'u' && hex4(i + 8) >= 0xDC00 &&
                        hex4(i + 8) <= 0xDFFF;
    if (!closed)
      return "\\" + std::string(line.substr(i + 1, 5)) +
             " opens a UTF-16 surrogate pair that no \\udc00-\\udfff escape closes (half a pair names no character)";
    i += 11;
  }
  return std::nullopt;
}

}  // namespace

JsonlBatch::JsonlBatch(std::vector<std::string> key_fields)
    : key_fields_(std::move(key_fields)),
      parser_(boost::json::storage_ptr(), depth_limit(), parser_stack_,
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

bool JsonlBatch::classify(const boost::json::object& row, size_t first_text, std::vector<uint8_t>& kinds,
                          std::string* error) const {
  kinds.clear();
  size_t text = first_text;
  for (const boost::json::key_value_pair& kv : row) {
    const boost::json::value& v = kv.value();
    const bool number = v.is_number();
    const std::string* t = number && text < texts_.size() ? &texts_[text] : nullptr;
    const uint8_t kind = kind_bit(v, t);
    if (t && v.is_double()) {
      const std::string key(kv.key().data(), kv.key().size());
      if (kind == kSawNumber && !std::isfinite(v.get_double())) {
        *error = "field '" + key + "': the number " + *t + " is beyond what a double holds";
        return false;
      }
      // Below the smallest subnormal the parser gives 0: a value, not a
      // rounding of one. A zero written as zero has no other digit.
      if (kind == kSawNumber && v.get_double() == 0 &&
          t->substr(0, t->find_first_of("eE")).find_first_of("123456789") != std::string::npos) {
        *error = "field '" + key + "': the number " + *t + " is below what a double holds (it would become 0)";
        return false;
      }
      if (!plain_decimal(*t)) {
        *error = "field '" + key + "': the number " + t->substr(0, 40) + (t->size() > 40 ? "..." : "") +
                 " has more than 1,000 digits";
        return false;
      }
    }
    kinds.push_back(kind);
    if (first_text != kNoText) text += numbers_in(v);
  }
  return true;
}

bool JsonlBatch::changes_a_type(const boost::json::object& row, const std::vector<uint8_t>& kinds) const {
  size_t i = 0;
  for (const boost::json::key_value_pair& kv : row) {
    const uint8_t kind = kinds[i++];
    auto it = index_.find(std::string_view(kv.key().data(), kv.key().size()));
    if (it == index_.end()) continue;
    const uint8_t before = masks_[it->second];
    const FerryType was = resolve_type(before);
    if (was == FERRY_TYPE_NULL) continue;
    // A JSON column takes numbers, written as they would be in their own
    // type; a string or boolean it would write as JSON text ("\"x\"", true).
    if (was == FERRY_TYPE_JSON) {
      if (kind == kSawString || kind == kSawBool) return true;
      continue;
    }
    if (resolve_type(static_cast<uint8_t>(before | kind)) == FERRY_TYPE_JSON) return true;
  }
  return false;
}

JsonlBatch::Added JsonlBatch::add(std::string_view line, std::string_view position, std::string* error) {
  boost::system::error_code ec;
  parser_.reset(&arena_);
  parser_.write(line.data(), line.size(), ec);
  if (ec) {
    // Boost.JSON calls bad UTF-8 a syntax error: name the real cause.
    if (!is_valid_utf8(line)) {
      *error = "invalid UTF-8";
    } else if (std::optional<std::string> why = non_json_number(line)) {
      *error = "invalid JSON: " + *why;
    } else if (std::optional<std::string> lone = lone_surrogate(line)) {
      *error = "invalid JSON: " + *lone;
    } else if (ec == boost::json::error::too_deep) {
      *error = "nested deeper than " + std::to_string(kMaxDepth) + " levels, the most a line may hold";
    } else {
      *error = "invalid JSON: " + ec.message();
    }
    return Added::kRejected;
  }
  boost::json::value v = parser_.release();
  if (!v.is_object()) {
    *error = std::string("not a JSON object (found ") + kind_name(v) + ")";
    return Added::kRejected;
  }
  // Which of a repeated key's values is meant is not for Ferry to guess;
  // the collector names the key.
  if (repeated_a_key(v)) {
    if (number_texts(line, line_texts_, error)) *error = "a key appears twice in one object";
    return Added::kRejected;
  }
  // A document that rounds a number: read the line's number texts, so the
  // row keeps the numbers it holds.
  const size_t texts_before = texts_.size();
  uint32_t first_text = kNoText;
  if (rounds(v)) {
    if (!number_texts(line, line_texts_, error)) return Added::kRejected;
    if (line_texts_.size() != numbers_in(v) || !ferry::support::make_doubles_exact(v, line_texts_)) {
      *error = "its numbers could not be read back exactly";
      return Added::kRejected;
    }
    first_text = static_cast<uint32_t>(texts_before);
    for (std::string& t : line_texts_) texts_.push_back(std::move(t));
  }
  if (!classify(v.get_object(), first_text, kinds_, error)) {
    texts_.resize(texts_before);
    return Added::kRejected;
  }
  if (!rows_.empty() && changes_a_type(v.get_object(), kinds_)) {
    texts_.resize(texts_before);
    return Added::kTypeChange;
  }
  rows_.push_back(std::move(v));
  size_t ordinal = 0;
  size_t text = first_text;
  // Cells point into the arena, which does not move when rows_ grows.
  for (const boost::json::key_value_pair& kv : rows_.back().get_object()) {
    const uint32_t f = field_index(kv.key(), ordinal);
    masks_[f] |= kinds_[ordinal++];
    const size_t n = first_text == kNoText ? 0 : numbers_in(kv.value());
    cells_.push_back(Cell{f, &kv.value(), n ? static_cast<uint32_t>(text) : kNoText});
    text += n;
  }
  row_cells_.push_back(static_cast<uint32_t>(cells_.size()));
  positions_.append(position);
  position_ends_.push_back(static_cast<uint32_t>(positions_.size()));
  return Added::kRow;
}

void JsonlBatch::append_key(std::string& key, size_t row) const {
  auto find = [&](const std::string& name) -> const Cell* {
    for (uint32_t c = row_cells_[row]; c < row_cells_[row + 1]; ++c)
      if (names_[cells_[c].field] == name) return &cells_[c];
    return nullptr;
  };
  auto append_value = [&](const Cell& cell) {
    if (cell.text == kNoText) {
      append_json(key, *cell.value);
      return;
    }
    size_t next = cell.text;
    append_json_exact(key, *cell.value, texts_, &next);
  };
  if (key_fields_.size() == 1) {
    const Cell* c = find(key_fields_[0]);
    if (!c || c->value->is_null()) return;
    if (c->value->is_string()) {
      key.append(c->value->get_string().data(), c->value->get_string().size());
      return;
    }
    append_value(*c);
    return;
  }
  key.push_back('[');
  for (size_t k = 0; k < key_fields_.size(); ++k) {
    if (k > 0) key.push_back(',');
    const Cell* c = find(key_fields_[k]);
    if (c) {
      append_value(*c);
    } else {
      key += "null";
    }
  }
  key.push_back(']');
}

void JsonlBatch::set_value(ferry::BatchBuilder& out, size_t row, const Cell& cell) {
  const uint32_t f = cell.field;
  const boost::json::value& v = *cell.value;
  if (v.is_null()) return;  // rows start all-null
  switch (types_[f]) {
    case FERRY_TYPE_BOOL: out.set_bool(row, f, v.get_bool()); return;
    case FERRY_TYPE_INT64: out.set_int(row, f, v.get_int64()); return;
    case FERRY_TYPE_DOUBLE: out.set_double(row, f, as_double(v)); return;
    case FERRY_TYPE_DECIMAL: {
      scratch_.clear();
      if (v.is_int64()) {
        scratch_ = std::to_string(v.get_int64());
      } else if (v.is_uint64()) {
        scratch_ = std::to_string(v.get_uint64());
      } else if (cell.text != kNoText) {
        scratch_ = plain_decimal(texts_[cell.text]).value_or(texts_[cell.text]);
      }
      out.set_bytes(row, f, FERRY_TYPE_DECIMAL, scratch_);
      return;
    }
    case FERRY_TYPE_STRING: {
      const boost::json::string& s = v.get_string();
      out.set_string(row, f, std::string_view(s.data(), s.size()));
      return;
    }
    case FERRY_TYPE_JSON: {
      scratch_.clear();
      size_t next = cell.text;
      if (cell.text == kNoText) {
        append_json(scratch_, v);
      } else {
        append_json_exact(scratch_, v, texts_, &next);
      }
      out.set_bytes(row, f, FERRY_TYPE_JSON, scratch_);
      return;
    }
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
    for (uint32_t c = row_cells_[r]; c < row_cells_[r + 1]; ++c) set_value(out, row, cells_[c]);
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
  texts_.clear();
  arena_.reset();
}

}  // namespace ferry_file
