#include "source_table.h"

#include <algorithm>
#include <cstdlib>
#include <string_view>

namespace ferry_pg_cdc {

SourceTable read_source_table(PgLink& link, const std::string& table) {
  SourceTable t;
  Result r = link.query(
      "SELECT c.oid, n.nspname, c.relname, c.relreplident FROM pg_class c "
      "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = to_regclass($1)",
      "looking up table '" + table + "'", {table});
  if (PQntuples(r.get()) != 1)
    throw ferry::Error(FERRY_ERROR_CONFIG, "postgres-cdc: table '" + table + "' does not exist (or is not visible)");
  t.oid = static_cast<uint32_t>(std::strtoul(PQgetvalue(r.get(), 0, 0), nullptr, 10));
  t.schema = PQgetvalue(r.get(), 0, 1);
  t.name = PQgetvalue(r.get(), 0, 2);
  t.replica_identity = PQgetvalue(r.get(), 0, 3)[0];
  t.quoted = link.quote_ident(t.schema) + "." + link.quote_ident(t.name);

  Result cols = link.query(
      "SELECT a.attname, a.atttypid, format_type(a.atttypid, a.atttypmod), "
      "       array_position(i.indkey::int2[], a.attnum) "
      "FROM pg_attribute a LEFT JOIN pg_index i ON i.indrelid = a.attrelid AND i.indisprimary "
      "WHERE a.attrelid = $1 AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = '' "
      "ORDER BY a.attnum",
      "reading the columns of " + t.quoted, {std::to_string(t.oid)});
  std::vector<std::pair<int, std::string>> key;
  for (int row = 0; row < PQntuples(cols.get()); ++row) {
    TableColumn c;
    c.name = PQgetvalue(cols.get(), row, 0);
    c.type_oid = static_cast<uint32_t>(std::strtoul(PQgetvalue(cols.get(), row, 1), nullptr, 10));
    c.type_sql = PQgetvalue(cols.get(), row, 2);
    if (!PQgetisnull(cols.get(), row, 3)) key.emplace_back(std::atoi(PQgetvalue(cols.get(), row, 3)), c.name);
    t.columns.push_back(std::move(c));
  }
  std::sort(key.begin(), key.end());
  for (auto& [at, name] : key) t.key.push_back(std::move(name));
  if (t.key.empty())
    throw ferry::Error(FERRY_ERROR_CONFIG, "postgres-cdc: table " + t.quoted +
                                               " has no primary key; changes are applied by key, so it needs one");
  // Deletes and key changes carry the replica identity's columns: they must
  // hold the primary key, or a delete would name no row.
  if (t.replica_identity == 'n')
    throw ferry::Error(FERRY_ERROR_CONFIG, "postgres-cdc: table " + t.quoted +
                                               " has REPLICA IDENTITY NOTHING, so its deletes name no row; "
                                               "ALTER TABLE ... REPLICA IDENTITY DEFAULT (or FULL)");
  if (t.replica_identity == 'i') {
    Result same = link.query(
        "SELECT (SELECT indkey::int2[] FROM pg_index WHERE indrelid = $1 AND indisreplident) = "
        "(SELECT indkey::int2[] FROM pg_index WHERE indrelid = $1 AND indisprimary)",
        "reading the replica identity of " + t.quoted, {std::to_string(t.oid)});
    if (std::string_view(PQgetvalue(same.get(), 0, 0)) != "t")
      throw ferry::Error(FERRY_ERROR_CONFIG, "postgres-cdc: the replica identity index of " + t.quoted +
                                                 " is not its primary key, so deletes would not name the row by "
                                                 "key; ALTER TABLE ... REPLICA IDENTITY DEFAULT (or FULL)");
  }
  return t;
}

}  // namespace ferry_pg_cdc
