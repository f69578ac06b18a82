// A schema's identity: a short, stable fingerprint of its field names and
// types (order matters), recorded with every checkpoint so a change of the
// source's schema is seen, counted and stored with where it began.
#pragma once

#include <cstdio>
#include <string>

#include <ferry/plugin.h>

#include "engine/record_json.h"

namespace ferry::core {

inline std::string schema_fingerprint(const FerrySchema& schema) {
  uint64_t h = 1469598103934665603ull;  // FNV-1a, 64 bit
  auto mix = [&](const char* p, size_t n) {
    for (size_t i = 0; i < n; ++i) {
      h ^= static_cast<unsigned char>(p[i]);
      h *= 1099511628211ull;
    }
  };
  for (size_t f = 0; f < schema.n_fields; ++f) {
    const FerryField& field = schema.fields[f];
    mix(field.name.data, field.name.size);
    const char* t = type_name(field.type);
    mix(":", 1);
    mix(t, std::char_traits<char>::length(t));
    mix(";", 1);
  }
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

inline std::string schema_json(const FerrySchema& schema) {
  std::string out = "[";
  for (size_t f = 0; f < schema.n_fields; ++f) {
    if (f) out += ",";
    std::string name(schema.fields[f].name.data ? schema.fields[f].name.data : "", schema.fields[f].name.size);
    std::string escaped;
    for (char c : name) {
      if (c == '"' || c == '\\') escaped += '\\';
      escaped += c;
    }
    out += "{\"name\":\"" + escaped + "\",\"type\":\"" + type_name(schema.fields[f].type) + "\"}";
  }
  return out + "]";
}

}  // namespace ferry::core
