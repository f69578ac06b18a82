#include "gtid.h"

#include <charconv>

namespace ferry_maria_cdc {
namespace {

template <typename T>
bool number(std::string_view s, T* out) {
  if (s.empty()) return false;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && end == s.data() + s.size();
}

}  // namespace

std::optional<GtidState> GtidState::parse(std::string_view text) {
  GtidState state;
  while (!text.empty()) {
    const size_t comma = text.find(',');
    std::string_view one = text.substr(0, comma);
    text = comma == std::string_view::npos ? std::string_view() : text.substr(comma + 1);
    while (!one.empty() && (one.front() == ' ' || one.front() == '\n')) one.remove_prefix(1);
    const size_t a = one.find('-');
    const size_t b = a == std::string_view::npos ? a : one.find('-', a + 1);
    Gtid g;
    if (b == std::string_view::npos || !number(one.substr(0, a), &g.domain) ||
        !number(one.substr(a + 1, b - a - 1), &g.server) || !number(one.substr(b + 1), &g.sequence) ||
        state.domains_.count(g.domain) != 0)
      return std::nullopt;
    state.domains_[g.domain] = g;
  }
  return state;
}

std::string GtidState::text() const {
  std::string out;
  for (const auto& [domain, g] : domains_)
    out += (out.empty() ? "" : ",") + std::to_string(g.domain) + "-" + std::to_string(g.server) + "-" +
           std::to_string(g.sequence);
  return out;
}

bool GtidState::covers(const GtidState& other) const {
  for (const auto& [domain, g] : other.domains_) {
    const auto here = domains_.find(domain);
    if (here == domains_.end() || here->second.sequence < g.sequence) return false;
  }
  return true;
}

}  // namespace ferry_maria_cdc
