#include "value_text.h"

#include <charconv>
#include <cmath>

#include "text_codec.h"
#include "time/timestamp_text.h"

namespace ferry_s3 {
void append_int(std::string& out, int64_t v) {
  char buf[24];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, r.ptr);
}

void append_double(std::string& out, double v, std::string_view nonfinite) {
  if (!std::isfinite(v)) {
    out += nonfinite;
    return;
  }
  char buf[32];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, r.ptr);
}

void append_timestamp(std::string& out, int64_t micros) { ferry::support::append_iso_timestamp(out, micros); }

}  // namespace ferry_s3
