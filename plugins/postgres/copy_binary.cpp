#include "copy_binary.h"

#include "binary_values.h"

#include "time/civil_time.h"
#include "time/timestamp_text.h"

#include <cstring>
#include <limits>
#include <string_view>
#include <vector>

namespace ferry_pg {
namespace {

// PostgreSQL timestamps count microseconds from 2000-01-01 00:00 UTC
// (kPgEpochMicros), and start at 4714-11-24 BC (Unix microseconds below;
// the upper end is beyond int64 in Unix microseconds). Outside that range
// text COPY lets the server name the value in its error; in binary
// INT64_MIN would be -infinity.
constexpr int64_t kPgMinTimestampUnixMicros = -210866803200000000LL;

// numeric's sign words and limits (utils/adt/numeric.c).
constexpr uint16_t kNumericPos = 0x0000;
constexpr uint16_t kNumericNeg = 0x4000;
constexpr uint16_t kNumericNaN = 0xC000;
constexpr size_t kNumericMaxDscale = 0x3FFF;

// Big-endian words gathered on the stack and appended to the buffer at
// once: a value's length word and its bytes cost one append, not one per
// word (the appends were a tenth of the sink's CPU).
class Words {
 public:
  explicit Words(std::string& out) : out_(out) {}
  ~Words() { flush(); }
  Words(const Words&) = delete;
  Words& operator=(const Words&) = delete;

  void u8(uint8_t v) {
    if (n_ == sizeof buf_) flush();
    buf_[n_++] = static_cast<char>(v);
  }
  void u16(uint16_t v) {
    u8(static_cast<uint8_t>(v >> 8));
    u8(static_cast<uint8_t>(v));
  }
  void u32(uint32_t v) {
    u16(static_cast<uint16_t>(v >> 16));
    u16(static_cast<uint16_t>(v));
  }
  void u64(uint64_t v) {
    u32(static_cast<uint32_t>(v >> 32));
    u32(static_cast<uint32_t>(v));
  }
  void flush() {
    out_.append(buf_, n_);
    n_ = 0;
  }

 private:
  std::string& out_;
  char buf_[64];
  size_t n_ = 0;
};

std::string_view text_of(const FerryValue& v) {
  return std::string_view(v.as.bytes.data ? v.as.bytes.data : "", v.as.bytes.size);
}

bool all_digits(std::string_view s) {
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

// A decimal in numeric's wire form: base-10000 digit groups aligned on the
// decimal point, the weight of the first group, the sign and the number of
// decimals shown. Only plain "[+-]digits[.digits]" and "NaN" are taken;
// exponents, infinities and anything odd stay with the server's text parser.
struct NumericWire {
  uint16_t sign = kNumericPos;
  int32_t weight = 0;
  uint16_t dscale = 0;
  std::vector<uint16_t>& digits;
};

// Called for every numeric value: one scratch vector per thread keeps that
// free of allocations.
std::vector<uint16_t>& digit_scratch() {
  thread_local std::vector<uint16_t> digits;
  digits.clear();
  return digits;
}

bool parse_numeric(std::string_view s, NumericWire* out) {
  if (s == "NaN") {
    out->sign = kNumericNaN;
    return true;
  }
  size_t i = 0;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) out->sign = s[i++] == '-' ? kNumericNeg : kNumericPos;
  const std::string_view rest = s.substr(i);
  const size_t dot = rest.find('.');
  std::string_view whole = rest.substr(0, dot);
  const std::string_view frac = dot == std::string_view::npos ? std::string_view() : rest.substr(dot + 1);
  if ((whole.empty() && frac.empty()) || !all_digits(whole) || !all_digits(frac)) return false;
  if (frac.size() > kNumericMaxDscale) return false;
  while (!whole.empty() && whole.front() == '0') whole.remove_prefix(1);

  const size_t whole_groups = (whole.size() + 3) / 4;
  if (whole_groups > 32768) return false;
  out->dscale = static_cast<uint16_t>(frac.size());
  out->weight = static_cast<int32_t>(whole_groups) - 1;
  // The first group takes the digits left over from whole groups of four.
  size_t lead = whole.size() % 4 == 0 ? 4 : whole.size() % 4;
  for (size_t at = 0; at < whole.size();) {
    uint16_t g = 0;
    for (size_t k = 0; k < lead; ++k) g = static_cast<uint16_t>(g * 10 + (whole[at + k] - '0'));
    out->digits.push_back(g);
    at += lead;
    lead = 4;
  }
  for (size_t at = 0; at < frac.size(); at += 4) {
    uint16_t g = 0;
    for (size_t k = 0; k < 4; ++k)
      g = static_cast<uint16_t>(g * 10 + (at + k < frac.size() ? frac[at + k] - '0' : 0));
    out->digits.push_back(g);
  }
  size_t first = 0;
  while (first < out->digits.size() && out->digits[first] == 0) ++first;
  out->digits.erase(out->digits.begin(), out->digits.begin() + static_cast<std::ptrdiff_t>(first));
  out->weight -= static_cast<int32_t>(first);
  while (!out->digits.empty() && out->digits.back() == 0) out->digits.pop_back();
  if (out->digits.empty()) {
    out->weight = 0;
    out->sign = kNumericPos;  // no negative zero
  }
  return out->weight >= std::numeric_limits<int16_t>::min() && out->digits.size() <= 0x7FFF;
}

using ferry::support::read_digits;

// A timestamp's text in the one form whose meaning to the server is
// certain, as microseconds since 1970 UTC: "YYYY-MM-DD[( |T)HH:MM:SS[.f]]"
// with 1 to 6 fraction digits, a year from 0001 to 9999, a date and time
// that exist (no 24:00 or leap second, which the server reads its own
// way); for timestamptz, after a time, an optional "Z", "+HH" or "+HH:MM"
// (up to 15:59), without one UTC (the session's TimeZone). A timestamp (without time zone)
// takes none: the server would ignore it. Anything else is the server's to
// parse, in text.
bool parse_timestamp_text(std::string_view s, BinaryColumn col, int64_t* out) {
  size_t i = 0;
  unsigned year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (!read_digits(s, &i, 4, &year) || i >= s.size() || s[i++] != '-' || !read_digits(s, &i, 2, &month) ||
      i >= s.size() || s[i++] != '-' || !read_digits(s, &i, 2, &day))
    return false;
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > ferry::support::days_in_month(year, month))
    return false;
  int64_t micros = 0;
  const bool has_time = i < s.size() && (s[i] == ' ' || s[i] == 'T');
  if (has_time) {
    ++i;
    if (!read_digits(s, &i, 2, &hour) || i >= s.size() || s[i++] != ':' || !read_digits(s, &i, 2, &minute) ||
        i >= s.size() || s[i++] != ':' || !read_digits(s, &i, 2, &second))
      return false;
    if (hour > 23 || minute > 59 || second > 59) return false;
    if (i < s.size() && s[i] == '.') {
      ++i;
      size_t n = 0;
      int64_t fraction = 0;
      while (i < s.size() && s[i] >= '0' && s[i] <= '9' && n < 7) {
        fraction = fraction * 10 + (s[i++] - '0');
        ++n;
      }
      if (n == 0 || n > 6) return false;  // seven digits the server would round
      for (; n < 6; ++n) fraction *= 10;
      micros = fraction;
    }
  }
  int64_t offset_seconds = 0;
  if (i < s.size()) {
    if (col != BinaryColumn::kTimestampTz || !has_time) return false;
    if (s[i] == 'Z') {
      ++i;
    } else if (s[i] == '+' || s[i] == '-') {
      const int64_t sign = s[i++] == '-' ? -1 : 1;
      unsigned oh = 0, om = 0;
      if (!read_digits(s, &i, 2, &oh)) return false;
      if (i < s.size() && s[i] == ':') {
        ++i;
        if (!read_digits(s, &i, 2, &om)) return false;
      }
      if (oh > 15 || om > 59) return false;
      offset_seconds = sign * (static_cast<int64_t>(oh) * 3600 + om * 60);
    } else {
      return false;
    }
    if (i != s.size()) return false;
  }
  const int64_t days = ferry::support::days_from_civil(year, month, day);
  const int64_t seconds = days * 86400 + hour * 3600 + minute * 60 + second - offset_seconds;
  *out = seconds * 1000000 + micros;
  return true;
}

}  // namespace

BinaryColumn binary_column_for(unsigned oid) {
  switch (oid) {
    case 21: return BinaryColumn::kInt2;
    case 23: return BinaryColumn::kInt4;
    case 20: return BinaryColumn::kInt8;
    case 701: return BinaryColumn::kFloat8;
    case 16: return BinaryColumn::kBool;
    case 25: case 1043: case 1042: return BinaryColumn::kText;  // text, varchar, char(n)
    case 17: return BinaryColumn::kBytea;
    case 1114: return BinaryColumn::kTimestamp;
    case 1184: return BinaryColumn::kTimestampTz;
    case 1700: return BinaryColumn::kNumeric;
    case 114: return BinaryColumn::kJson;
    case 3802: return BinaryColumn::kJsonb;
    default: return BinaryColumn::kNone;
  }
}

void append_binary_header(std::string& out) {
  static const char kSignature[] = "PGCOPY\n\377\r\n";  // and its terminating NUL
  out.append(kSignature, sizeof kSignature);
  Words w(out);
  w.u32(0);  // flags: no OIDs
  w.u32(0);  // no header extension
}

void append_binary_row_start(std::string& out, uint16_t fields) { Words(out).u16(fields); }

void append_binary_int8(std::string& out, int64_t v) {
  Words w(out);
  w.u32(8);
  w.u64(static_cast<uint64_t>(v));
}

void append_binary_bool(std::string& out, bool v) {
  Words w(out);
  w.u32(1);
  w.u8(v ? 1 : 0);
}

namespace {

// `v` in `col`'s binary form, appended to *out unless out is null; false,
// with nothing appended, when `v` has no exact binary form for `col`.
bool encode_binary(const FerryValue& v, BinaryColumn col, std::string* out) {
  if (col == BinaryColumn::kNone) return false;
  if (v.type == FERRY_TYPE_NULL) {
    if (out) Words(*out).u32(0xFFFFFFFFu);  // -1: NULL
    return true;
  }
  switch (col) {
    case BinaryColumn::kNone: return false;
    case BinaryColumn::kInt2:
      if (v.type != FERRY_TYPE_INT64 || v.as.i64 < INT16_MIN || v.as.i64 > INT16_MAX) return false;
      if (out) {
        Words w(*out);
        w.u32(2);
        w.u16(static_cast<uint16_t>(static_cast<int16_t>(v.as.i64)));
      }
      return true;
    case BinaryColumn::kInt4:
      if (v.type != FERRY_TYPE_INT64 || v.as.i64 < INT32_MIN || v.as.i64 > INT32_MAX) return false;
      if (out) {
        Words w(*out);
        w.u32(4);
        w.u32(static_cast<uint32_t>(static_cast<int32_t>(v.as.i64)));
      }
      return true;
    case BinaryColumn::kInt8:
      if (v.type != FERRY_TYPE_INT64) return false;
      if (out) append_binary_int8(*out, v.as.i64);
      return true;
    case BinaryColumn::kFloat8: {
      if (v.type != FERRY_TYPE_DOUBLE) return false;
      if (out) {
        uint64_t bits;
        std::memcpy(&bits, &v.as.f64, sizeof bits);
        Words w(*out);
        w.u32(8);
        w.u64(bits);
      }
      return true;
    }
    case BinaryColumn::kBool:
      if (v.type != FERRY_TYPE_BOOL) return false;
      if (out) append_binary_bool(*out, v.as.boolean != 0);
      return true;
    case BinaryColumn::kTimestamp:
    case BinaryColumn::kTimestampTz: {
      int64_t micros = v.as.i64;
      if (v.type == FERRY_TYPE_STRING) {
        if (!parse_timestamp_text(text_of(v), col, &micros)) return false;
      } else if (v.type != FERRY_TYPE_TIMESTAMP || v.as.i64 < kPgMinTimestampUnixMicros) {
        return false;
      }
      if (out) append_binary_int8(*out, micros - kPgEpochMicros);
      return true;
    }
    case BinaryColumn::kText:
    case BinaryColumn::kJson:
    case BinaryColumn::kJsonb:
      // The text form is the binary form; the server validates it alike.
      if (v.type != FERRY_TYPE_STRING && v.type != FERRY_TYPE_JSON &&
          !(col == BinaryColumn::kText && v.type == FERRY_TYPE_DECIMAL))
        return false;
      if (!out) return true;
      {
        Words w(*out);
        if (col == BinaryColumn::kJsonb) {
          w.u32(static_cast<uint32_t>(v.as.bytes.size + 1));
          w.u8(1);  // jsonb's binary format version
        } else {
          w.u32(static_cast<uint32_t>(v.as.bytes.size));
        }
      }
      out->append(text_of(v));
      return true;
    case BinaryColumn::kBytea:
      if (v.type != FERRY_TYPE_BYTES) return false;
      if (out) {
        Words(*out).u32(static_cast<uint32_t>(v.as.bytes.size));
        out->append(text_of(v));
      }
      return true;
    case BinaryColumn::kNumeric: {
      // A string in plain decimal form too: numeric's text input reads
      // exactly these digits and scale, nothing else.
      if (v.type != FERRY_TYPE_DECIMAL && v.type != FERRY_TYPE_STRING) return false;
      NumericWire w{kNumericPos, 0, 0, digit_scratch()};
      if (!parse_numeric(text_of(v), &w)) return false;
      if (out) {
        Words words(*out);
        words.u32(static_cast<uint32_t>(8 + 2 * w.digits.size()));
        words.u16(static_cast<uint16_t>(w.digits.size()));
        words.u16(static_cast<uint16_t>(static_cast<int16_t>(w.weight)));
        words.u16(w.sign);
        words.u16(w.dscale);
        for (uint16_t d : w.digits) words.u16(d);
      }
      return true;
    }
  }
  return false;
}

}  // namespace

bool binary_fits(const FerryValue& v, BinaryColumn col) { return encode_binary(v, col, nullptr); }

bool append_binary_value(std::string& out, const FerryValue& v, BinaryColumn col) {
  return encode_binary(v, col, &out);
}

void append_binary_trailer(std::string& out) { Words(out).u16(0xFFFF); }

}  // namespace ferry_pg
