// What state_backend.h declares beyond the interfaces: reading a row's cells.
#include "state/state_backend.h"

#include <charconv>

#include "common/error.h"

namespace ferry::core::state_sql {

std::string Rows::text(int row, int col) const {
  const Cell& c = at(row, col);
  if (const auto* s = std::get_if<std::string>(&c)) return *s;
  if (const auto* i = std::get_if<int64_t>(&c)) return std::to_string(*i);
  return {};
}

int64_t Rows::integer(int row, int col) const {
  const Cell& c = at(row, col);
  if (const auto* i = std::get_if<int64_t>(&c)) return *i;
  const auto* s = std::get_if<std::string>(&c);
  if (!s) return 0;
  int64_t v = 0;
  const auto [end, ec] = std::from_chars(s->data(), s->data() + s->size(), v);
  if (ec != std::errc() || end != s->data() + s->size())
    throw Error("state store: '" + *s + "' read where a whole number was expected");
  return v;
}

}  // namespace ferry::core::state_sql
