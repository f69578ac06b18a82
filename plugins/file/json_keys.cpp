#include "json_keys.h"

#include <cstring>

namespace ferry_file {

size_t keys_in_text(std::string_view json) {
  size_t keys = 0;
  const char* p = json.data();
  const char* const end = p + json.size();
  while (true) {
    p = static_cast<const char*>(std::memchr(p, '"', static_cast<size_t>(end - p)));
    if (p == nullptr) return keys;
    // Inside a string: only an escape or the closing quote matter.
    for (++p; p < end && *p != '"'; ++p)
      if (*p == '\\') ++p;
    if (p >= end) return keys;
    ++p;
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')) ++p;
    if (p < end && *p == ':') ++keys;  // a string followed by a colon is a key
  }
}

size_t members_in(const boost::json::value& v) {
  size_t n = 0;
  if (const boost::json::object* o = v.if_object()) {
    n = o->size();
    for (const boost::json::key_value_pair& kv : *o) n += members_in(kv.value());
  } else if (const boost::json::array* a = v.if_array()) {
    for (const boost::json::value& e : *a) n += members_in(e);
  }
  return n;
}

}  // namespace ferry_file
