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

void add_value(std::vector<std::string>& out, std::string_view value) {
  while (!value.empty() && is_space(value.back())) value.remove_suffix(1);
  if (value.empty()) return;
  out.emplace_back(value);
  // Each word too: libpq reads "password=two words" as "two" and a
  // keyword "words" it then quotes.
  size_t i = 0;
  while (i < value.size()) {
    while (i < value.size() && is_space(value[i])) ++i;
    size_t end = i;
    while (end < value.size() && !is_space(value[end])) ++end;
    if (end > i && end - i < value.size()) out.emplace_back(value.substr(i, end - i));
    i = end;
  }
}

// The password of scheme://user:password@host as its writer meant it: up
// to the authority's last '@', even past a '/' libpq stops at.
void add_uri_password(std::vector<std::string>& out, std::string_view dsn) {
  if (!starts_with_ci(dsn, "postgresql://") && !starts_with_ci(dsn, "postgres://")) return;
  const size_t begin = dsn.find("://") + 3;
  size_t end = begin;
  while (end < dsn.size() && !is_space(dsn[end]) && dsn[end] != '?') ++end;
  const std::string_view span = dsn.substr(begin, end - begin);
  const size_t at = span.rfind('@');
  if (at == std::string_view::npos) return;
  const std::string_view userinfo = span.substr(0, at);
  const size_t colon = userinfo.find(':');
  if (colon == std::string_view::npos) return;
  const std::string_view password = userinfo.substr(colon + 1);
  add_value(out, password);
  const std::string decoded = ferry::redact_detail::percent_decoded(password);
  if (decoded != password) add_value(out, decoded);
  // libpq cuts the authority at the first '/' (what follows shows as the
  // database) and the userinfo at the first '@' (what follows shows as the
  // host): each side of either is a secret on its own.
  for (size_t cut = password.find_first_of("/@"); cut != std::string_view::npos;
       cut = password.find_first_of("/@", cut + 1)) {
    add_value(out, password.substr(0, cut));
    add_value(out, password.substr(cut + 1));
  }
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
    if (j < dsn.size() && dsn[j] == '\'') {
      std::string value;
      for (++j; j < dsn.size() && dsn[j] != '\''; ++j) {
        if (dsn[j] == '\\' && j + 1 < dsn.size()) ++j;
        value += dsn[j];
      }
      add_value(out, value);
      continue;
    }
    // Unquoted: up to the next "keyword =" (a space in a password is
    // the writer's intent, even if libpq reads it otherwise), or '&'.
    size_t end = j;
    while (end < dsn.size() && dsn[end] != '&') {
      if (is_space(dsn[end])) {
        size_t k = end;
        while (k < dsn.size() && is_space(dsn[k])) ++k;
        size_t word = k;
        while (word < dsn.size() && is_key_char(dsn[word])) ++word;
        size_t eq = word;
        while (eq < dsn.size() && is_space(dsn[eq])) ++eq;
        if (word > k && eq < dsn.size() && dsn[eq] == '=') break;
      }
      ++end;
    }
    add_value(out, dsn.substr(j, end - j));
    add_value(out, ferry::redact_detail::percent_decoded(dsn.substr(j, end - j)));
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

std::string mask_secret_fragments(std::string_view message, const std::vector<std::string>& secrets) {
  auto secret_part = [&](std::string_view fragment) {
    if (fragment.empty() || is_keyword(fragment)) return false;
    for (const std::string& s : secrets)
      if (contains(s, fragment)) return true;
    return false;
  };
  std::string out;
  size_t i = 0;
  while (i < message.size()) {
    const size_t open = message.find('"', i);
    if (open == std::string_view::npos) break;
    const size_t close = message.find('"', open + 1);
    if (close == std::string_view::npos) break;
    const std::string_view fragment = message.substr(open + 1, close - open - 1);
    out.append(message.substr(i, open + 1 - i));
    out.append(secret_part(fragment) ? std::string_view("***") : fragment);
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
