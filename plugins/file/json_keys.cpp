#include "json_keys.h"

namespace ferry_file {

bool repeated_a_key(const boost::json::value& v) {
  if (const boost::json::object* o = v.if_object()) {
    if (o->capacity() != o->size()) return true;
    for (const boost::json::key_value_pair& kv : *o)
      if (repeated_a_key(kv.value())) return true;
  } else if (const boost::json::array* a = v.if_array()) {
    for (const boost::json::value& e : *a)
      if (repeated_a_key(e)) return true;
  }
  return false;
}

}  // namespace ferry_file
