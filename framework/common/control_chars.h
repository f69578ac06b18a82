// Text from outside (a pipeline's names, a server's error, a record's
// value) on its way to a terminal or a log line: control characters are
// written as \xNN, so an ESC cannot drive the terminal and a NUL cannot cut
// a message short where it is read as a C string.
#pragma once

#include <string>
#include <string_view>

namespace ferry::core {

// `text` with every byte below 0x20 but tab, and DEL, as \xNN. Line breaks
// too: a caller that keeps them splits the lines first.
std::string escape_controls(std::string_view text);

}  // namespace ferry::core
