// Scrubs secrets out of text before it reaches a log line or an error.
//
// Deliberately free of libpq and the SDK so it can be unit tested alone.
#ifndef FERRY_PLUGINS_POSTGRES_REDACT_H_
#define FERRY_PLUGINS_POSTGRES_REDACT_H_

#include <string>
#include <string_view>

namespace ferry_pg {

// Replaces the value of every `password=...` (keyword/value conninfo, quoted
// or not, and URI query parameters) and the password of URI userinfo
// (`postgresql://user:secret@host`) with "***".
std::string redact_dsn(std::string_view text);

// redact_dsn, and also every literal occurrence of `secret` (when it is at
// least 4 characters: shorter ones would mangle ordinary words and are not
// worth protecting this way).
std::string redact(std::string_view text, std::string_view secret);

}  // namespace ferry_pg

#endif  // FERRY_PLUGINS_POSTGRES_REDACT_H_
