// Real public data that nobody on the project wrote, through `ferry run`
// from files into SQLite, a real PostgreSQL and a real MariaDB; every record
// and every column type is compared with the source:
//
// - movies.json (npm vega-datasets): nulls (fields null in the whole first
//   batch), a title field that mixes strings and numbers, ratings mixing
//   integers and fractions, Unicode titles;
// - zipcodes.csv (vega-datasets): 42,000 US zip codes with leading zeros;
// - csv-spectrum (npm): CSV edge cases (embedded quotes, newlines, CRLF,
//   UTF-8, empty quoted fields) with the values they must read as;
// - bignum.json (Debian json-schema-test-suite): integers of 20 to 53 digits
//   and a long fraction.
//
// A record reaches its table exactly, or the DLQ with the reason; a
// mismatch fails the test. scripts/install-deps.sh installs the data sets;
// a missing one fails the test, naming it.
#include <gtest/gtest.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "support/scenario_env.h"
#include "support/servers.h"

namespace {

namespace fs = std::filesystem;
using ferry::core::DlqStatus;
using ferry::test::ScenarioDir;

using Cell = std::optional<std::string>;  // a value as text; none for NULL
using Record = std::map<std::string, Cell>;

const fs::path kNpmData = fs::path(FERRY_SOURCE_DIR) / "tests/realdata/node_modules";
const fs::path kBignum = "/usr/share/json-schema-test-suite/tests/draft7/optional/bignum.json";

std::string slurp_or_fail(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in)
    throw std::runtime_error("data set " + file.string() + " is missing: run scripts/install-deps.sh");
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// ---- What the source says ------------------------------------------------

// The value as a JSON line wrote it: a string's content, a number's text.
Cell cell_of(const boost::json::value& v) {
  if (v.is_null()) return std::nullopt;
  if (v.is_string()) return std::string(v.as_string());
  return boost::json::serialize(v);
}

// movies.json is a JSON array with one object per line: those lines, as
// JSON Lines, keep every number's text as written.
std::string movies_jsonl(std::vector<Record>* expected) {
  std::istringstream in(slurp_or_fail(kNpmData / "vega-datasets/data/movies.json"));
  std::string line, out;
  while (std::getline(in, line)) {
    const size_t start = line.find('{');
    if (start == std::string::npos) continue;
    size_t end = line.rfind('}');
    line = line.substr(start, end - start + 1);
    Record r;
    const boost::json::value v = boost::json::parse(line);
    for (const auto& kv : v.as_object()) r[std::string(kv.key())] = cell_of(kv.value());
    expected->push_back(std::move(r));
    out += line + "\n";
  }
  return out;
}

// The zip codes file has no quoted fields.
std::string zipcodes_csv(std::vector<Record>* expected) {
  std::string text = slurp_or_fail(kNpmData / "vega-datasets/data/zipcodes.csv");
  std::istringstream in(text);
  std::string line;
  std::vector<std::string> header;
  while (std::getline(in, line)) {
    std::vector<std::string> fields;
    std::stringstream ls(line);
    for (std::string f; std::getline(ls, f, ',');) fields.push_back(f);
    if (header.empty()) {
      header = fields;
      continue;
    }
    Record r;
    for (size_t i = 0; i < header.size(); ++i) r[header[i]] = i < fields.size() ? Cell(fields[i]) : std::nullopt;
    expected->push_back(std::move(r));
  }
  return text;
}

std::string bignum_jsonl(std::vector<Record>* expected) {
  const std::string text = slurp_or_fail(kBignum);
  static const std::regex number(R"re("data":\s*(-?[0-9][0-9.eE+-]*))re");
  std::string out;
  int i = 0;
  for (auto it = std::sregex_iterator(text.begin(), text.end(), number); it != std::sregex_iterator(); ++it) {
    const std::string n = (*it)[1].str();
    out += "{\"i\": " + std::to_string(++i) + ", \"n\": " + n + "}\n";
    expected->push_back(Record{{"i", std::to_string(i)}, {"n", n}});
  }
  return out;
}

// ---- What a database holds -------------------------------------------------

std::string unhex(const std::string& hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) out += static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16));
  return out;
}

// Lines of cells separated by `sep`, each hex-encoded text or "~" for NULL.
std::vector<std::vector<Cell>> decode_rows(const std::string& text, char sep = '\t') {
  std::vector<std::vector<Cell>> rows;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    std::vector<Cell> row;
    // Split by hand: a trailing empty cell (an empty string) is a cell.
    for (size_t start = 0;;) {
      const size_t tab = line.find(sep, start);
      const std::string c = line.substr(start, tab == std::string::npos ? std::string::npos : tab - start);
      row.push_back(c == "~" ? Cell() : Cell(unhex(c)));
      if (tab == std::string::npos) break;
      start = tab + 1;
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

struct Column {
  std::string name;
  std::string type;  // as the database names it
};

class Target {
 public:
  virtual ~Target() = default;
  virtual std::string name() const = 0;
  virtual std::string sink_config(const std::string& table) = 0;
  virtual std::vector<Column> columns(const std::string& table) = 0;
  virtual std::vector<std::vector<Cell>> rows(const std::string& table, const std::vector<Column>& cols) = 0;
};

std::string quoted(const std::string& name, char q) { return q + name + q; }

class SqliteTarget final : public Target {
 public:
  SqliteTarget() : db_(dir_.file("out.db")) {}
  std::string name() const override { return "sqlite"; }
  std::string sink_config(const std::string& table) override {
    return R"({"path": ")" + db_ + R"(", "table": ")" + table + "\"}";
  }
  std::vector<Column> columns(const std::string& table) override {
    std::vector<Column> out;
    for (const auto& r : ferry::test::sqlite_rows(db_, "SELECT name, type FROM pragma_table_info('" + table + "')"))
      out.push_back({r[0], r[1]});
    return out;
  }
  std::vector<std::vector<Cell>> rows(const std::string& table, const std::vector<Column>& cols) override {
    std::string sql = "SELECT ";
    for (size_t i = 0; i < cols.size(); ++i) {
      const std::string c = quoted(cols[i].name, '"');
      sql += (i ? " || char(9) || " : "") + ("CASE WHEN " + c + " IS NULL THEN '~' ELSE hex(CAST(" + c + " AS TEXT)) END");
    }
    std::string text;
    for (const auto& r : ferry::test::sqlite_rows(db_, sql + " FROM " + quoted(table, '"'))) text += r[0] + "\n";
    return decode_rows(text);
  }

 private:
  ferry::test::TempDir dir_;
  std::string db_;
};

class PostgresTarget final : public Target {
 public:
  PostgresTarget(ferry::test::PgServer& pg, std::string db) : pg_(pg), db_(std::move(db)) {
    pg_.psql("CREATE DATABASE " + db_);
  }
  std::string name() const override { return "postgres"; }
  std::string sink_config(const std::string& table) override {
    return R"({"dsn": ")" + pg_.dsn(db_) + R"(", "table": ")" + table + "\"}";
  }
  std::vector<Column> columns(const std::string& table) override {
    std::vector<Column> out;
    for (const auto& r : decode_rows(pg_.psql(
             "SELECT encode(convert_to(attname, 'UTF8'), 'hex') || chr(9) || "
             "encode(convert_to(format_type(atttypid, atttypmod), 'UTF8'), 'hex') FROM pg_attribute "
             "WHERE attrelid = '" + quoted(table, '"') + "'::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum",
             db_)))
      out.push_back({*r[0], *r[1]});
    return out;
  }
  std::vector<std::vector<Cell>> rows(const std::string& table, const std::vector<Column>& cols) override {
    std::string sql = "SELECT ";
    for (size_t i = 0; i < cols.size(); ++i)
      sql += (i ? " || chr(9) || " : "") +
             ("coalesce(encode(convert_to(" + quoted(cols[i].name, '"') + "::text, 'UTF8'), 'hex'), '~')");
    return decode_rows(pg_.psql(sql + " FROM " + quoted(table, '"'), db_));
  }

 private:
  ferry::test::PgServer& pg_;
  std::string db_;
};

class MariaTarget final : public Target {
 public:
  MariaTarget(ferry::test::MariaServer& m, std::string db) : m_(m), db_(std::move(db)) {
    m_.sql("CREATE DATABASE " + db_ + " CHARACTER SET utf8mb4");
  }
  std::string name() const override { return "mariadb"; }
  std::string sink_config(const std::string& table) override {
    return R"({"host": "127.0.0.1", "port": )" + std::to_string(m_.port()) +
           R"(, "user": "ferry", "password": "pw", "database": ")" + db_ + R"(", "table": ")" + table + "\"}";
  }
  std::vector<Column> columns(const std::string& table) override {
    std::vector<Column> out;
    for (const auto& r : decode_rows(m_.sql(
             "SET NAMES utf8mb4; SELECT CONCAT(HEX(COLUMN_NAME), ',', HEX(DATA_TYPE)) FROM "
             "information_schema.COLUMNS WHERE TABLE_SCHEMA = '" + db_ + "' AND TABLE_NAME = '" + table +
             "' ORDER BY ORDINAL_POSITION"), ','))
      out.push_back({*r[0], *r[1]});
    return out;
  }
  std::vector<std::vector<Cell>> rows(const std::string& table, const std::vector<Column>& cols) override {
    // The client escapes a tab in its output: commas, which hex never holds.
    std::string sql = "SET NAMES utf8mb4; SELECT CONCAT_WS(','";
    for (const Column& c : cols) sql += ", IFNULL(HEX(CONCAT(" + quoted(c.name, '`') + ")), '~')";
    return decode_rows(m_.sql(sql + ") FROM " + db_ + "." + quoted(table, '`')), ',');
  }

 private:
  ferry::test::MariaServer& m_;
  std::string db_;
};

// ---- Comparing ---------------------------------------------------------------

enum class Kind { kText, kInteger, kDouble, kDecimal };

Kind kind_of(std::string type) {
  std::transform(type.begin(), type.end(), type.begin(), [](unsigned char c) { return std::tolower(c); });
  if (type.find("int") != std::string::npos) return Kind::kInteger;
  if (type.find("double") != std::string::npos || type == "real" || type.find("float") != std::string::npos)
    return Kind::kDouble;
  if (type.find("numeric") != std::string::npos || type.find("decimal") != std::string::npos) return Kind::kDecimal;
  return Kind::kText;
}

// One spelling per value of a column of `kind`: doubles by value, decimals
// without trailing fraction zeros (DECIMAL(65,30) pads them).
std::string canonical(const Cell& c, Kind kind) {
  if (!c) return "NULL";
  std::string v = *c;
  if (kind == Kind::kDouble) {
    char buf[40];
    std::snprintf(buf, sizeof buf, "%.17g", std::strtod(v.c_str(), nullptr));
    return buf;
  }
  if (kind == Kind::kDecimal && v.find('.') != std::string::npos) {
    while (v.back() == '0') v.pop_back();
    if (v.back() == '.') v.pop_back();
  }
  return "=" + v;
}

std::string row_text(const std::vector<std::string>& cells) {
  std::string out;
  for (const std::string& c : cells) out += c + " | ";
  return out;
}

struct Outcome {
  size_t stored = 0;
  size_t missing = 0;  // neither stored nor dead-lettered
};

// Every stored row equals a source record (as a multiset), and every
// source record is stored or in the DLQ (whose records `rejected` says).
Outcome compare(Target& t, const std::string& table, const std::vector<Record>& source,
                const std::vector<Record>& rejected) {
  const std::vector<Column> cols = t.columns(table);
  EXPECT_FALSE(cols.empty()) << t.name() << ": table " << table << " has no columns";
  std::vector<Kind> kinds;
  for (const Column& c : cols) kinds.push_back(kind_of(c.type));
  auto canon = [&](const Record& r) {
    std::vector<std::string> cells;
    for (size_t i = 0; i < cols.size(); ++i) {
      auto it = r.find(cols[i].name);
      cells.push_back(canonical(it == r.end() ? Cell() : it->second, kinds[i]));
    }
    // A source field with a value but no column would be data lost.
    for (const auto& [name, value] : r)
      if (value && std::none_of(cols.begin(), cols.end(), [&](const Column& c) { return c.name == name; }))
        cells.push_back("LOST " + name + "=" + *value);
    return row_text(cells);
  };
  std::multiset<std::string> want, got, dead;
  for (const Record& r : source) want.insert(canon(r));
  for (const Record& r : rejected) dead.insert(canon(r));
  for (const auto& row : t.rows(table, cols)) {
    std::vector<std::string> cells;
    for (size_t i = 0; i < cols.size(); ++i) cells.push_back(canonical(i < row.size() ? row[i] : Cell(), kinds[i]));
    got.insert(row_text(cells));
  }
  Outcome o;
  o.stored = got.size();
  int shown = 0;
  for (const std::string& g : got) {
    auto it = want.find(g);
    if (it != want.end()) {
      want.erase(it);
    } else if (shown++ < 5) {
      ADD_FAILURE() << t.name() << " " << table << " holds a row the source does not have: " << g;
    }
  }
  for (const std::string& w : want) {
    auto it = dead.find(w);
    if (it != dead.end()) {
      dead.erase(it);
      continue;
    }
    ++o.missing;
    if (shown++ < 10) ADD_FAILURE() << t.name() << " " << table << " lacks a source record: " << w;
  }
  return o;
}

// The DLQ's records as the source had them (field values of the failed row).
std::vector<Record> dead_records(const ScenarioDir& d) {
  std::vector<Record> out;
  for (const auto& e : d.dlq(DlqStatus::Pending)) {
    boost::json::value v = boost::json::parse(e.record_json);
    Record r;
    if (const auto* values = v.as_object().if_contains("values"))
      for (const auto& kv : values->as_object()) r[std::string(kv.key())] = cell_of(kv.value());
    out.push_back(std::move(r));
  }
  return out;
}

std::map<std::string, std::string> types_of(Target& t, const std::string& table) {
  std::map<std::string, std::string> out;
  for (const Column& c : t.columns(table)) out[c.name] = c.type;
  return out;
}

// Runs `data` (a .jsonl or .csv file) through a pipeline into `table`.
ScenarioDir& run(ScenarioDir& d, Target& t, const std::string& table, const std::string& file_name,
                 const std::string& data, const std::string& source_extra = "") {
  ferry::test::write_file(d.file(file_name), data);
  d.define(R"({"name": ")" + table + R"(", "state": {"type": "sqlite", "path": "state.db"},
    "source": {"plugin": "file", "config": {"paths": ")" + file_name + "\"" + source_extra + R"(}},
    "batch": {"max_records": 200},
    "sinks": [{"name": "db", "plugin": ")" + (t.name() == "mariadb" ? "mysql" : t.name()) +
           R"(", "config": )" + t.sink_config(table) + "}]}");
  auto r = d.run();
  EXPECT_EQ(r.exit_code, 0) << t.name() << " " << table << ": " << r.out << r.err;
  return d;
}

// ---- The data sets, per target -------------------------------------------------

struct Types {
  std::string sqlite, postgres, mariadb;
  const std::string& of(const Target& t) const {
    return t.name() == "sqlite" ? sqlite : t.name() == "postgres" ? postgres : mariadb;
  }
};
const Types kInteger{"INTEGER", "bigint", "bigint"};
const Types kDouble{"REAL", "double precision", "double"};
const Types kText{"TEXT", "text", "longtext"};

void movies(Target& t) {
  ScenarioDir d("movies");
  std::vector<Record> source;
  run(d, t, "movies", "movies.jsonl", movies_jsonl(&source));
  ASSERT_GT(source.size(), 3000u);
  EXPECT_TRUE(d.dlq().empty()) << d.dlq().front().message;
  const Outcome o = compare(t, "movies", source, {});
  EXPECT_EQ(o.stored, source.size());
  const auto types = types_of(t, "movies");
  // Null through the whole first batch, numbers after: numeric columns.
  for (const char* f : {"US Gross", "US DVD Sales", "Production Budget", "Running Time min",
                        "Rotten Tomatoes Rating", "IMDB Votes"})
    EXPECT_EQ(types.at(f), kInteger.of(t)) << t.name() << ": " << f;
  EXPECT_EQ(types.at("IMDB Rating"), kDouble.of(t)) << t.name();
  for (const char* f : {"Title", "Release Date", "Director", "Major Genre"})
    EXPECT_EQ(types.at(f), kText.of(t)) << t.name() << ": " << f;
}

void zipcodes(Target& t) {
  ScenarioDir d("zipcodes");
  std::vector<Record> source;
  run(d, t, "zipcodes", "zipcodes.csv", zipcodes_csv(&source),
      R"(, "columns_types": {"latitude": "double", "longitude": "double"})");
  ASSERT_GT(source.size(), 40000u);
  EXPECT_TRUE(d.dlq().empty()) << d.dlq().front().message;
  EXPECT_EQ(compare(t, "zipcodes", source, {}).stored, source.size());
  const auto types = types_of(t, "zipcodes");
  EXPECT_EQ(types.at("zip_code"), kText.of(t)) << "leading zeros need text";
  EXPECT_EQ(types.at("latitude"), kDouble.of(t));
}

void csv_spectrum(Target& t) {
  const fs::path dir = kNpmData / "csv-spectrum";
  slurp_or_fail(dir / "package.json");
  int files = 0;
  for (const auto& e : fs::directory_iterator(dir / "csvs")) {
    const std::string stem = e.path().stem().string();
    ScenarioDir d(stem);
    run(d, t, stem, stem + ".csv", slurp_or_fail(e.path()));
    ++files;
    if (stem == "location_coordinates") {
      // A quote inside an unquoted field (37°36'37.8"N): not RFC 4180, and
      // readers disagree on what it means; the record waits in the DLQ.
      auto dlq = d.dlq(DlqStatus::Pending);
      ASSERT_EQ(dlq.size(), 1u) << t.name();
      EXPECT_NE(dlq[0].message.find("quote inside unquoted field"), std::string::npos) << dlq[0].message;
      EXPECT_NE(dlq[0].message.find(stem + ".csv:2"), std::string::npos) << dlq[0].message;
      continue;
    }
    std::vector<Record> source;
    const boost::json::value expected = boost::json::parse(slurp_or_fail(dir / "json" / (stem + ".json")));
    for (const auto& o : expected.as_array()) {
      Record r;
      for (const auto& kv : o.as_object()) r[std::string(kv.key())] = cell_of(kv.value());
      source.push_back(std::move(r));
    }
    EXPECT_TRUE(d.dlq().empty()) << stem << ": " << d.dlq().front().message;
    EXPECT_EQ(compare(t, stem, source, {}).stored, source.size()) << stem;
  }
  EXPECT_GE(files, 10);
}

void bignums(Target& t, size_t expect_rejected) {
  ScenarioDir d("bignum");
  std::vector<Record> source;
  run(d, t, "bignum", "bignum.jsonl", bignum_jsonl(&source));
  ASSERT_GE(source.size(), 9u);
  const std::vector<Record> rejected = dead_records(d);
  EXPECT_EQ(rejected.size(), expect_rejected) << t.name();
  for (const auto& e : d.dlq()) EXPECT_FALSE(e.message.empty());
  const Outcome o = compare(t, "bignum", source, rejected);
  EXPECT_EQ(o.stored + rejected.size(), source.size());
  EXPECT_EQ(o.missing, 0u);
}

TEST(RealDataSqlite, MoviesArriveWithTheirTypes) {
  SqliteTarget t;
  movies(t);
}
TEST(RealDataSqlite, ZipCodesKeepTheirLeadingZeros) {
  SqliteTarget t;
  zipcodes(t);
}
TEST(RealDataSqlite, CsvSpectrumReadsAsItsAuthorsSay) {
  SqliteTarget t;
  csv_spectrum(t);
}
TEST(RealDataSqlite, BigNumbersStayExact) {
  SqliteTarget t;
  bignums(t, 0);
}

class RealDataPostgres : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { server_ = std::make_unique<ferry::test::PgServer>(); }
  static void TearDownTestSuite() { server_.reset(); }
  static std::unique_ptr<ferry::test::PgServer> server_;
};
std::unique_ptr<ferry::test::PgServer> RealDataPostgres::server_;

TEST_F(RealDataPostgres, MoviesArriveWithTheirTypes) {
  PostgresTarget t(*server_, "movies");
  movies(t);
}
TEST_F(RealDataPostgres, ZipCodesKeepTheirLeadingZeros) {
  PostgresTarget t(*server_, "zipcodes");
  zipcodes(t);
}
TEST_F(RealDataPostgres, CsvSpectrumReadsAsItsAuthorsSay) {
  PostgresTarget t(*server_, "spectrum");
  csv_spectrum(t);
}
TEST_F(RealDataPostgres, BigNumbersStayExact) {
  PostgresTarget t(*server_, "bignum");
  bignums(t, 0);
}

class RealDataMaria : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server_ = std::make_unique<ferry::test::MariaServer>();
    server_->sql("CREATE USER 'ferry'@'127.0.0.1' IDENTIFIED BY 'pw'; GRANT ALL ON *.* TO 'ferry'@'127.0.0.1';");
  }
  static void TearDownTestSuite() { server_.reset(); }
  static std::unique_ptr<ferry::test::MariaServer> server_;
};
std::unique_ptr<ferry::test::MariaServer> RealDataMaria::server_;

TEST_F(RealDataMaria, MoviesArriveWithTheirTypes) {
  MariaTarget t(*server_, "movies");
  movies(t);
}
TEST_F(RealDataMaria, ZipCodesKeepTheirLeadingZeros) {
  MariaTarget t(*server_, "zipcodes");
  zipcodes(t);
}
TEST_F(RealDataMaria, CsvSpectrumReadsAsItsAuthorsSay) {
  MariaTarget t(*server_, "spectrum");
  csv_spectrum(t);
}
// DECIMAL(65,30) holds 35 integer digits: the five 53-digit integers go to
// the DLQ with the server's reason; the others are stored exactly.
TEST_F(RealDataMaria, BigNumbersStayExactOrWaitInTheDlq) {
  MariaTarget t(*server_, "bignum");
  bignums(t, 5);
}

}  // namespace
