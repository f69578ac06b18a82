#include "row_image.h"

#include <ferry/plugin.hpp>
#include <time/civil_time.h>

#include <charconv>
#include <cstdio>
#include <cstring>

namespace ferry_maria_cdc {
namespace {

[[noreturn]] void corrupt(const std::string& what) {
  throw ferry::Error(FERRY_ERROR_IO, "mariadb-cdc source: a binlog row image does not parse (" + what + ")");
}

// Reads the bytes of one row image, never past its end.
class Reader {
 public:
  Reader(const unsigned char* p, const unsigned char* end) : p_(p), end_(end) {}
  bool done() const { return p_ >= end_; }
  const unsigned char* take(size_t n) {
    if (static_cast<size_t>(end_ - p_) < n) corrupt("value past the end of the event");
    const unsigned char* at = p_;
    p_ += n;
    return at;
  }
  uint64_t le(size_t n) {
    const unsigned char* b = take(n);
    uint64_t v = 0;
    for (size_t k = n; k-- > 0;) v = v << 8 | b[k];
    return v;
  }
  uint64_t be(size_t n) {
    const unsigned char* b = take(n);
    uint64_t v = 0;
    for (size_t k = 0; k < n; ++k) v = v << 8 | b[k];
    return v;
  }

 private:
  const unsigned char* p_;
  const unsigned char* end_;
};

// A length-encoded integer of the client protocol (the table map's names).
uint64_t packed_length(Reader& in) {
  const uint64_t first = in.le(1);
  if (first < 251) return first;
  if (first == 252) return in.le(2);
  if (first == 253) return in.le(3);
  if (first == 254) return in.le(8);
  corrupt("a length in the table map");
}

std::string two(unsigned v) {
  char b[8];
  std::snprintf(b, sizeof b, "%02u", v % 100);
  return b;
}

// The `digits` leading digits of a microsecond fraction, after a dot.
std::string fraction(uint64_t micros, unsigned digits) {
  if (digits == 0) return {};
  char b[8];
  std::snprintf(b, sizeof b, "%06u", static_cast<unsigned>(micros % 1000000));
  return "." + std::string(b, digits);
}

// The fraction that follows DATETIME2, TIMESTAMP2 and TIME2 values:
// (precision + 1) / 2 bytes, big-endian, in units of 10^-(2 * bytes).
int64_t fraction_micros(Reader& in, unsigned precision) {
  switch ((precision + 1) / 2) {
    case 1: return static_cast<int64_t>(in.be(1)) * 10000;
    case 2: return static_cast<int64_t>(in.be(2)) * 100;
    case 3: return static_cast<int64_t>(in.be(3));
    default: return 0;
  }
}

std::string date_text(int64_t year, unsigned month, unsigned day) {
  char b[48];
  std::snprintf(b, sizeof b, "%04lld-%02u-%02u", static_cast<long long>(year), month % 100, day % 100);
  return b;
}

std::string decimal_text(Reader& in, unsigned precision, unsigned scale) {
  static const int kDigitBytes[10] = {0, 1, 1, 2, 2, 3, 3, 4, 4, 4};
  if (scale > precision || precision > 65) corrupt("a DECIMAL's precision");
  const unsigned intg = precision - scale;
  const unsigned intg0 = intg / 9, intg0x = intg % 9, frac0 = scale / 9, frac0x = scale % 9;
  const size_t size = intg0 * 4 + kDigitBytes[intg0x] + frac0 * 4 + kDigitBytes[frac0x];
  const unsigned char* raw = in.take(size);
  std::vector<unsigned char> b(raw, raw + size);
  // The sign is the top bit, inverted; a negative number stores every
  // byte inverted.
  const bool negative = (b[0] & 0x80) == 0;
  b[0] ^= 0x80;
  if (negative)
    for (unsigned char& c : b) c = static_cast<unsigned char>(~c);
  size_t at = 0;
  const auto group = [&](int bytes) {
    uint64_t v = 0;
    for (int k = 0; k < bytes; ++k) v = v << 8 | b[at++];
    return v;
  };
  const auto padded = [](uint64_t v, unsigned width) {
    std::string s = std::to_string(v);
    return std::string(width > s.size() ? width - s.size() : 0, '0') + s;
  };
  std::string whole, frac;
  if (intg0x) whole += std::to_string(group(kDigitBytes[intg0x]));
  for (unsigned g = 0; g < intg0; ++g) whole += padded(group(4), 9);
  for (unsigned g = 0; g < frac0; ++g) frac += padded(group(4), 9);
  if (frac0x) frac += padded(group(kDigitBytes[frac0x]), frac0x);
  const size_t lead = whole.find_first_not_of('0');
  whole = lead == std::string::npos ? "0" : whole.substr(lead);
  const bool zero = whole == "0" && frac.find_first_not_of('0') == std::string::npos;
  return (negative && !zero ? "-" : "") + whole + (scale ? "." + frac : "");
}

std::string time_text(Reader& in, unsigned precision) {
  // The server's TIME2 format (my_time.c): a packed value of hours, minutes
  // and seconds in the high bits and the fraction in the low 24, offset so
  // that it sorts as unsigned.
  int64_t packed = 0;
  if (precision >= 5) {
    packed = static_cast<int64_t>(in.be(6)) - 0x800000000000LL;
  } else {
    int64_t whole = static_cast<int64_t>(in.be(3)) - 0x800000LL;
    int64_t frac = 0;
    if (precision >= 3) {
      frac = static_cast<int64_t>(in.be(2));
      if (whole < 0 && frac) ++whole, frac -= 0x10000;
      frac *= 100;
    } else if (precision >= 1) {
      frac = static_cast<int64_t>(in.be(1));
      if (whole < 0 && frac) ++whole, frac -= 0x100;
      frac *= 10000;
    }
    packed = whole * (int64_t{1} << 24) + frac;
  }
  const bool negative = packed < 0;
  if (negative) packed = -packed;
  const int64_t hms = packed >> 24;
  const unsigned hours = static_cast<unsigned>((hms >> 12) % (1 << 10));
  const unsigned minutes = static_cast<unsigned>((hms >> 6) % (1 << 6));
  const unsigned seconds = static_cast<unsigned>(hms % (1 << 6));
  return std::string(negative ? "-" : "") + (hours < 10 ? "0" : "") + std::to_string(hours) + ":" + two(minutes) +
         ":" + two(seconds) + fraction(static_cast<uint64_t>(packed % (1 << 24)), precision);
}

template <typename T>
std::string shortest(T v) {
  char b[64];
  const auto r = std::to_chars(b, b + sizeof b, v);
  return std::string(b, r.ptr);
}

std::string value_text(Reader& in, const MappedColumn& col, const ColumnKind& kind) {
  switch (col.type) {
    case MYSQL_TYPE_TINY:
    case MYSQL_TYPE_SHORT:
    case MYSQL_TYPE_INT24:
    case MYSQL_TYPE_LONG:
    case MYSQL_TYPE_LONGLONG: {
      const size_t n = col.type == MYSQL_TYPE_TINY ? 1 : col.type == MYSQL_TYPE_SHORT ? 2
                       : col.type == MYSQL_TYPE_INT24 ? 3 : col.type == MYSQL_TYPE_LONG ? 4 : 8;
      const uint64_t raw = in.le(n);
      if (col.is_unsigned) return std::to_string(raw);
      const unsigned shift = static_cast<unsigned>(64 - 8 * n);
      return std::to_string(static_cast<int64_t>(raw << shift) >> shift);
    }
    case MYSQL_TYPE_YEAR: {
      const uint64_t y = in.le(1);
      return y == 0 ? "0000" : std::to_string(1900 + y);
    }
    case MYSQL_TYPE_FLOAT: {
      const uint32_t bits = static_cast<uint32_t>(in.le(4));
      float f;
      std::memcpy(&f, &bits, sizeof f);
      return shortest(f);
    }
    case MYSQL_TYPE_DOUBLE: {
      const uint64_t bits = in.le(8);
      double d;
      std::memcpy(&d, &bits, sizeof d);
      return shortest(d);
    }
    case MYSQL_TYPE_NEWDECIMAL:
      return decimal_text(in, col.meta >> 8, col.meta & 0xFF);
    case MYSQL_TYPE_DATE: {
      const uint64_t v = in.le(3);
      return date_text(static_cast<int64_t>(v >> 9), static_cast<unsigned>((v >> 5) & 15), static_cast<unsigned>(v & 31));
    }
    case MYSQL_TYPE_DATETIME2: {
      const int64_t v = static_cast<int64_t>(in.be(5)) - 0x8000000000LL;
      const int64_t micros = fraction_micros(in, col.meta);
      const int64_t ymd = v >> 17, ym = ymd >> 5, hms = v % (1 << 17);
      return date_text(ym / 13, static_cast<unsigned>(ym % 13), static_cast<unsigned>(ymd % (1 << 5))) + " " +
             two(static_cast<unsigned>(hms >> 12)) + ":" + two(static_cast<unsigned>((hms >> 6) % (1 << 6))) + ":" +
             two(static_cast<unsigned>(hms % (1 << 6))) + fraction(static_cast<uint64_t>(micros), col.meta);
    }
    case MYSQL_TYPE_TIMESTAMP2: {
      const int64_t seconds = static_cast<int64_t>(in.be(4));
      const int64_t micros = fraction_micros(in, col.meta);
      if (seconds == 0 && micros == 0) return "0000-00-00 00:00:00" + fraction(0, col.meta);
      const ferry::support::UtcTime t = ferry::support::utc_from_micros(seconds * 1000000 + micros);
      return date_text(t.year, t.month, t.day) + " " + two(t.hour) + ":" + two(t.minute) + ":" + two(t.second) +
             fraction(static_cast<uint64_t>(t.micros), col.meta);
    }
    case MYSQL_TYPE_TIME2:
      return time_text(in, col.meta);
    case MYSQL_TYPE_VARCHAR:
    case MYSQL_TYPE_VAR_STRING: {
      const size_t n = in.le(col.meta < 256 ? 1 : 2);
      return std::string(reinterpret_cast<const char*>(in.take(n)), n);
    }
    case MYSQL_TYPE_STRING: {
      // Metadata: the real type and the length, whose top bits hide in the
      // real type's byte (Field_string::save_field_metadata).
      const unsigned byte0 = col.meta >> 8, byte1 = col.meta & 0xFF;
      unsigned max_length = byte1;
      unsigned real_type = byte0;
      if ((byte0 & 0x30) != 0x30) {
        max_length = byte1 | (((byte0 & 0x30) ^ 0x30) << 4);
        real_type = byte0 | 0x30;
      }
      if (real_type == MYSQL_TYPE_ENUM || real_type == MYSQL_TYPE_SET) corrupt("an ENUM or SET column");
      const size_t n = in.le(max_length > 255 ? 2 : 1);
      std::string v(reinterpret_cast<const char*>(in.take(n)), n);
      // BINARY(n) is stored without its trailing zero bytes; a SELECT
      // gives all n of them.
      if (kind.kind == Kind::kBytes && v.size() < max_length) v.resize(max_length, '\0');
      return v;
    }
    case MYSQL_TYPE_BLOB: {
      const size_t n = in.le(col.meta);
      return std::string(reinterpret_cast<const char*>(in.take(n)), n);
    }
    default:
      corrupt("column '" + col.name + "' has binlog type " + std::to_string(col.type));
  }
}

// MariaDB's COMPRESSED columns (not in Connector/C's enum).
constexpr uint8_t kVarcharCompressed = 140;
constexpr uint8_t kBlobCompressed = 141;

bool bit(const unsigned char* bits, size_t i) { return (bits[i / 8] >> (i % 8)) & 1; }

}  // namespace

bool binlog_type_holds(Kind kind, const MappedColumn& column, const std::set<uint32_t>& utf8_collations) {
  const uint8_t type = column.type;
  switch (kind) {
    case Kind::kInt: case Kind::kUInt64:
      return type == MYSQL_TYPE_TINY || type == MYSQL_TYPE_SHORT || type == MYSQL_TYPE_INT24 ||
             type == MYSQL_TYPE_LONG || type == MYSQL_TYPE_LONGLONG;
    case Kind::kDecimal: return type == MYSQL_TYPE_NEWDECIMAL;
    case Kind::kFloat: return type == MYSQL_TYPE_FLOAT;
    case Kind::kDouble: return type == MYSQL_TYPE_DOUBLE;
    case Kind::kYear: return type == MYSQL_TYPE_YEAR;
    case Kind::kDate: return type == MYSQL_TYPE_DATE;
    case Kind::kDatetime: return type == MYSQL_TYPE_DATETIME2;
    case Kind::kTimestamp: return type == MYSQL_TYPE_TIMESTAMP2;
    case Kind::kTime: return type == MYSQL_TYPE_TIME2;
    case Kind::kText: case Kind::kBytes:
      if (type != MYSQL_TYPE_VARCHAR && type != MYSQL_TYPE_VAR_STRING && type != MYSQL_TYPE_STRING &&
          type != MYSQL_TYPE_BLOB)
        return false;
      // The bytes are as the column's character set had them when written:
      // a column since converted (latin1 to utf8mb4, text to binary) holds
      // other bytes in the binlog than in the table.
      return kind == Kind::kBytes ? column.collation == kBinaryCollation
                                  : utf8_collations.count(column.collation) != 0;
  }
  return false;
}

bool readable_binlog_type(uint8_t type) {
  switch (type) {
    case MYSQL_TYPE_TINY: case MYSQL_TYPE_SHORT: case MYSQL_TYPE_INT24: case MYSQL_TYPE_LONG:
    case MYSQL_TYPE_LONGLONG: case MYSQL_TYPE_YEAR: case MYSQL_TYPE_FLOAT: case MYSQL_TYPE_DOUBLE:
    case MYSQL_TYPE_NEWDECIMAL: case MYSQL_TYPE_DATE: case MYSQL_TYPE_DATETIME2: case MYSQL_TYPE_TIMESTAMP2:
    case MYSQL_TYPE_TIME2: case MYSQL_TYPE_VARCHAR: case MYSQL_TYPE_VAR_STRING: case MYSQL_TYPE_STRING:
    case MYSQL_TYPE_BLOB:
      return true;
    default:
      return false;
  }
}

namespace {

// The columns whose collations the optional metadata lists, in column
// order: every one with a character set but ENUM and SET (listed apart,
// and sharing CHAR's binlog type): CHAR, VARCHAR, the TEXT and BLOB types,
// binary ones included (collation 63), and GEOMETRY, which the server
// keeps as a binary BLOB.
bool has_collation(const MappedColumn& c) {
  if (c.type == MYSQL_TYPE_STRING) {
    const unsigned real_type = c.meta >> 8;
    return real_type != MYSQL_TYPE_ENUM && real_type != MYSQL_TYPE_SET;
  }
  return c.type == MYSQL_TYPE_VARCHAR || c.type == MYSQL_TYPE_VAR_STRING || c.type == MYSQL_TYPE_BLOB ||
         c.type == MYSQL_TYPE_GEOMETRY;
}

// The optional metadata's DEFAULT_CHARSET (the most used collation, then
// the others as pairs of string-column index and collation) or
// COLUMN_CHARSET (one collation per string column). Connector/C 3.3 keeps
// only the first byte of the default and drops the pairs, so the event's
// own bytes are read: they follow the null bitmap, and precede the column
// names, which come next in the server's order.
void read_collations(const st_mariadb_rpl_table_map_event& tm, std::vector<MappedColumn>& columns) {
  std::vector<MappedColumn*> strings;
  for (MappedColumn& c : columns)
    if (has_collation(c)) strings.push_back(&c);
  if (strings.empty()) return;
  if (tm.null_indicator == nullptr || tm.column_names.data == nullptr) corrupt("the table map's optional metadata");
  const unsigned char* begin = tm.null_indicator + (tm.column_count + 7) / 8;
  const unsigned char* end = reinterpret_cast<const unsigned char*>(tm.column_names.data);
  if (end < begin) corrupt("the table map's optional metadata");
  constexpr unsigned kDefaultCharset = 2, kColumnCharset = 3;
  Reader in(begin, end);
  while (!in.done()) {
    const uint64_t field = in.le(1);
    if (field > kColumnCharset) break;  // the fields come in type order
    const uint64_t length = packed_length(in);
    const unsigned char* bytes = in.take(length);
    Reader value(bytes, bytes + length);
    if (field == kDefaultCharset) {
      const auto fallback = static_cast<uint32_t>(packed_length(value));
      for (MappedColumn* c : strings) c->collation = fallback;
      while (!value.done()) {
        const uint64_t index = packed_length(value);
        const auto collation = static_cast<uint32_t>(packed_length(value));
        if (index >= strings.size()) corrupt("a collation of the table map");
        strings[index]->collation = collation;
      }
      return;
    }
    if (field == kColumnCharset) {
      for (MappedColumn* c : strings) c->collation = static_cast<uint32_t>(packed_length(value));
      if (!value.done()) corrupt("the collations of the table map");
      return;
    }
  }
  throw ferry::Error(FERRY_ERROR_CONFIG,
                     "mariadb-cdc source: the binlog's table maps carry no character sets; the server needs "
                     "binlog_row_metadata = FULL");
}

}  // namespace

std::vector<MappedColumn> mapped_columns(const MARIADB_RPL_EVENT& ev) {
  const auto& tm = ev.event.table_map;
  std::vector<MappedColumn> out(tm.column_count);
  Reader meta(reinterpret_cast<const unsigned char*>(tm.metadata.str),
              reinterpret_cast<const unsigned char*>(tm.metadata.str) + tm.metadata.length);
  for (uint32_t c = 0; c < tm.column_count; ++c) {
    MappedColumn& col = out[c];
    col.type = static_cast<uint8_t>(tm.column_types.str[c]);
    switch (col.type) {
      case MYSQL_TYPE_FLOAT: case MYSQL_TYPE_DOUBLE: case MYSQL_TYPE_BLOB: case MYSQL_TYPE_GEOMETRY:
      case MYSQL_TYPE_JSON: case MYSQL_TYPE_DATETIME2: case MYSQL_TYPE_TIMESTAMP2: case MYSQL_TYPE_TIME2:
      case kBlobCompressed:
        col.meta = static_cast<uint16_t>(meta.le(1));
        break;
      case MYSQL_TYPE_VARCHAR: case MYSQL_TYPE_VAR_STRING: case kVarcharCompressed:
        col.meta = static_cast<uint16_t>(meta.le(2));
        break;
      case MYSQL_TYPE_NEWDECIMAL: case MYSQL_TYPE_STRING: case MYSQL_TYPE_ENUM: case MYSQL_TYPE_SET:
      case MYSQL_TYPE_BIT:
        col.meta = static_cast<uint16_t>(meta.be(2));
        break;
      default:
        break;
    }
  }
  // The signedness of the numeric columns, one bit each, the first column
  // in the high bit (binlog_row_metadata).
  size_t numeric = 0;
  for (MappedColumn& col : out) {
    switch (col.type) {
      case MYSQL_TYPE_TINY: case MYSQL_TYPE_SHORT: case MYSQL_TYPE_INT24: case MYSQL_TYPE_LONG:
      case MYSQL_TYPE_LONGLONG: case MYSQL_TYPE_NEWDECIMAL: case MYSQL_TYPE_FLOAT: case MYSQL_TYPE_DOUBLE:
        if (tm.signed_indicator != nullptr) col.is_unsigned = (tm.signed_indicator[numeric / 8] >> (7 - numeric % 8)) & 1;
        ++numeric;
        break;
      default:
        break;
    }
  }
  if (tm.column_names.length == 0)
    throw ferry::Error(FERRY_ERROR_CONFIG,
                       "mariadb-cdc source: the binlog's table maps carry no column names; the server needs "
                       "binlog_row_metadata = FULL");
  read_collations(tm, out);
  Reader names(tm.column_names.data, tm.column_names.data + tm.column_names.length);
  for (MappedColumn& col : out) {
    const size_t n = packed_length(names);
    col.name.assign(reinterpret_cast<const char*>(names.take(n)), n);
  }
  return out;
}

std::vector<Row> decode_rows(const std::vector<MappedColumn>& columns, const std::vector<ColumnKind>& kinds,
                             const MARIADB_RPL_EVENT& ev) {
  const auto& rows = ev.event.rows;
  if (rows.column_count != columns.size() || kinds.size() != columns.size()) corrupt("column count");
  const auto* data = static_cast<const unsigned char*>(rows.row_data);
  Reader in(data, data + rows.row_data_size);
  const bool update = rows.type == UPDATE_ROWS;
  const size_t bitmap_bytes = (columns.size() + 7) / 8;
  std::vector<Row> out;
  while (!in.done()) {
    const unsigned char* present = update && out.size() % 2 == 1 ? rows.column_update_bitmap : rows.column_bitmap;
    for (size_t c = 0; c < columns.size(); ++c)
      if (present == nullptr || !bit(present, c))
        throw ferry::Error(FERRY_ERROR_CONFIG,
                           "mariadb-cdc source: a binlog row image leaves out column '" + columns[c].name +
                               "'; the server needs binlog_row_image = FULL");
    const unsigned char* nulls = in.take(bitmap_bytes);
    Row row(columns.size());
    for (size_t c = 0; c < columns.size(); ++c)
      if (!bit(nulls, c)) row[c] = value_text(in, columns[c], kinds[c]);
    out.push_back(std::move(row));
  }
  if (update && out.size() % 2 != 0) corrupt("an update without its new row");
  return out;
}

}  // namespace ferry_maria_cdc
