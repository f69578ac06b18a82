#include "mysql_source.h"

#include <cppconn/resultset_metadata.h>

#include <boost/json.hpp>

#include <algorithm>
#include <charconv>
#include <cstring>

#include "codec/base64.h"
#include "identifiers.h"
#include "sql/key_range.h"
#include "timestamp.h"

namespace ferry_mysql {
namespace {

constexpr const char* kComponent = "mysql source";

// Partition names are "p<index>", one spelling each.
std::optional<int64_t> partition_index(std::string_view name, int64_t count) {
  if (name.size() < 2 || name[0] != 'p' || (name.size() > 2 && name[1] == '0')) return std::nullopt;
  int64_t index = 0;
  auto [ptr, ec] = std::from_chars(name.data() + 1, name.data() + name.size(), index);
  if (ec != std::errc() || ptr != name.data() + name.size() || index < 0 || index >= count)
    return std::nullopt;
  return index;
}

// FLOAT widened to double: the shortest decimal that reads back as the same
// float, so 1.1 stays 1.1 rather than 1.100000023841858.
double widen_float(float f) {
  char buf[32];
  auto res = std::to_chars(buf, buf + sizeof buf, f);
  double d = f;
  std::from_chars(buf, res.ptr, d);
  return d;
}

std::string_view as_view(const sql::SQLString& s) { return std::string_view(s.c_str(), s.length()); }

}  // namespace

void MysqlSource::check_config(const ferry::Context& ctx) { parse_source_options(ctx); }

MysqlSource::MysqlSource(const ferry::Context& ctx)
    : opts_(parse_source_options(ctx)),
      host_(ctx.host()),
      batch_records_(ctx.max_batch_records() > 0 ? ctx.max_batch_records() : 1000),
      where_(opts_.table.empty() ? std::string("query")
                                 : "table " + quote_table(opts_.connection.database, opts_.table)),
      session_(opts_.connection, kComponent) {
  // Statements die before the connection they were prepared on.
  session_.on_disconnect([this] {
    first_page_.reset();
    next_page_.reset();
    ties_.reset();
  });
  describe_columns();
}

MysqlSource::~MysqlSource() {
  first_page_.reset();
  next_page_.reset();
  ties_.reset();
  session_.on_disconnect(nullptr);
}

void MysqlSource::fail(FerryStatus status, const std::string& message) const {
  throw ferry::Error(status, std::string(kComponent) + ": " + message + " (" + where_ + ")");
}

std::vector<std::string> MysqlSource::names_about_table(const char* sql) {
  std::unique_ptr<sql::PreparedStatement> st(session_.raw().prepareStatement(sql));
  st->setString(1, opts_.connection.database);
  st->setString(2, opts_.table);
  std::unique_ptr<sql::ResultSet> rs(st->executeQuery());
  std::vector<std::string> names;
  while (rs->next()) names.emplace_back(rs->getString(1));
  return names;
}

std::vector<std::string> MysqlSource::json_columns() {
  if (opts_.table.empty()) return {};
  // MariaDB's JSON is LONGTEXT with a json_valid() CHECK and reads as text;
  // MySQL's is its own type (and has no TABLE_NAME in CHECK_CONSTRAINTS).
  static const char* const kQueries[] = {
      "SELECT c.COLUMN_NAME FROM information_schema.COLUMNS c "
      "WHERE c.TABLE_SCHEMA = ? AND c.TABLE_NAME = ? AND (c.DATA_TYPE = 'json' OR EXISTS ("
      "SELECT 1 FROM information_schema.CHECK_CONSTRAINTS k WHERE k.CONSTRAINT_SCHEMA = "
      "c.TABLE_SCHEMA AND k.TABLE_NAME = c.TABLE_NAME AND "
      "k.CHECK_CLAUSE = CONCAT('json_valid(`', c.COLUMN_NAME, '`)')))",
      "SELECT COLUMN_NAME FROM information_schema.COLUMNS "
      "WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? AND DATA_TYPE = 'json'"};
  for (const char* sql : kQueries) {
    try {
      return names_about_table(sql);
    } catch (const sql::SQLException& e) {
      if (error_code(e) != 1054) session_.fail(e, "reading the JSON columns");
    }
  }
  return {};
}

std::vector<std::string> MysqlSource::primary_key() {
  try {
    return names_about_table(
        "SELECT COLUMN_NAME FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = ? AND "
        "TABLE_NAME = ? AND INDEX_NAME = 'PRIMARY' ORDER BY SEQ_IN_INDEX");
  } catch (const sql::SQLException& e) {
    session_.fail(e, "reading the primary key of " + where_);
  }
}

void MysqlSource::describe_columns() {
  session_.ensure_connected();
  const std::string from =
      opts_.table.empty() ? "(" + opts_.query + ") AS ferry_src"
                          : quote_table(opts_.connection.database, opts_.table) + " AS ferry_src";
  std::vector<SourceColumn> columns;
  {
    std::unique_ptr<sql::PreparedStatement> probe =
        session_.prepare("SELECT * FROM " + from + " LIMIT 0", "reading the columns of " + where_);
    const std::vector<std::string> json = json_columns();
    try {
      sql::ResultSetMetaData* meta = probe->getMetaData();
      for (unsigned i = 1; i <= meta->getColumnCount(); ++i) {
        const std::string name = meta->getColumnLabel(i);
        bool is_json = false;
        for (const std::string& j : json) is_json = is_json || same_column(j, name);
        columns.push_back(describe_column(*meta, i, is_json));
      }
    } catch (const sql::SQLException& e) {
      session_.fail(e, "reading the columns of " + where_);
    }
  }
  for (size_t i = 0; i < columns.size(); ++i)
    for (size_t j = 0; j < i; ++j)
      if (same_column(columns[i].name, columns[j].name))
        fail(FERRY_ERROR_CONFIG, "two result columns are named " + quote_ident(columns[i].name));

  std::vector<std::string> cursor_names = opts_.cursor;
  if (cursor_names.empty()) {
    cursor_names = primary_key();
    if (cursor_names.empty() || cursor_names.size() > 2)
      fail(FERRY_ERROR_CONFIG,
           "the table has no primary key of one or two columns; set option 'cursor' to one or two "
           "columns that are unique together and never NULL");
  }
  auto find = [&](const std::string& name) -> size_t {
    for (size_t i = 0; i < columns.size(); ++i)
      if (same_column(columns[i].name, name)) return i;
    fail(FERRY_ERROR_CONFIG, "column " + quote_ident(name) + " is not in the result");
  };
  std::vector<size_t> cursor;
  for (const std::string& name : cursor_names) cursor.push_back(find(name));
  if (!opts_.partition_column.empty() && !columns[find(opts_.partition_column)].is_integer)
    fail(FERRY_ERROR_CONFIG,
         "partition_column " + quote_ident(opts_.partition_column) + " is not an integer column");

  for (size_t i = 0; i < columns.size(); ++i) {
    const bool key = std::find(cursor.begin(), cursor.end(), i) != cursor.end();
    builder_.add_field(columns[i].name, columns[i].type,
                       key ? FERRY_FIELD_KEY : FERRY_FIELD_NULLABLE);
  }
  query_ = std::make_unique<SourceQuery>(from, std::move(columns), std::move(cursor),
                                         opts_.partition_column);
}

void MysqlSource::load_range() {
  if (range_min_ && range_max_) return;
  range_min_ = opts_.min;
  range_max_ = opts_.max;
  if (range_min_ && range_max_) return;
  session_.ensure_connected();
  try {
    std::unique_ptr<sql::PreparedStatement> st(session_.raw().prepareStatement(query_->min_max_sql()));
    std::unique_ptr<sql::ResultSet> rs(st->executeQuery());
    int64_t lo = 0, hi = 0;
    if (rs->next() && !rs->isNull(1)) {
      lo = rs->getInt64(1);
      hi = rs->getInt64(2);
    }
    if (!range_min_) range_min_ = lo;
    if (!range_max_) range_max_ = std::max(hi, *range_min_);
  } catch (const sql::SQLException& e) {
    range_min_.reset();
    range_max_.reset();
    session_.fail(e, "reading the range of partition_column " +
                         quote_ident(opts_.partition_column));
  }
}

std::vector<std::string> MysqlSource::partitions() {
  std::vector<std::string> names;
  for (int64_t p = 0; p < opts_.partitions; ++p) names.push_back("p" + std::to_string(p));
  return names;
}

int64_t MysqlSource::checked_index(std::string_view partition) const {
  const std::optional<int64_t> index = partition_index(partition, opts_.partitions);
  if (!index)
    fail(FERRY_ERROR_CONFIG, "unknown partition '" + std::string(partition) + "' (have p0..p" +
                                 std::to_string(opts_.partitions - 1) + ")");
  return *index;
}

PartitionBounds MysqlSource::computed_bounds(int64_t index) {
  if (opts_.partitions == 1) return PartitionBounds{};
  load_range();
  return partition_bounds(*range_min_, *range_max_, opts_.partitions, index);
}

std::optional<std::vector<ferry::Source::Planned>> MysqlSource::describe() {
  std::vector<Planned> planned;
  for (int64_t p = 0; p < opts_.partitions; ++p) {
    const PartitionBounds b = computed_bounds(p);
    planned.push_back({"p" + std::to_string(p), ferry::support::key_range_text({b.lo, b.hi, b.with_nulls})});
  }
  return planned;
}

void MysqlSource::start(std::string_view partition, const std::string_view* position) {
  bounds_ = computed_bounds(checked_index(partition));
  begin(partition, position);
}

void MysqlSource::start_described(std::string_view partition, std::string_view descriptor,
                                  const std::string_view* position) {
  checked_index(partition);
  const std::optional<ferry::support::KeyRange> planned = ferry::support::parse_key_range(descriptor);
  if (!planned)
    fail(FERRY_ERROR_CONFIG, "partition '" + std::string(partition) + "': stored plan '" + std::string(descriptor) +
                                 "' is not a key range \"lo,hi[,nulls]\"");
  bounds_ = PartitionBounds{planned->lo, planned->hi, planned->with_nulls};
  begin(partition, position);
}

void MysqlSource::begin(std::string_view partition, const std::string_view* position) {
  last_.reset();
  if (opts_.incremental && position != nullptr && !position->empty()) {
    last_ = decode_position(*position);
    if (!last_ || last_->size() != query_->cursor().size())
      fail(FERRY_ERROR_CONFIG, "position '" + std::string(*position) +
                                   "' does not fit the cursor; was option 'cursor' changed?");
  }
  partition_.assign(partition);
  exhausted_ = false;
  started_ = true;
  first_page_.reset();
  next_page_.reset();
}

void MysqlSource::prepare_pages() {
  if (first_page_ && pages_generation_ == session_.generation()) return;
  first_page_.reset();
  next_page_.reset();
  ties_.reset();
  session_.ensure_connected();
  const std::string what = "preparing the page query on " + where_;
  first_page_ = session_.prepare(query_->page_sql(bounds_, false, batch_records_), what);
  next_page_ = session_.prepare(query_->page_sql(bounds_, true, batch_records_), what);
  ties_ = session_.prepare(query_->ties_sql(bounds_), what);
  pages_generation_ = session_.generation();
}

namespace {

void bind_cursor_value(sql::PreparedStatement& stmt, unsigned p, const CursorValue& v) {
  switch (v.kind) {
    case CursorValue::Kind::kInt:
      stmt.setInt64(p, v.i);
      break;
    case CursorValue::Kind::kUInt:
      stmt.setUInt64(p, v.u);
      break;
    case CursorValue::Kind::kDouble:
      stmt.setDouble(p, v.d);
      break;
    case CursorValue::Kind::kText:
    case CursorValue::Kind::kBytes:
      stmt.setString(p, sql::SQLString(v.text.data(), v.text.size()));
      break;
  }
}

}  // namespace

void MysqlSource::bind_page(sql::PreparedStatement& stmt, bool after_cursor) {
  unsigned p = 1;
  if (bounds_.lo) stmt.setInt64(p++, *bounds_.lo);
  if (bounds_.hi) stmt.setInt64(p++, *bounds_.hi);
  if (!after_cursor) return;
  for (size_t c : query_->cursor_params()) bind_cursor_value(stmt, p++, (*last_)[c]);
}

void MysqlSource::check_cursor_unique(const std::vector<CursorValue>& page_end) {
  unsigned p = 1;
  if (bounds_.lo) ties_->setInt64(p++, *bounds_.lo);
  if (bounds_.hi) ties_->setInt64(p++, *bounds_.hi);
  for (const CursorValue& v : page_end) bind_cursor_value(*ties_, p++, v);
  std::unique_ptr<sql::ResultSet> rs(ties_->executeQuery());
  if (!rs->next() || rs->getInt64(1) < 2) return;
  fail(FERRY_ERROR_CONFIG,
       ferry::support::cursor_not_unique("'" + partition_ + "' of " + where_, encode_position(page_end)));
}

CursorValue MysqlSource::cursor_value(sql::ResultSet& rs, size_t column) {
  const SourceColumn& col = query_->columns()[column];
  const unsigned i = static_cast<unsigned>(column + 1);
  if (rs.isNull(i))
    fail(FERRY_ERROR_CONFIG, "cursor column " + quote_ident(col.name) +
                                 " is NULL in a row; a cursor must never be NULL");
  CursorValue v;
  switch (col.read_as) {
    case ReadAs::kInt64:
    case ReadAs::kBits:
      v.kind = CursorValue::Kind::kInt;
      v.i = rs.getInt64(i);
      break;
    case ReadAs::kUInt64Dec:
      v.kind = CursorValue::Kind::kUInt;
      v.u = rs.getUInt64(i);
      break;
    case ReadAs::kFloat:
    case ReadAs::kDouble:
      v.kind = CursorValue::Kind::kDouble;
      v.d = static_cast<double>(rs.getDouble(i));
      break;
    case ReadAs::kBytes:
      v.kind = CursorValue::Kind::kBytes;
      v.text = rs.getString(i).asStdString();
      break;
    default:
      v.kind = CursorValue::Kind::kText;
      v.text = rs.getString(i).asStdString();
      break;
  }
  return v;
}

void MysqlSource::read_row(sql::ResultSet& rs) {
  const std::vector<size_t>& cursor = query_->cursor();
  row_cursor_.clear();
  for (size_t c : cursor) row_cursor_.push_back(cursor_value(rs, c));
  const std::string position = encode_position(row_cursor_);
  std::string key;
  if (row_cursor_.size() == 1 && row_cursor_[0].kind == CursorValue::Kind::kText) {
    key = row_cursor_[0].text;
  } else if (row_cursor_.size() == 1 && row_cursor_[0].kind == CursorValue::Kind::kInt) {
    key = position.substr(1, position.size() - 2);
  } else {
    key = position;
  }
  const std::vector<SourceColumn>& columns = query_->columns();
  if (std::optional<std::string> why = unrepresentable(rs)) {
    refuse_row(rs, key, position, *why);
    return;
  }
  const size_t row = builder_.add_row(key, position);

  for (size_t f = 0; f < columns.size(); ++f) {
    const unsigned i = static_cast<unsigned>(f + 1);
    if (rs.isNull(i)) continue;  // rows start all-null
    switch (columns[f].read_as) {
      case ReadAs::kInt64:
        builder_.set_int(row, f, rs.getInt64(i));
        break;
      case ReadAs::kBits:
        builder_.set_int(row, f, static_cast<int64_t>(rs.getUInt64(i)));
        break;
      case ReadAs::kUInt64Dec: {
        char buf[24];
        const char* end = std::to_chars(buf, buf + sizeof buf, rs.getUInt64(i)).ptr;
        builder_.set_bytes(row, f, FERRY_TYPE_DECIMAL,
                           std::string_view(buf, static_cast<size_t>(end - buf)));
        break;
      }
      case ReadAs::kFloat:
        builder_.set_double(row, f, widen_float(static_cast<float>(rs.getDouble(i))));
        break;
      case ReadAs::kDouble:
        builder_.set_double(row, f, static_cast<double>(rs.getDouble(i)));
        break;
      case ReadAs::kDatetime: {
        const sql::SQLString text = rs.getString(i);
        // unrepresentable() let only calendar times through.
        if (std::optional<int64_t> micros = parse_datetime(as_view(text))) builder_.set_timestamp(row, f, *micros);
        break;
      }
      default: {
        const sql::SQLString text = rs.getString(i);
        builder_.set_bytes(row, f, columns[f].type, as_view(text));
        break;
      }
    }
  }
}

std::optional<std::string> MysqlSource::unrepresentable(sql::ResultSet& rs) {
  const std::vector<SourceColumn>& columns = query_->columns();
  for (size_t f = 0; f < columns.size(); ++f) {
    const unsigned i = static_cast<unsigned>(f + 1);
    if (columns[f].read_as != ReadAs::kDatetime || rs.isNull(i)) continue;
    const sql::SQLString text = rs.getString(i);
    if (!parse_datetime(as_view(text)))
      return "column " + quote_ident(columns[f].name) + " holds " + text.asStdString() +
             ", which names no instant (a zero date, or a date with a zero month or day)";
  }
  return std::nullopt;
}

void MysqlSource::refuse_row(sql::ResultSet& rs, const std::string& key, const std::string& position,
                             const std::string& why) {
  // The row as the server's text, binary columns in base64, for a person
  // to read and mend.
  boost::json::object row;
  const std::vector<SourceColumn>& columns = query_->columns();
  for (size_t f = 0; f < columns.size(); ++f) {
    const unsigned i = static_cast<unsigned>(f + 1);
    if (rs.isNull(i)) {
      row[columns[f].name] = nullptr;
      continue;
    }
    if (columns[f].read_as == ReadAs::kBits) {  // the connector's text of a BIT is its raw bytes
      row[columns[f].name] = rs.getUInt64(i);
      continue;
    }
    const std::string text = rs.getString(i).asStdString();
    row[columns[f].name] =
        columns[f].read_as == ReadAs::kBytes ? ferry::support::base64_encode(text) : text;
  }
  host_.reject(partition_, position, key, boost::json::serialize(row),
               std::string(kComponent) + ": partition '" + partition_ + "' of " + where_ + ": " + why);
}

void MysqlSource::discard_partial_batch() {
  if (builder_.rows() == 0) return;
  FerryBatch scrap{};
  builder_.finish(&scrap, {}, {});
  scrap.release(&scrap);
}

bool MysqlSource::next(FerryBatch* out) {
  if (!started_) fail(FERRY_ERROR_INTERNAL, "next() called before start()");
  if (exhausted_) return false;
  prepare_pages();
  const bool after = last_.has_value();
  sql::PreparedStatement& stmt = after ? *next_page_ : *first_page_;
  uint64_t rows = 0;
  try {
    // Before each page after a cursor, a resumed run's first page too:
    // rows sharing the cursor it starts after would be skipped by it.
    if (after) check_cursor_unique(*last_);
    bind_page(stmt, after);
    std::unique_ptr<sql::ResultSet> rs(stmt.executeQuery());
    builder_.reserve(static_cast<size_t>(batch_records_));
    while (rs->next()) {
      read_row(*rs);
      ++rows;
    }
    if (rows > 0) last_ = row_cursor_;
  } catch (const sql::SQLException& e) {
    discard_partial_batch();
    session_.fail(e, "reading partition '" + partition_ + "' of " + where_);
  } catch (...) {
    discard_partial_batch();
    throw;
  }
  // A short page is the last one: no need to ask again to learn that.
  if (rows < batch_records_) exhausted_ = true;
  if (rows == 0) return false;
  builder_.finish(out, partition_, encode_position(*last_));
  return true;
}

}  // namespace ferry_mysql
