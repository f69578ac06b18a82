// What a message may say about a libpq connection string (keyword/value or
// URI), for every part of Ferry that opens one (the postgres plugin, the
// PostgreSQL state store, the SQL hooks). A malformed DSN is where secrets
// leak: libpq quotes the fragment it could not read, and reads a password
// with a '/' or a space as a host, a port or another keyword. So these work
// on the text as its writer meant it, not only on what libpq parsed.
#pragma once

#include <ferry/plugin.h>

#include <string>
#include <string_view>
#include <vector>

namespace ferry::support {

// Everything in `dsn` that may be a password or part of one: a URI's
// userinfo password up to the authority's last '@' (also with '/' in it),
// percent-decoded too; a password=value's value up to the next keyword=,
// whole and word by word; a quoted one unquoted. For a SecretScrubber.
std::vector<std::string> pg_dsn_secrets(std::string_view dsn);

// libpq's `message` with every double-quoted fragment masked that is part
// of one of `secrets` (pg_dsn_secrets), however short, unless it is a libpq
// keyword: 'invalid integer value "ab" for connection option "port"', when
// "ab" began a password libpq read as the port, keeps "port" and loses "ab";
// a host name it could not resolve stays.
std::string mask_secret_fragments(std::string_view message, const std::vector<std::string>& secrets);

// libpq reports a failed connection as text only (no SQLSTATE reaches the
// client before the session exists), so the wording decides: AUTH for
// rejected credentials, CONFIG for a DSN that cannot work (malformed, a bad
// value, an unknown database or host name), RETRY for the rest (refused,
// timed out, starting up, shutting down).
FerryStatus status_of_pg_connect_failure(std::string_view message);

}  // namespace ferry::support
