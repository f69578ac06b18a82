#include "common/position_text.h"

#include <algorithm>

#include <codec/hex.h>

namespace ferry::core {

std::string printable_position(std::string_view position) {
  const bool printable = std::none_of(position.begin(), position.end(), [](char ch) {
    const auto c = static_cast<unsigned char>(ch);
    return c < 0x20 || c == 0x7f;
  });
  if (printable) return std::string(position);
  std::string out = "0x";
  support::append_hex(out, position);
  return out;
}

}  // namespace ferry::core
