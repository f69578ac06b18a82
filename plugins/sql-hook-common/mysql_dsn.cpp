#include "mysql_dsn.h"

#include <ferry/plugin.hpp>

#include <charconv>
#include <optional>

#include "codec/percent.h"

namespace ferry_sql_hooks {
namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// "scheme://..." (letters before "://"), as opposed to key=value pairs whose
// values may hold "://" themselves.
bool has_scheme(std::string_view s) {
  size_t i = 0;
  while (i < s.size() && ((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z'))) ++i;
  return i > 0 && s.substr(i, 3) == "://";
}

class Parser {
 public:
  explicit Parser(const std::string& label) : label_(label) {}

  [[noreturn]] void fail(const std::string& why) const {
    throw ferry::Error(FERRY_ERROR_CONFIG,
                       label_ + ": option 'dsn' is not a valid mysql connection string: " + why);
  }

  std::string decode(std::string_view s, std::string_view part) const {
    std::optional<std::string> out = ferry::support::percent_decode(s);
    if (!out) fail("bad percent-encoding in the " + std::string(part));
    return std::move(*out);
  }

  int number(std::string_view v, std::string_view key, int lo, int hi) const {
    int n = 0;
    const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
    if (ec != std::errc() || end != v.data() + v.size() || n < lo || n > hi)
      fail(std::string(key) + " must be an integer between " + std::to_string(lo) + " and " +
           std::to_string(hi));
    return n;
  }

  void set(MysqlDsn& d, std::string_view key, std::string value) const {
    if (key == "host") {
      d.host = std::move(value);
    } else if (key == "port") {
      d.port = number(value, key, 1, 65535);
    } else if (key == "socket") {
      d.socket = std::move(value);
    } else if (key == "user") {
      d.user = std::move(value);
    } else if (key == "password") {
      d.password = std::move(value);
    } else if (key == "database") {
      d.database = std::move(value);
    } else if (key == "connect_timeout") {
      d.connect_timeout_s = number(value, key, 1, 3600);
    } else {
      // Names only the key: a mistyped "password" must not echo its value.
      fail("unknown key '" + std::string(key) +
           "' (known: host, port, socket, user, password, database, connect_timeout)");
    }
  }

  void keywords(MysqlDsn& d, std::string_view s) const {
    size_t i = 0;
    while (true) {
      while (i < s.size() && is_space(s[i])) ++i;
      if (i == s.size()) return;
      const size_t key_start = i;
      while (i < s.size() && s[i] != '=' && !is_space(s[i])) ++i;
      const std::string_view key = s.substr(key_start, i - key_start);
      while (i < s.size() && is_space(s[i])) ++i;
      // The stray word is not quoted: it may be the rest of an unquoted
      // password that contains a space.
      if (i == s.size() || s[i] != '=')
        fail("expected key=value at character " + std::to_string(key_start + 1) +
             " (quote values that contain spaces: password='...')");
      ++i;
      while (i < s.size() && is_space(s[i])) ++i;
      std::string value;
      if (i < s.size() && s[i] == '\'') {
        for (++i; i < s.size() && s[i] != '\''; ++i) {
          if (s[i] == '\\' && i + 1 < s.size()) ++i;
          value += s[i];
        }
        if (i == s.size()) fail("unterminated quoted value of '" + std::string(key) + "'");
        ++i;
      } else {
        while (i < s.size() && !is_space(s[i])) value += s[i++];
      }
      set(d, key, std::move(value));
    }
  }

  void uri(MysqlDsn& d, std::string_view s) const {
    s.remove_prefix(s.find("://") + 3);
    // The user info ends at the last '@': a password written without
    // percent-encoding may hold '/', '?' or '@', and must not spill into the
    // host or database, which messages show.
    const size_t at = s.rfind('@');
    if (at != std::string_view::npos) {
      const std::string_view userinfo = s.substr(0, at);
      const size_t colon = userinfo.find(':');
      d.user = decode(userinfo.substr(0, colon), "user");
      if (colon != std::string_view::npos)
        d.password = decode(userinfo.substr(colon + 1), "password");
      s.remove_prefix(at + 1);
    }
    const size_t query_at = s.find('?');
    std::string_view query = query_at == std::string_view::npos ? "" : s.substr(query_at + 1);
    s = s.substr(0, query_at);
    const size_t slash = s.find('/');
    std::string_view authority = s.substr(0, slash);
    if (slash != std::string_view::npos) d.database = decode(s.substr(slash + 1), "database");

    std::string_view host = authority, port;
    if (!authority.empty() && authority.front() == '[') {  // [IPv6]:port
      const size_t close = authority.find(']');
      if (close == std::string_view::npos) fail("unterminated [ in the host");
      host = authority.substr(1, close - 1);
      if (close + 1 < authority.size()) {
        if (authority[close + 1] != ':') fail("expected :port after the host");
        port = authority.substr(close + 2);
      }
    } else if (const size_t colon = authority.rfind(':'); colon != std::string_view::npos) {
      host = authority.substr(0, colon);
      port = authority.substr(colon + 1);
    }
    if (!host.empty()) d.host = decode(host, "host");
    if (!port.empty()) d.port = number(port, "port", 1, 65535);

    while (!query.empty()) {
      const size_t amp = query.find('&');
      const std::string_view pair = query.substr(0, amp);
      query = amp == std::string_view::npos ? "" : query.substr(amp + 1);
      if (pair.empty()) continue;
      const size_t eq = pair.find('=');
      if (eq == std::string_view::npos) fail("expected key=value in the query");
      const std::string key = decode(pair.substr(0, eq), "query");
      set(d, key, decode(pair.substr(eq + 1), "query"));
    }
  }

 private:
  const std::string& label_;
};

}  // namespace


MysqlDsn parse_mysql_dsn(std::string_view dsn, const std::string& label) {
  const Parser p(label);
  MysqlDsn d;
  if (dsn.rfind("mysql://", 0) == 0 || dsn.rfind("mariadb://", 0) == 0) {
    p.uri(d, dsn);
  } else if (has_scheme(dsn)) {
    p.fail("a URI must start with mysql:// or mariadb://");
  } else {
    p.keywords(d, dsn);
  }
  if (d.host.empty() && d.socket.empty()) p.fail("host or socket is required");
  if (d.user.empty()) p.fail("user is required");
  if (d.database.empty()) p.fail("database is required");
  return d;
}

}  // namespace ferry_sql_hooks
