// Single FerryValues for tests of code that takes one value at a time.
// Text and bytes point into the caller's string, which must outlive them.
#pragma once

#include <ferry/plugin.h>

#include <cstdint>
#include <string>

namespace ferry::test {

inline FerryValue double_value(double d) {
  FerryValue v{};
  v.type = FERRY_TYPE_DOUBLE;
  v.as.f64 = d;
  return v;
}

inline FerryValue int64_value(int64_t i) {
  FerryValue v{};
  v.type = FERRY_TYPE_INT64;
  v.as.i64 = i;
  return v;
}

inline FerryValue bytes_value(FerryType type, const std::string& s) {
  FerryValue v{};
  v.type = type;
  v.as.bytes.data = s.data();
  v.as.bytes.size = s.size();
  return v;
}

}  // namespace ferry::test
