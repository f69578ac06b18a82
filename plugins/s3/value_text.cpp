#include "value_text.h"

#include <boost/json/monotonic_resource.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

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

bool append_json_value(std::string& out, std::string_view text) {
  unsigned char buf[4096];
  boost::json::monotonic_resource mr(buf, sizeof buf);
  boost::system::error_code ec;
  const boost::json::value v = boost::json::parse(text, ec, &mr);
  if (ec) return false;
  // A line break inside would split a JSONL line (and cost CSV quoting).
  if (text.find_first_of("\r\n") == std::string_view::npos) out += text;
  else out += boost::json::serialize(v);
  return true;
}

}  // namespace ferry_s3
