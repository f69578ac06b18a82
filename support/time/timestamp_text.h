// Ferry timestamps (microseconds since 1970 UTC) as calendar text, the
// digits written once for every plugin. Each plugin still chooses its form
// (a database's literal, ISO 8601 with or without fraction, a BC suffix);
// the digits, the year rule and the speed are here. No formatting library:
// this runs for every timestamp of every row a sink writes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "time/civil_time.h"

namespace ferry::support {

// Room for the longest text any function here writes
// ("-292277-01-10T04:00:54.775808Z" and a quote each side).
constexpr size_t kTimestampTextMax = 40;

// ISO 8601's year: four digits for 0000-9999; outside that range its
// expanded form, a sign and at least four digits ("+10000", "-0001"), as
// Elasticsearch (java.time) and the file source read it. Returns the
// characters written.
size_t put_iso_year(char* out, int64_t year);

// What follows the year: "-MM-DD<sep>HH:MM:SS", then ".ffffff" when
// `fraction`. Returns the characters written (15 or 22).
size_t put_date_and_time(char* out, const UtcTime& t, char sep, bool fraction);

// "YYYY-MM-DDTHH:MM:SS.ffffffZ", the year as put_iso_year writes it.
size_t put_iso_timestamp(char* out, int64_t micros);
void append_iso_timestamp(std::string& out, int64_t micros);

// Reads exactly `n` decimal digits at s[*i] (a field of timestamp text:
// "2024", "07"); advances *i past them. False, with *i unchanged, when
// fewer than `n` digits are there.
inline bool read_digits(std::string_view s, size_t* i, size_t n, unsigned* out) {
  if (s.size() < *i || s.size() - *i < n) return false;
  unsigned v = 0;
  for (size_t k = 0; k < n; ++k) {
    const char c = s[*i + k];
    if (c < '0' || c > '9') return false;
    v = v * 10 + static_cast<unsigned>(c - '0');
  }
  *i += n;
  *out = v;
  return true;
}

}  // namespace ferry::support
