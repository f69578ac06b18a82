// A bundled plugin's options, read from the typed values the host checked
// against the declared FerryOptionSpecs (ABI 1.4): the host already refused
// unknown options, values of another type and missing required ones, so
// what is left here are the rules a declaration cannot say (a range, one of
// some words, distinct names). Every failure is ferry::Error
// (FERRY_ERROR_CONFIG) with "<who>: " before a message naming the option.
#pragma once

#include <boost/json/value.hpp>

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace ferry {
class Context;
}

namespace ferry::support {

class OptionReader {
 public:
  // `who` starts every message ("postgres sink"). Refuses a host that hands
  // over no typed options (older than ABI 1.4) rather than run on defaults.
  OptionReader(const ferry::Context& ctx, std::string who);

  [[noreturn]] void fail(const std::string& message) const;

  // Given in the configuration, or declared with a default.
  bool has(const char* name) const;
  std::string string(const char* name, std::string fallback = {}) const;
  // A string that may not be empty when given.
  std::string text(const char* name, std::string fallback = {}) const;
  int64_t integer(const char* name, int64_t fallback, int64_t min, int64_t max) const;
  std::optional<int64_t> optional_integer(const char* name, int64_t min, int64_t max) const;
  bool boolean(const char* name, bool fallback) const;
  // Distinct non-empty names: an array of strings, or (where the option is
  // declared "any") one string. Empty when absent.
  std::vector<std::string> names(const char* name, const char* what = "column") const;
  // An array, object or any-typed option, parsed; null when absent.
  boost::json::value json(const char* name) const;

  // One of `words`, each with its value; `fallback` when absent.
  template <typename T>
  T choice(const char* name, std::initializer_list<std::pair<const char*, T>> words, T fallback) const {
    if (!has(name)) return fallback;
    const std::string given = string(name);
    std::vector<const char*> listed;
    for (const auto& [word, value] : words) {
      if (given == word) return value;
      listed.push_back(word);
    }
    fail(one_of(name, listed, given));
  }

 private:
  static std::string one_of(const char* name, const std::vector<const char*>& words, const std::string& given);

  const ferry::Context& ctx_;
  std::string who_;
};

}  // namespace ferry::support
