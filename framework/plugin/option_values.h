// The declared options of one kind with their values from a configuration
// the host has checked (types, required options, defaults filled in), as
// FerryOpenArgs.options hands them to a plugin (ABI 1.4): typed, so a
// plugin in C never parses JSON.
#pragma once

#include <deque>
#include <string>
#include <string_view>
#include <vector>

#include <ferry/plugin.h>

namespace ferry::core {

class OptionValues {
 public:
  // No spec (a kind without options): no values.
  OptionValues(const FerryKindSpec* spec, std::string_view config_json);
  OptionValues(const OptionValues&) = delete;  // the values point into texts_
  OptionValues& operator=(const OptionValues&) = delete;

  const FerryOptionValue* data() const { return values_.empty() ? nullptr : values_.data(); }
  size_t size() const { return values_.size(); }
  // Sets args.options and args.n_options.
  void fill(FerryOpenArgs& args) const {
    args.options = data();
    args.n_options = size();
  }

 private:
  FerryBytes keep(std::string text);

  std::deque<std::string> texts_;  // stable addresses as it grows
  std::vector<FerryOptionValue> values_;
};

}  // namespace ferry::core
