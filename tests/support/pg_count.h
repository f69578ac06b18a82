// Rows of a PostgreSQL table, counted over one kept session: what a crash
// test's kill loop polls. A psql process per look takes tens of
// milliseconds on a loaded machine, in which a fast run lands several
// batches past the point it was to die at; a query on an open session
// answers in about one.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "pg/pg_session.h"

namespace ferry::test {

// Counts `table` in the database `dsn` names; 0 while the table (or the
// database) does not exist yet.
inline std::function<int64_t()> pg_row_counter(const std::string& dsn, const std::string& table) {
  auto session = std::make_shared<std::unique_ptr<ferry::support::pg::Session>>();
  return [=]() -> int64_t {
    try {
      if (!*session) {
        ferry::support::pg::SessionOptions o;
        o.label = "row counter";
        *session = std::make_unique<ferry::support::pg::Session>(dsn, o);
      }
      (*session)->ensure_connected();
      return (*session)->exec("SELECT count(*) FROM " + table, "counting")[0][0].as<int64_t>();
    } catch (const ferry::support::pg::Failure&) {
      return 0;
    }
  };
}

}  // namespace ferry::test
