// Positions are opaque bytes. Where a person reads one (command output, the
// admin API's JSON), it is shown as it is when it is printable, and as 0x
// followed by its bytes in hex when it is not.
#pragma once

#include <string>
#include <string_view>

namespace ferry::core {

std::string printable_position(std::string_view position);

}  // namespace ferry::core
