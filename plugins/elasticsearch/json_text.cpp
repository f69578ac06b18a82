#include "json_text.h"

#include <array>
#include <charconv>
#include <cmath>

#include "time/timestamp_text.h"

namespace ferry_es {
namespace {

// 1 for bytes that may be copied into a JSON string as they are.
constexpr std::array<bool, 256> make_plain() {
  std::array<bool, 256> t{};
  for (int c = 0x20; c < 0x80; ++c) t[c] = c != '"' && c != '\\';
  return t;
}
constexpr std::array<bool, 256> kPlain = make_plain();

void append_escape(std::string& out, unsigned char c) {
  switch (c) {
    case '"':
      out += "\\\"";
      return;
    case '\\':
      out += "\\\\";
      return;
    case '\n':
      out += "\\n";
      return;
    case '\r':
      out += "\\r";
      return;
    case '\t':
      out += "\\t";
      return;
    default: {
      static constexpr char kHex[] = "0123456789abcdef";
      const char u[6] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 15]};
      out.append(u, 6);
    }
  }
}

}  // namespace

bool append_json_string(std::string& out, std::string_view s) {
  out += '"';
  size_t run = 0;  // start of the pending run of plain bytes
  for (size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (kPlain[c]) {
      ++i;
      continue;
    }
    if (c >= 0x80) {
      const size_t n = ferry::utf8_sequence_length(s, i);
      if (n == 0) return false;
      i += n;  // valid multi-byte text is copied as it is
      continue;
    }
    out.append(s.data() + run, i - run);
    append_escape(out, c);
    run = ++i;
  }
  out.append(s.data() + run, s.size() - run);
  out += '"';
  return true;
}

void append_json_double(std::string& out, double v) {
  if (!std::isfinite(v)) {
    out += "null";
    return;
  }
  // Plain digits where JavaScript would print them too (1e-7 <= |v| < 1e21),
  // exponent notation beyond. An integral value keeps a ".0": printed as "1"
  // it would make Elasticsearch's dynamic mapping type the field `long` if it
  // came first, and later fractions would then be coerced to integers.
  const double mag = std::fabs(v);
  const bool plain = mag == 0 || (mag >= 1e-7 && mag < 1e21);
  char buf[400];
  const auto r = plain ? std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed)
                       : std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, r.ptr);
  if (std::string_view(buf, static_cast<size_t>(r.ptr - buf)).find_first_of(".e") == std::string_view::npos)
    out += ".0";
}

void append_json_int(std::string& out, int64_t v) {
  char buf[24];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, r.ptr);
}

void append_iso8601_micros(std::string& out, int64_t micros) {
  char text[ferry::support::kTimestampTextMax];
  text[0] = '"';
  size_t n = 1 + ferry::support::put_iso_timestamp(text + 1, micros);
  text[n++] = '"';
  out.append(text, n);
}

}  // namespace ferry_es
