// What a message may say about a libpq connection string (keyword/value or
// URI), for every part of Ferry that opens one (the postgres plugin, the
// PostgreSQL state store, the SQL hooks). A malformed DSN is where secrets
// leak: libpq quotes the fragment it could not read, and reads a password
// with a '/', '@', '?' or space as a host, a port, a database or another
// keyword, which messages then show. So a DSN whose password libpq would
// not read whole is refused before it is used, saying how to write it.
#pragma once

#include <ferry/plugin.h>

#include <string>
#include <string_view>
#include <vector>

namespace ferry::support {

// The password of `dsn` as its writer meant it, however libpq reads it: a
// URI's userinfo password up to the last '@' of the DSN (and
// percent-decoded), a password=value's value up to the next libpq
// keyword= (a quoted one unquoted, and what follows its closing quote).
// For a SecretScrubber; empty when the DSN names no password.
std::vector<std::string> pg_dsn_secrets(std::string_view dsn);

// What libpq read from a DSN (PQconninfoParse).
struct PgDsnParts {
  std::string host, port, dbname;
};

// Why libpq would not read the password of a URI `dsn` whole, saying how to
// write it, with no part of the DSN in it; empty when nothing says so. Only
// what cannot be a reading its writer meant counts (libpq read part of the
// password as a port that is not a number, a host with an '@', a database
// with an '@' followed by a host or port): an '@' in a query value or a
// database name, and every keyword/value DSN (where libpq's own parse
// errors say it, masked by mask_quoted_fragments), are left alone.
std::string pg_dsn_misread(std::string_view dsn, const PgDsnParts& parsed);

// libpq's message about a DSN it could not parse, every double-quoted
// fragment masked but libpq's own keywords: 'missing "=" after "***" in
// connection info string'.
std::string mask_quoted_fragments(std::string_view message);

// libpq reports a failed connection as text only (no SQLSTATE reaches the
// client before the session exists), so the wording decides: AUTH for
// rejected credentials, CONFIG for a DSN that cannot work (malformed, a bad
// value, an unknown database or host name), RETRY for the rest (refused,
// timed out, starting up, shutting down).
FerryStatus status_of_pg_connect_failure(std::string_view message);

}  // namespace ferry::support
