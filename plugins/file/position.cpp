#include "position.h"

#include <charconv>

namespace ferry_file {

std::optional<Position> parse_position(std::string_view text) {
  Position p;
  const char* b = text.data();
  const char* e = b + text.size();
  auto r = std::from_chars(b, e, p.offset);
  if (text.empty() || r.ec != std::errc()) return std::nullopt;
  if (r.ptr == e) return p;
  if (*r.ptr != ':') return std::nullopt;
  uint64_t lines = 0;
  const char* l = r.ptr + 1;
  r = std::from_chars(l, e, lines);
  if (l == e || r.ec != std::errc() || r.ptr != e) return std::nullopt;
  p.lines = lines;
  return p;
}

PositionText::PositionText(uint64_t offset, std::optional<uint64_t> lines) {
  char* end = buf_ + sizeof buf_;
  char* p = std::to_chars(buf_, end, offset).ptr;
  if (lines) {
    *p++ = ':';
    p = std::to_chars(p, end, *lines).ptr;
  }
  len_ = static_cast<size_t>(p - buf_);
}

}  // namespace ferry_file
