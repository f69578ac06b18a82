#include "target_table.h"

#include <ferry/plugin.hpp>

#include <cstdlib>

namespace ferry_pg {

const char* pg_type_for(FerryType type) {
  switch (type) {
    case FERRY_TYPE_INT64: return "bigint";
    case FERRY_TYPE_DOUBLE: return "double precision";
    case FERRY_TYPE_BOOL: return "boolean";
    case FERRY_TYPE_BYTES: return "bytea";
    case FERRY_TYPE_TIMESTAMP: return "timestamptz";
    case FERRY_TYPE_JSON: return "jsonb";
    case FERRY_TYPE_DECIMAL: return "numeric";
    default: return "text";  // STRING, and an all-NULL key field
  }
}

namespace {

// The type modifier of timestamp(p), timestamptz(p), time(p), timetz(p) is
// p (-1: all six digits); of varchar(n) it is n + 4 (-1: no limit); of
// numeric(p,s) it is (p << 16 | s) + 4, s an 11-bit signed number.
ferry::support::ColumnLimits limits_of(unsigned oid, long typmod) {
  ferry::support::ColumnLimits l;
  if (oid == 1082) l.date_only = true;  // date
  if (oid == 1114 || oid == 1083) l.zone_ignored = true;  // timestamp, time: text's zone is dropped
  if (oid == 700) l.single_float = true;                  // real
  if (oid == 701) l.double_float = true;                  // double precision
  if (oid == 1083 || oid == 1266) l.time_only = true;     // time, timetz: a timestamp's date is dropped
  if (oid == 3802) l.unique_keys = true;                  // jsonb: keeps the last value of a repeated key
  // Without a precision these keep microseconds, and round digits beyond.
  if (oid == 1114 || oid == 1184 || oid == 1083 || oid == 1266) l.fraction_digits = 6;
  if (typmod < 0) return l;
  switch (oid) {
    case 1700: {  // numeric
      const long scale = (((typmod - 4) & 0x7ff) ^ 1024) - 1024;
      l.scale = static_cast<int>(scale);  // negative: rounded to tens, hundreds, ...
      break;
    }
    case 1114:  // timestamp
    case 1184:  // timestamptz
    case 1083:  // time
    case 1266:  // timetz
      if (typmod <= 6) l.fraction_digits = static_cast<int>(typmod);
      break;
    case 1043:  // varchar
      l.max_chars = typmod - 4;
      break;
    default:
      break;
  }
  return l;
}

}  // namespace

void TargetTable::load(Connection& c) {
  Params p;
  p.add_text(quoted_);
  p.prepared = true;  // read again in every transaction that COPYs in binary
  // to_regclass: NULL instead of an error when the table does not exist.
  Result r = c.exec(
      "SELECT a.attname, t.typcategory, a.atttypid::int8, a.atttypmod, b.oid::int8, b.typmod "
      "FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid "
      // A domain's limits are its base type's (a domain over varchar(5)),
      // through domains over domains: the first modifier on the way down.
      "CROSS JOIN LATERAL (WITH RECURSIVE d(oid, typmod, depth) AS ("
      "SELECT a.atttypid, a.atttypmod, 0 UNION ALL "
      "SELECT bt.typbasetype, CASE WHEN d.typmod = -1 THEN bt.typtypmod ELSE d.typmod END, d.depth + 1 "
      "FROM d JOIN pg_type bt ON bt.oid = d.oid WHERE bt.typtype = 'd' AND d.depth < 16) "
      "SELECT oid, typmod FROM d ORDER BY depth DESC LIMIT 1) b "
      "WHERE a.attrelid = to_regclass($1) AND a.attnum > 0 AND NOT a.attisdropped",
      p, "reading the columns of table " + quoted_);
  columns_.clear();
  for (int i = 0; i < PQntuples(r.get()); ++i) {
    Column col{PQgetvalue(r.get(), i, 1)[0] == 'A',
               static_cast<unsigned>(std::strtoul(PQgetvalue(r.get(), i, 2), nullptr, 10)), {}};
    const auto base = static_cast<unsigned>(std::strtoul(PQgetvalue(r.get(), i, 4), nullptr, 10));
    col.limits = limits_of(base, std::strtol(PQgetvalue(r.get(), i, 5), nullptr, 10));
    columns_[PQgetvalue(r.get(), i, 0)] = col;
  }
  loaded_ = true;
}

bool TargetTable::exists(Connection& c) {
  if (!loaded_) load(c);
  return !columns_.empty();
}

bool TargetTable::has_column(Connection& c, std::string_view name) {
  if (!loaded_) load(c);
  return columns_.count(std::string(name)) != 0;
}

bool TargetTable::is_array(Connection& c, std::string_view name) {
  if (!loaded_) load(c);
  auto it = columns_.find(std::string(name));
  return it != columns_.end() && it->second.is_array;
}

ferry::support::ColumnLimits TargetTable::limits(Connection& c, std::string_view name) {
  if (!loaded_) load(c);
  auto it = columns_.find(std::string(name));
  return it == columns_.end() ? ferry::support::ColumnLimits{} : it->second.limits;
}

unsigned TargetTable::type_oid(Connection& c, std::string_view name) {
  if (!loaded_) load(c);
  auto it = columns_.find(std::string(name));
  return it == columns_.end() ? 0 : it->second.type_oid;
}

void TargetTable::create(Connection& c, const std::vector<NewColumn>& columns,
                         const std::vector<std::string>& key) {
  std::string sql = "CREATE TABLE IF NOT EXISTS " + quoted_ + " (";
  for (size_t f = 0; f < columns.size(); ++f) {
    if (f > 0) sql += ", ";
    sql += quote_ident(columns[f].name) + ' ' + columns[f].type;
  }
  if (!key.empty()) {
    sql += ", PRIMARY KEY (";
    for (size_t i = 0; i < key.size(); ++i) sql += (i ? ", " : "") + quote_ident(key[i]);
    sql += ')';
  }
  sql += ')';
  // Inside the write's transaction: sinks of several workers creating the
  // table at once would race in IF NOT EXISTS (an error on the catalog's
  // unique index); one waits here until the other's batch commits.
  Params p;
  p.add_text(quoted_);
  c.exec("SELECT pg_advisory_xact_lock(hashtextextended('ferry create table' || chr(10) || $1, 0))", p,
         "creating table " + quoted_);
  c.exec(sql, "creating table " + quoted_);
  forget();
}

void TargetTable::add_column(Connection& c, const NewColumn& column) {
  c.exec("ALTER TABLE " + quoted_ + " ADD COLUMN IF NOT EXISTS " + quote_ident(column.name) + " " + column.type,
         "adding column " + quote_ident(column.name) + " to table " + quoted_);
  forget();
}

}  // namespace ferry_pg
