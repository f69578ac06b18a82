// Opening a raw libpq connection the way every part of Ferry that needs one
// must: the DSN checked before use (a malformed one, or one whose password
// libpq would read only in part, is a configuration error that quotes none
// of it), its secrets known to a scrubber before anything can fail, the
// failure classified (AUTH, CONFIG, RETRY), and the endpoint named in
// messages without the password.
//
// Raw libpq, not libpqxx (pg_session.h): the postgres plugin streams binary
// COPY and pipelines queries, and the postgres-cdc plugin speaks the
// replication protocol (COPY BOTH); libpqxx 6.4 offers neither.
#pragma once

#include <ferry/plugin.hpp>
#include <ferry/redact.hpp>

#include <libpq-fe.h>

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sql/pg_dsn.h"

namespace ferry::support::pg {

// A libpq result, cleared when it goes out of scope.
struct ResultClear {
  void operator()(PGresult* r) const { PQclear(r); }
};
using Result = std::unique_ptr<PGresult, ResultClear>;

// libpq and the server split messages over lines (ERROR / DETAIL / HINT);
// a log line or an error shown by the host must be one line.
std::string one_line(std::string_view s);

// "host:port/db as user \"u\"" of `dsn`, and (when asked) its password and
// the parts libpq read.
std::string describe_dsn(const std::string& dsn, std::string* password, PgDsnParts* parts);

// What open_libpq learnt before connecting, for messages.
struct LibpqTarget {
  std::string endpoint;         // describe_dsn's text, redacted
  ferry::SecretScrubber scrub;  // the DSN's password, as meant and as libpq reads it
  std::string redact(std::string_view text) const;
};

// Connects. `defaults` go before the DSN, so its own settings win
// (connect_timeout, application_name); `overrides` go after it and win over
// it (what the caller's protocol needs: replication=database). Throws
// ferry::Error with "<who>: " before the message.
PGconn* open_libpq(const std::string& dsn, const std::string& who, LibpqTarget& target,
                   const std::vector<std::pair<std::string, std::string>>& defaults,
                   const std::vector<std::pair<std::string, std::string>>& overrides = {});

}  // namespace ferry::support::pg
