// Part of <ferry/testing/plugin_harness.hpp>: rows and values written as plain C++, and the
// batches built from them (OwnedBatch, make_batch, rows_of, columns_of).
#ifndef FERRY_TESTING_VALUES_HPP_
#define FERRY_TESTING_VALUES_HPP_

#include <ferry/plugin.hpp>

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ferry::testing {

// ---------------------------------------------------------------------------
// Values and rows: plain C++ copies of batch contents, comparable in tests.

struct Value {
  FerryType type = FERRY_TYPE_NULL;
  int64_t i = 0;  // BOOL (0/1), INT64, TIMESTAMP
  double d = 0;   // DOUBLE
  std::string s;  // STRING, BYTES, JSON, DECIMAL

  static Value null() { return Value{}; }
  static Value boolean(bool v) { return Value{FERRY_TYPE_BOOL, v ? 1 : 0, 0, {}}; }
  static Value int64(int64_t v) { return Value{FERRY_TYPE_INT64, v, 0, {}}; }
  static Value real(double v) { return Value{FERRY_TYPE_DOUBLE, 0, v, {}}; }
  static Value timestamp(int64_t micros) { return Value{FERRY_TYPE_TIMESTAMP, micros, 0, {}}; }
  static Value string(std::string v) { return Value{FERRY_TYPE_STRING, 0, 0, std::move(v)}; }
  static Value bytes(std::string v) { return Value{FERRY_TYPE_BYTES, 0, 0, std::move(v)}; }
  static Value json(std::string v) { return Value{FERRY_TYPE_JSON, 0, 0, std::move(v)}; }
  static Value decimal(std::string v) { return Value{FERRY_TYPE_DECIMAL, 0, 0, std::move(v)}; }

  static Value from(const FerryValue& v) {
    switch (v.type) {
      case FERRY_TYPE_BOOL:
        return boolean(v.as.boolean != 0);
      case FERRY_TYPE_INT64:
        return int64(v.as.i64);
      case FERRY_TYPE_TIMESTAMP:
        return timestamp(v.as.i64);
      case FERRY_TYPE_DOUBLE:
        return real(v.as.f64);
      case FERRY_TYPE_STRING:
      case FERRY_TYPE_BYTES:
      case FERRY_TYPE_JSON:
      case FERRY_TYPE_DECIMAL:
        return Value{v.type, 0, 0, std::string(ferry::view(v.as.bytes))};
      default:
        return Value{v.type, 0, 0, {}};
    }
  }

  bool operator==(const Value& o) const {
    if (type != o.type) return false;
    switch (type) {
      case FERRY_TYPE_BOOL:
      case FERRY_TYPE_INT64:
      case FERRY_TYPE_TIMESTAMP:
        return i == o.i;
      case FERRY_TYPE_DOUBLE:
        return d == o.d;
      case FERRY_TYPE_NULL:
        return true;
      default:
        return s == o.s;
    }
  }
  bool operator!=(const Value& o) const { return !(*this == o); }
};

inline std::ostream& operator<<(std::ostream& os, const Value& v) {
  switch (v.type) {
    case FERRY_TYPE_NULL:
      return os << "null";
    case FERRY_TYPE_BOOL:
      return os << (v.i ? "true" : "false");
    case FERRY_TYPE_INT64:
      return os << v.i;
    case FERRY_TYPE_TIMESTAMP:
      return os << "ts(" << v.i << ")";
    case FERRY_TYPE_DOUBLE:
      return os << v.d;
    default:
      return os << "type" << v.type << "\"" << v.s << "\"";
  }
}

struct Column {
  std::string name;
  FerryType type;
  uint32_t flags = FERRY_FIELD_NULLABLE;
};

struct Row {
  std::vector<Value> values;
  std::string key;
  std::string position;
  FerryOp op = FERRY_OP_INSERT;

  bool operator==(const Row& o) const {
    return values == o.values && key == o.key && position == o.position && op == o.op;
  }
};

inline std::ostream& operator<<(std::ostream& os, const Row& r) {
  os << "{key=\"" << r.key << "\" pos=\"" << r.position << "\" op=" << r.op << " [";
  for (size_t i = 0; i < r.values.size(); ++i) os << (i ? ", " : "") << r.values[i];
  return os << "]}";
}

// ---------------------------------------------------------------------------
// Batches

// Owns a FerryBatch handed over by a producer and releases it exactly once.
class OwnedBatch {
 public:
  OwnedBatch() = default;
  OwnedBatch(const OwnedBatch&) = delete;
  OwnedBatch& operator=(const OwnedBatch&) = delete;
  // A move is a copy plus marking the source released (ABI rule).
  OwnedBatch(OwnedBatch&& o) noexcept : b_(o.b_) { o.b_.release = nullptr; }
  OwnedBatch& operator=(OwnedBatch&& o) noexcept {
    if (this != &o) {
      reset();
      b_ = o.b_;
      o.b_.release = nullptr;
    }
    return *this;
  }
  ~OwnedBatch() { reset(); }

  // For a producer to fill; releases what was held first.
  // For a plugin to fill, sized as the host sizes it (ABI convention 6).
  FerryBatch* out() {
    reset();
    b_.struct_size = sizeof b_;
    return &b_;
  }
  const FerryBatch& get() const { return b_; }
  const FerryBatch* operator->() const { return &b_; }
  void reset() {
    if (b_.release != nullptr) b_.release(&b_);
    b_ = FerryBatch{};
  }

 private:
  FerryBatch b_{};
};

inline std::vector<Row> rows_of(const FerryBatch& b) {
  std::vector<Row> rows;
  rows.reserve(b.n_rows);
  for (size_t r = 0; r < b.n_rows; ++r) {
    Row row;
    row.key = std::string(ferry::view(b.records[r].key));
    row.position = std::string(ferry::view(b.records[r].position));
    row.op = b.records[r].op;
    for (size_t f = 0; f < b.schema.n_fields; ++f)
      row.values.push_back(Value::from(b.values[r * b.schema.n_fields + f]));
    rows.push_back(std::move(row));
  }
  return rows;
}

inline std::vector<Column> columns_of(const FerryBatch& b) {
  std::vector<Column> cols;
  for (size_t f = 0; f < b.schema.n_fields; ++f)
    cols.push_back(Column{std::string(ferry::view(b.schema.fields[f].name)),
                          b.schema.fields[f].type, b.schema.fields[f].flags});
  return cols;
}

// Builds a batch for a sink from simple rows (missing trailing values are
// null). The batch owns its memory, as one from a real source would.
inline OwnedBatch make_batch(const std::vector<Column>& columns, const std::vector<Row>& rows,
                             std::string_view partition = "p0",
                             std::string_view end_position = {}) {
  ferry::BatchBuilder builder;
  for (const Column& c : columns) builder.add_field(c.name, c.type, c.flags);
  builder.reserve(rows.size());
  for (const Row& row : rows) {
    const size_t r = builder.add_row(row.key, row.position, row.op);
    for (size_t f = 0; f < row.values.size() && f < columns.size(); ++f) {
      const Value& v = row.values[f];
      switch (v.type) {
        case FERRY_TYPE_NULL:
          builder.set_null(r, f);
          break;
        case FERRY_TYPE_BOOL:
          builder.set_bool(r, f, v.i != 0);
          break;
        case FERRY_TYPE_INT64:
          builder.set_int(r, f, v.i);
          break;
        case FERRY_TYPE_TIMESTAMP:
          builder.set_timestamp(r, f, v.i);
          break;
        case FERRY_TYPE_DOUBLE:
          builder.set_double(r, f, v.d);
          break;
        default:
          builder.set_bytes(r, f, v.type, v.s);
          break;
      }
    }
  }
  OwnedBatch out;
  builder.finish(out.out(), partition, end_position);
  return out;
}

}  // namespace ferry::testing

#endif  // FERRY_TESTING_VALUES_HPP_
