#include "lsn.h"

#include <charconv>

namespace ferry_pg_cdc {

std::string lsn_text(Lsn lsn) {
  char out[20];
  char* at = std::to_chars(out, out + sizeof out, lsn >> 32, 16).ptr;
  *at++ = '/';
  at = std::to_chars(at, out + sizeof out, lsn & 0xFFFFFFFFu, 16).ptr;
  std::string text(out, at);
  for (char& c : text)
    if (c >= 'a' && c <= 'f') c = static_cast<char>(c - 'a' + 'A');
  return text;
}

std::optional<Lsn> parse_lsn(std::string_view text) {
  const size_t slash = text.find('/');
  if (slash == std::string_view::npos || slash == 0 || slash + 1 == text.size()) return std::nullopt;
  uint64_t hi = 0, lo = 0;
  const char* end = text.data() + slash;
  auto [p1, e1] = std::from_chars(text.data(), end, hi, 16);
  if (e1 != std::errc() || p1 != end || hi > 0xFFFFFFFFu) return std::nullopt;
  end = text.data() + text.size();
  auto [p2, e2] = std::from_chars(text.data() + slash + 1, end, lo, 16);
  if (e2 != std::errc() || p2 != end || lo > 0xFFFFFFFFu) return std::nullopt;
  return (hi << 32) | lo;
}

}  // namespace ferry_pg_cdc
