#include "pg/libpq_open.h"

#include "sql/pg_dsn.h"

namespace ferry::support::pg {

std::string one_line(std::string_view s) {
  std::string out;
  bool space = false;
  for (char c : s) {
    if (c == '\n' || c == '\r' || c == '\t' || c == ' ') {
      space = true;
      continue;
    }
    if (space && !out.empty()) out += ' ';
    space = false;
    out += c;
  }
  return out;
}

std::string describe_dsn(const std::string& dsn, std::string* password, PgDsnParts* parts) {
  char* err = nullptr;
  PQconninfoOption* opts = PQconninfoParse(dsn.c_str(), &err);
  if (err) PQfreemem(err);
  std::string host, hostaddr, port, db, user;
  if (opts) {
    for (PQconninfoOption* o = opts; o->keyword; ++o) {
      if (!o->val) continue;
      const std::string_view k = o->keyword;
      if (k == "host") host = o->val;
      else if (k == "hostaddr") hostaddr = o->val;
      else if (k == "port") port = o->val;
      else if (k == "dbname") db = o->val;
      else if (k == "user") user = o->val;
      else if (k == "password" && password) *password = o->val;
    }
    PQconninfoFree(opts);
  }
  if (parts) *parts = PgDsnParts{host, port, db};
  if (host.empty()) host = hostaddr.empty() ? "localhost" : hostaddr;
  if (port.empty()) port = "5432";
  std::string out = host + ":" + port;
  if (!db.empty()) out += "/" + db;
  if (!user.empty()) out += " as user \"" + user + "\"";
  return out;
}

std::string LibpqTarget::redact(std::string_view text) const { return scrub(ferry::redact_dsn(text)); }

PGconn* open_libpq(const std::string& dsn, const std::string& who, LibpqTarget& target,
                   const std::vector<std::pair<std::string, std::string>>& defaults,
                   const std::vector<std::pair<std::string, std::string>>& overrides) {
  // What may be a password is known before anything can fail, also in a
  // DSN libpq reads otherwise than its writer meant.
  for (const std::string& s : pg_dsn_secrets(dsn)) target.scrub.add(s);
  // A malformed DSN is a configuration error, whose message keeps none of
  // the fragments libpq quotes from it; so is one whose password libpq
  // would read only in part (the rest would show as a host or a database).
  char* parse_error = nullptr;
  PQconninfoOption* parsed = PQconninfoParse(dsn.c_str(), &parse_error);
  if (parsed == nullptr) {
    const std::string detail = parse_error ? mask_quoted_fragments(one_line(parse_error)) : "out of memory";
    if (parse_error) PQfreemem(parse_error);
    throw ferry::Error(FERRY_ERROR_CONFIG, target.redact(who + ": not a valid connection string: " + detail));
  }
  PQconninfoFree(parsed);
  std::string password;
  PgDsnParts parts;
  target.endpoint = describe_dsn(dsn, &password, &parts);
  target.scrub.add(password);
  const std::string misread = pg_dsn_misread(dsn, parts);
  if (!misread.empty()) throw ferry::Error(FERRY_ERROR_CONFIG, who + ": " + misread);
  target.endpoint = target.redact(target.endpoint);

  std::vector<const char*> keys, values;
  for (const auto& [k, v] : defaults) keys.push_back(k.c_str()), values.push_back(v.c_str());
  keys.push_back("dbname");
  values.push_back(dsn.c_str());
  for (const auto& [k, v] : overrides) keys.push_back(k.c_str()), values.push_back(v.c_str());
  keys.push_back(nullptr);
  values.push_back(nullptr);
  PGconn* conn = PQconnectdbParams(keys.data(), values.data(), 1);
  if (conn == nullptr) throw ferry::Error(FERRY_ERROR_INTERNAL, who + ": out of memory");
  if (PQstatus(conn) != CONNECTION_OK) {
    const std::string detail = one_line(PQerrorMessage(conn));
    PQfinish(conn);
    const FerryStatus status = status_of_pg_connect_failure(detail);
    throw ferry::Error(status, target.redact(who + ": cannot connect (" + target.endpoint + "): " + detail),
                       status == FERRY_RETRY ? 500 : 0);
  }
  return conn;
}

}  // namespace ferry::support::pg
