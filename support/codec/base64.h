// Base64 (RFC 4648, standard alphabet, with padding) for every part of Ferry
// that stores or sends bytes as text: BYTES values in JSON, S3 checksums,
// Elasticsearch API keys.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace ferry::support {

std::string base64_encode(std::string_view bytes);
void append_base64(std::string& out, std::string_view bytes);

// nullopt when `text` is not base64: a character outside the alphabet, a
// length that is not a multiple of four, padding anywhere but the end, or
// bits left over by the padding that are not zero.
// Decoding never guesses, so a damaged value is reported, not changed.
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace ferry::support
