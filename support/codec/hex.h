// Bytes as lowercase hexadecimal, two digits a byte, for wherever Ferry
// writes bytes as text: positions in JSON, BYTEA values and parameters,
// binary keys in checkpoints, digests, MariaDB literals.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace ferry::support {

std::string hex_encode(std::string_view bytes);
// Appends the hex of `bytes` to `out` (after a prefix such as "\\x").
void append_hex(std::string& out, std::string_view bytes);

// nullopt unless `text` is an even number of hex digits (either case):
// a damaged value is reported, not guessed.
std::optional<std::string> hex_decode(std::string_view text);

}  // namespace ferry::support
