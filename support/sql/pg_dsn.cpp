#include "sql/pg_dsn.h"

#include <ferry/redact.hpp>

#include <algorithm>
#include <cctype>

namespace ferry::support {
namespace {

bool contains(std::string_view s, std::string_view part) { return s.find(part) != std::string_view::npos; }

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

bool is_key_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

bool starts_with_ci(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(s[i])) != prefix[i]) return false;
  return true;
}

// libpq's connection keywords (PQconndefaults of libpq 15, and the URI
// scheme's words): the quoted words of its messages that name, not leak.
constexpr std::string_view kKeywords[] = {
    "host", "hostaddr", "port", "dbname", "user", "password", "passfile", "channel_binding",
    "connect_timeout", "client_encoding", "options", "application_name", "fallback_application_name",
    "keepalives", "keepalives_idle", "keepalives_interval", "keepalives_count", "tcp_user_timeout",
    "replication", "gssencmode", "sslmode", "requiressl", "sslcompression", "sslcert", "sslkey",
    "sslpassword", "sslrootcert", "sslcrl", "sslcrldir", "sslsni", "requirepeer", "ssl_min_protocol_version",
    "ssl_max_protocol_version", "krbsrvname", "gsslib", "service", "target_session_attrs",
    "load_balance_hosts", "postgresql", "postgres", "="};

bool is_keyword(std::string_view word) {
  return std::find(std::begin(kKeywords), std::end(kKeywords), word) != std::end(kKeywords);
}

bool is_uri(std::string_view dsn) {
  return starts_with_ci(dsn, "postgresql://") || starts_with_ci(dsn, "postgres://");
}

void add(std::vector<std::string>& out, std::string_view value) {
  if (!value.empty()) out.emplace_back(value);
}

// The password of scheme://user:password@host as its writer meant it: up
// to the DSN's last '@' (a host, a port or a database never holds one),
// past the '/' or '@' libpq stops at.
void add_uri_password(std::vector<std::string>& out, std::string_view dsn) {
  if (!is_uri(dsn)) return;
  const size_t begin = dsn.find("://") + 3;
  const size_t at = dsn.rfind('@');
  if (at == std::string_view::npos || at < begin) return;
  const std::string_view userinfo = dsn.substr(begin, at - begin);
  const size_t colon = userinfo.find(':');
  if (colon == std::string_view::npos) return;
  const std::string_view password = userinfo.substr(colon + 1);
  add(out, password);
  add(out, ferry::redact_detail::percent_decoded(password));
}

// Where "keyword =" starts at `i` (after blanks, or after '&' in a URI's
// query), for one of libpq's keywords; npos otherwise.
bool keyword_at(std::string_view dsn, size_t i) {
  size_t word = i;
  while (word < dsn.size() && is_key_char(dsn[word])) ++word;
  if (word == i) return false;
  size_t eq = word;
  while (eq < dsn.size() && is_space(dsn[eq])) ++eq;
  return eq < dsn.size() && dsn[eq] == '=' && is_keyword(dsn.substr(i, word - i));
}

// password=value pairs (keyword/value form, or a URI's query parameters).
void add_password_pairs(std::vector<std::string>& out, std::string_view dsn) {
  for (size_t i = 0; i < dsn.size(); ++i) {
    if ((i > 0 && is_key_char(dsn[i - 1])) || !starts_with_ci(dsn.substr(i), "password")) continue;
    size_t j = i + 8;
    while (j < dsn.size() && is_space(dsn[j])) ++j;
    if (j >= dsn.size() || dsn[j] != '=') continue;
    ++j;
    while (j < dsn.size() && is_space(dsn[j])) ++j;
    std::string value;
    if (j < dsn.size() && dsn[j] == '\'') {
      for (++j; j < dsn.size() && dsn[j] != '\''; ++j) {
        if (dsn[j] == '\\' && j + 1 < dsn.size()) ++j;
        value += dsn[j];
      }
      if (j < dsn.size()) ++j;  // the closing quote
    }
    // Unquoted, or what follows a closing quote: up to the next libpq
    // "keyword =" after a blank or '&' (a blank or '&' in a password is its
    // writer's intent, even where libpq reads otherwise).
    const size_t start = j;
    while (j < dsn.size()) {
      if ((is_space(dsn[j]) || dsn[j] == '&')) {
        size_t k = j + 1;
        while (k < dsn.size() && is_space(dsn[k])) ++k;
        if (k >= dsn.size() || keyword_at(dsn, k)) break;
      }
      ++j;
    }
    std::string_view rest = dsn.substr(start, j - start);
    while (!rest.empty() && is_space(rest.back())) rest.remove_suffix(1);
    value += rest;
    add(out, value);
    if (is_uri(dsn)) add(out, ferry::redact_detail::percent_decoded(value));
    i = j > i ? j - 1 : i;
  }
}

}  // namespace

std::vector<std::string> pg_dsn_secrets(std::string_view dsn) {
  std::vector<std::string> out;
  add_uri_password(out, dsn);
  add_password_pairs(out, dsn);
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::string pg_dsn_misread(std::string_view dsn, const PgDsnParts& parsed) {
  if (!is_uri(dsn)) return {};
  const bool port_not_number =
      !parsed.port.empty() && parsed.port.find_first_not_of("0123456789,") != std::string::npos;
  const bool host_with_at = parsed.host.find('@') != std::string::npos;
  const size_t at = parsed.dbname.find('@');
  const bool db_with_host = at != std::string::npos && parsed.dbname.find_first_of(":/", at) != std::string::npos;
  if (!port_not_number && !host_with_at && !db_with_host) return {};
  return "the dsn's password is not read whole: in a URI, write '/' and '@' in a password percent-encoded "
         "(%2F, %40)";
}

std::string mask_quoted_fragments(std::string_view message) {
  std::string out;
  size_t i = 0;
  while (i < message.size()) {
    const size_t open = message.find('"', i);
    if (open == std::string_view::npos) break;
    const size_t close = message.find('"', open + 1);
    if (close == std::string_view::npos) break;
    const std::string_view fragment = message.substr(open + 1, close - open - 1);
    out.append(message.substr(i, open + 1 - i));
    out.append(is_keyword(fragment) ? fragment : std::string_view("***"));
    out += '"';
    i = close + 1;
  }
  out.append(message.substr(std::min(i, message.size())));
  return out;
}

FerryStatus status_of_pg_connect_failure(std::string_view msg) {
  if (contains(msg, "password authentication failed") || contains(msg, "no pg_hba.conf entry") ||
      contains(msg, "password is required") || contains(msg, "no password supplied") ||
      contains(msg, "authentication failed") || (contains(msg, "role \"") && contains(msg, "does not exist")))
    return FERRY_ERROR_AUTH;
  if ((contains(msg, "database \"") && contains(msg, "does not exist")) ||
      contains(msg, "invalid connection option") || contains(msg, "missing \"=\"") || contains(msg, "invalid URI") ||
      contains(msg, "invalid integer value") || contains(msg, "invalid port number") ||
      (contains(msg, "invalid ") && contains(msg, " value")) || contains(msg, "unterminated quoted string") ||
      contains(msg, "could not translate host name"))
    return FERRY_ERROR_CONFIG;
  return FERRY_RETRY;
}

}  // namespace ferry::support
