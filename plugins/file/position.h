// The file source's position token: "<offset>:<lines>" — the byte offset
// just after the last consumed record and the number of lines before that
// offset (so that errors can name 1-based line numbers after a resume).
// A bare "<offset>" is accepted too; lines are then unknown.
#ifndef FERRY_PLUGINS_FILE_POSITION_H_
#define FERRY_PLUGINS_FILE_POSITION_H_

#include <cstdint>
#include <optional>
#include <string_view>

namespace ferry_file {

struct Position {
  uint64_t offset = 0;
  std::optional<uint64_t> lines;
};

std::optional<Position> parse_position(std::string_view text);

// Formats without allocating (one per row).
class PositionText {
 public:
  PositionText(uint64_t offset, std::optional<uint64_t> lines);
  std::string_view view() const { return std::string_view(buf_, len_); }

 private:
  char buf_[48];
  size_t len_ = 0;
};

}  // namespace ferry_file

#endif  // FERRY_PLUGINS_FILE_POSITION_H_
