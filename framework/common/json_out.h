// JSON and numbers as Ferry prints them to people and to other programs
// (the admin API, `ferry status --json`, `ferry dlq`, /metrics). A double is
// written as the shortest decimal that reads back as the same double:
// 0.25, not 2.5E-1; 1733353203.123, not 1.73335320E9.
#pragma once

#include <string>

#include <boost/json/value.hpp>

namespace ferry::core {

// Shortest round-trip decimal of `v` ("0", "2.5", "1e+21"); non-finite
// values as "NaN", "+Inf", "-Inf" (Prometheus's spelling).
std::string number_text(double v);

// `v` as compact JSON, doubles as number_text (non-finite ones as null).
std::string json_text(const boost::json::value& v);

}  // namespace ferry::core
