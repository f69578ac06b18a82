// Errors that end a host operation. Expected, per-record failures are values
// (outcomes, DLQ entries); these are for everything that stops a command.
#pragma once

#include <stdexcept>
#include <string>

namespace ferry::core {

class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message) : std::runtime_error(message) {}
};

}  // namespace ferry::core
