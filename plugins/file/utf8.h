// UTF-8 validation shared by the file plugin's parsers and its sink.
#ifndef FERRY_PLUGINS_FILE_UTF8_H_
#define FERRY_PLUGINS_FILE_UTF8_H_

#include <cstddef>
#include <string_view>

#include <ferry/json_text.hpp>

namespace ferry_file {

// True when `s` is well-formed UTF-8 (RFC 3629: no overlongs, no surrogates,
// nothing above U+10FFFF) (SDK).
using ferry::is_valid_utf8;

// Length of the well-formed UTF-8 sequence starting at s[i], or 0 (SDK).
using ferry::utf8_sequence_length;

}  // namespace ferry_file

#endif  // FERRY_PLUGINS_FILE_UTF8_H_
