#include "common/json_out.h"

#include <charconv>
#include <cmath>

#include <boost/json/serialize.hpp>

namespace ferry::core {
namespace {

void append(std::string& out, const boost::json::value& v) {
  switch (v.kind()) {
    case boost::json::kind::double_: {
      const double d = v.get_double();
      out += std::isfinite(d) ? number_text(d) : "null";
      return;
    }
    case boost::json::kind::array: {
      out += '[';
      bool first = true;
      for (const auto& item : v.get_array()) {
        if (!first) out += ',';
        first = false;
        append(out, item);
      }
      out += ']';
      return;
    }
    case boost::json::kind::object: {
      out += '{';
      bool first = true;
      for (const auto& member : v.get_object()) {
        if (!first) out += ',';
        first = false;
        out += boost::json::serialize(boost::json::string_view(member.key()));
        out += ':';
        append(out, member.value());
      }
      out += '}';
      return;
    }
    default:
      out += boost::json::serialize(v);  // strings, integers, bools, null
  }
}

}  // namespace

std::string number_text(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[32];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
}

std::string json_text(const boost::json::value& v) {
  std::string out;
  append(out, v);
  return out;
}

}  // namespace ferry::core
