// Bytes as lowercase hexadecimal, two digits a byte: opaque positions in
// JSON, BYTEA parameters, binary key values in checkpoints.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace ferry::support {

std::string hex_encode(std::string_view bytes);
void append_hex(std::string& out, std::string_view bytes);

// nullopt unless `text` is an even number of hex digits (either case):
// a damaged value is reported, not guessed.
std::optional<std::string> hex_decode(std::string_view text);

}  // namespace ferry::support
