// Checks of the numbers the command line takes, with messages that say what
// the number counts. CLI11's NonNegativeNumber lets "nan" through (every
// comparison with NaN is false) and its ranges print the limits of a double.
#pragma once

#include <CLI/CLI.hpp>

#include <cctype>
#include <cmath>
#include <cstdlib>
#include <cstdint>
#include <limits>
#include <string>

namespace ferry::cli {

// A whole number from `min` to `max` (digits only), described as `what`
// ("a whole number of seconds", "an entry id").
inline CLI::Validator whole_number(int64_t min, int64_t max, const std::string& what) {
  const std::string range = max == std::numeric_limits<int64_t>::max()
                                ? std::to_string(min) + " or more"
                                : "from " + std::to_string(min) + " to " + std::to_string(max);
  return CLI::Validator(
      [=](const std::string& text) -> std::string {
        size_t used = 0;
        long long n = min - 1;
        try {
          n = std::stoll(text, &used);
        } catch (const std::exception&) {
        }
        const bool digits = !text.empty() && text.find_first_not_of("0123456789", text[0] == '-' ? 1 : 0) ==
                                                 std::string::npos;
        if (digits && used == text.size() && n >= min && n <= max) return {};
        return "must be " + what + ", " + range + ", got '" + text + "'";
      },
      "INTEGER");
}

// A rate the token bucket can use: finite, 0 or more.
inline CLI::Validator records_per_second() {
  return CLI::Validator(
      [](const std::string& text) -> std::string {
        // strtod, not stod: a rate too small for a normal double (4e-324)
        // is a rate, not an error.
        char* end = nullptr;
        const double rate = text.empty() || std::isspace(static_cast<unsigned char>(text[0])) != 0
                                ? -1
                                : std::strtod(text.c_str(), &end);
        if (end == text.c_str() + text.size() && std::isfinite(rate) && rate >= 0) return {};
        return "must be a number of records per second, 0 or more, got '" + text + "'";
      },
      "RATE");
}

}  // namespace ferry::cli
