#include "postgres_source.h"

#include <algorithm>
#include <boost/json.hpp>
#include <charconv>
#include <cstdlib>
#include <cstring>

#include <codec/hex.h>

#include "binary_values.h"
#include "ident.h"
#include "sql/key_range.h"
#include "position.h"

namespace ferry_pg {
namespace {

constexpr uint64_t kDefaultBatchRecords = 10000;
constexpr const char* kWho = "postgres source";

[[noreturn]] void fail(FerryStatus status, const std::string& message) {
  throw ferry::Error(status, std::string(kWho) + ": " + message);
}

std::string_view value(const PGresult* r, int row, size_t col) {
  const int c = static_cast<int>(col);
  return std::string_view(PQgetvalue(r, row, c), static_cast<size_t>(PQgetlength(r, row, c)));
}

constexpr int kBinaryResults = 1;

}  // namespace

void PostgresSource::check_config(const ferry::Context& ctx) { parse_source_options(ctx); }

PostgresSource::PostgresSource(const ferry::Context& ctx)
    : host_(ctx.host()),
      opts_(parse_source_options(ctx)),
      batch_records_(ctx.max_batch_records() > 0 ? ctx.max_batch_records() : kDefaultBatchRecords),
      batch_bytes_(ctx.max_batch_bytes()) {
  from_ = opts_.table ? opts_.table->quoted() : "(" + opts_.query + ")";
  connection();
  describe_columns();
}

Connection& PostgresSource::connection() {
  if (conn_ && !conn_->broken()) return *conn_;
  conn_.reset();
  prefetched_ = false;
  ahead_.reset();
  page_.reset();  // rows of a dead connection's result are still valid, but re-read them
  conn_ = std::make_unique<Connection>(opts_.dsn, kWho, &host_);
  return *conn_;
}

void PostgresSource::compute_ranges(bool warn_moving_bounds) {
  ranges_.clear();
  if (opts_.partitions == 1) {
    ranges_.push_back(Range{});
    return;
  }
  std::optional<int64_t> lo = opts_.min;
  std::optional<int64_t> hi = opts_.max;
  if (!lo || !hi) {
    const std::string col = "ferry_src." + quote_ident(opts_.partition_column);
    Result r = connection().exec("SELECT min(" + col + ")::int8, max(" + col + ")::int8 FROM " +
                                     from_ + " AS ferry_src",
                                 "reading the range of partition_column " +
                                     quote_ident(opts_.partition_column));
    if (!lo && !PQgetisnull(r.get(), 0, 0)) lo = std::strtoll(PQgetvalue(r.get(), 0, 0), nullptr, 10);
    if (!hi && !PQgetisnull(r.get(), 0, 1)) hi = std::strtoll(PQgetvalue(r.get(), 0, 1), nullptr, 10);
    // A host of ABI 1.5 keeps the plan (describe); one that starts
    // partitions by name has the bounds computed again in every run.
    if (warn_moving_bounds && (!opts_.min || !opts_.max))
      host_.warn(std::string(kWho) +
                 ": partition bounds were computed from the data; set 'min' and 'max' so that "
                 "they cannot move between incremental runs");
  }
  if (!lo || !hi || *lo > *hi) lo = hi = 0;  // empty table: everything lands in the last partition
  // The first partition is open below and the last open above, so rows
  // outside [min, max] are still read exactly once.
  const __int128 span = static_cast<__int128>(*hi) - *lo + 1;
  const int64_t n = opts_.partitions;
  for (int64_t i = 0; i < n; ++i) {
    Range r;
    if (i > 0) r.lo = static_cast<int64_t>(*lo + span * i / n);
    if (i + 1 < n) r.hi = static_cast<int64_t>(*lo + span * (i + 1) / n);
    ranges_.push_back(r);
  }
}

std::vector<std::string> PostgresSource::partitions() {
  drop_prefetch();
  compute_ranges(true);
  std::vector<std::string> names;
  for (int64_t i = 0; i < opts_.partitions; ++i) names.push_back("p" + std::to_string(i));
  return names;
}

std::optional<std::vector<ferry::Source::Planned>> PostgresSource::describe() {
  drop_prefetch();
  compute_ranges(false);
  std::vector<std::string> names;
  for (int64_t i = 0; i < opts_.partitions; ++i) names.push_back("p" + std::to_string(i));
  std::vector<Planned> planned;
  for (size_t i = 0; i < names.size(); ++i)
    planned.push_back({names[i], ferry::support::key_range_text({ranges_[i].lo, ranges_[i].hi, false})});
  return planned;
}

size_t PostgresSource::partition_index(std::string_view partition) const {
  size_t index = 0;
  const std::string name(partition);
  if (name.size() < 2 || name[0] != 'p' ||
      std::from_chars(name.data() + 1, name.data() + name.size(), index).ptr != name.data() + name.size() ||
      index >= static_cast<size_t>(opts_.partitions))
    fail(FERRY_ERROR_CONFIG, "unknown partition '" + name + "' (have p0..p" +
                                 std::to_string(opts_.partitions - 1) + ")");
  return index;
}

void PostgresSource::start(std::string_view partition, const std::string_view* position) {
  drop_prefetch();
  if (ranges_.empty()) compute_ranges(true);
  start_range(partition, ranges_[partition_index(partition)], position);
}

void PostgresSource::start_described(std::string_view partition, std::string_view descriptor,
                                     const std::string_view* position) {
  drop_prefetch();
  partition_index(partition);
  const std::optional<ferry::support::KeyRange> planned = ferry::support::parse_key_range(descriptor);
  if (!planned || planned->with_nulls)
    fail(FERRY_ERROR_CONFIG, "partition '" + std::string(partition) + "': stored plan '" + std::string(descriptor) +
                                 "' is not a key range \"lo,hi\"");
  const Range range{planned->lo, planned->hi};
  if (range.lo || range.hi) {
    if (!partition_col_)
      fail(FERRY_ERROR_CONFIG, "partition '" + std::string(partition) +
                                   "': the stored plan splits by key range, but no partition_column is set");
  }
  start_range(partition, range, position);
}

void PostgresSource::start_range(std::string_view partition, const Range& range, const std::string_view* position) {
  const std::string name(partition);
  last_cursor_.reset();
  if (position && !position->empty() && opts_.incremental) {
    last_cursor_ = parse_position(*position, cursor_cols_.size());
    if (!last_cursor_)
      fail(FERRY_ERROR_CONFIG, "position '" + std::string(*position) + "' of partition '" + name +
                                   "' does not hold " + std::to_string(cursor_cols_.size()) +
                                   " cursor value(s); was option 'cursor' changed?");
  }
  partition_ = name;
  first_sql_ = page_sql(range, false);
  next_sql_ = page_sql(range, true);
  ties_sql_ = ties_sql(range);
  page_.reset();
  page_row_ = 0;
  more_ = true;
  started_ = true;
}

void PostgresSource::check_page_start(Connection& c, const std::string& what) {
  int64_t sharing = 0;
  if (PQntuples(page_.get()) > 0) {
    sharing = read_binary_int(value(page_.get(), 0, static_cast<size_t>(PQnfields(page_.get()) - 1)), false).value_or(0);
  } else {
    // An empty page carries no count: ask on its own (once per partition end).
    Params p;
    for (const std::string& v : *last_cursor_) p.add_text(v);
    const Result r = c.exec(ties_sql_, p, what);
    sharing = std::strtoll(PQgetvalue(r.get(), 0, 0), nullptr, 10);
  }
  if (sharing < 2) return;
  std::vector<std::string_view> views(last_cursor_->begin(), last_cursor_->end());
  std::string position;
  append_position(position, views);
  fail(FERRY_ERROR_CONFIG, ferry::support::cursor_not_unique(partition_, position));
}

void PostgresSource::fetch_page() {
  Connection& c = connection();
  const std::string what = "reading partition " + partition_;
  // Every page but a partition's first starts after last_cursor_.
  const bool after_cursor = ahead_ || prefetched_ || last_cursor_;
  if (ahead_) {
    page_ = std::move(ahead_);
  } else if (prefetched_) {
    prefetched_ = false;
    page_ = c.collect(what);
  } else {
    Params p;
    p.prepared = true;  // planned once per connection, not once per page
    if (last_cursor_)
      for (const std::string& v : *last_cursor_) p.add_text(v);
    page_ = c.exec(last_cursor_ ? next_sql_ : first_sql_, p, what, kBinaryResults);
  }
  page_row_ = 0;
  // The page starts after last_cursor_: another row sharing that cursor,
  // not in the page before, would be skipped. Only the server compares as
  // the cursor's type and collation do (numeric 1.0 = 1.00).
  if (after_cursor) {
    try {
      check_page_start(c, what);
    } catch (const ferry::Error&) {
      page_.reset();  // read again after a retry, and checked again
      more_ = true;
      throw;
    }
  }
  const int n = PQntuples(page_.get());
  more_ = static_cast<uint64_t>(n) >= batch_records_;
  if (!more_) return;
  Params p;
  p.prepared = true;
  for (size_t k : cursor_cols_) {
    const std::string_view text = text_of(n - 1, k);
    p.add(text.data(), text.size(), 0);
  }
  // Ask for the next page now, after this one's last row: the server reads
  // it while this page is converted, instead of idling in between.
  prefetched_ = c.send(next_sql_, p, kBinaryResults);
}

std::string_view PostgresSource::text_of(int row, size_t col) const {
  return value(page_.get(), row, static_cast<size_t>(columns_[col].text_at));
}

boost::json::object PostgresSource::row_payload(int row) {
  const PGresult* r = page_.get();
  // Floats and timestamps as the server prints them: it is sent them back.
  std::vector<size_t> printed;
  std::string sql = "SELECT ";
  Params p;
  for (size_t f = 0; f < columns_.size(); ++f) {
    const ColumnKind kind = columns_[f].kind;
    if (PQgetisnull(r, row, static_cast<int>(f)) ||
        (kind != ColumnKind::kDouble && kind != ColumnKind::kTimestamp))
      continue;
    const std::string_view bytes = value(r, row, f);
    p.add(bytes.data(), bytes.size(), 1);
    sql += (printed.empty() ? "" : ", ") + columns_[f].output_fn + "($" + std::to_string(printed.size() + 1) +
           "::" + columns_[f].sql_type + ")";
    printed.push_back(f);
  }
  Result texts;
  if (!printed.empty()) {
    // A new connection mid-page would drop the page (connection()), so the
    // live one is used, and a failure re-reads the page from this row: the
    // rows before it are in the batch or the DLQ already.
    if (row > 0) remember_cursor(row - 1);
    try {
      if (!conn_ || conn_->broken())
        throw ferry::Error(FERRY_RETRY, std::string(kWho) + ": the connection was lost (" + partition_ + ")");
      // The connection must be idle: a page asked for ahead is read first.
      if (prefetched_) {
        prefetched_ = false;
        ahead_ = conn_->collect("reading partition " + partition_);
      }
      texts = conn_->exec(sql, p, "printing a rejected row of partition " + partition_);
    } catch (const ferry::Error&) {
      page_.reset();
      ahead_.reset();
      more_ = true;
      throw;
    }
  }
  boost::json::object payload;
  size_t next_printed = 0;
  for (size_t f = 0; f < columns_.size(); ++f) {
    const SourceColumn& col = columns_[f];
    if (PQgetisnull(r, row, static_cast<int>(f))) {
      payload[col.name] = nullptr;
      continue;
    }
    const std::string_view bytes = value(r, row, f);
    std::string text;
    if (next_printed < printed.size() && printed[next_printed] == f) {
      text = std::string(value(texts.get(), 0, next_printed++));
    } else if (col.kind == ColumnKind::kInt) {
      text = std::to_string(read_binary_int(bytes, col.oid == 26).value_or(0));
    } else if (col.kind == ColumnKind::kBool) {
      text = !bytes.empty() && bytes[0] ? "t" : "f";
    } else if (col.kind == ColumnKind::kBytes) {
      text = "\\x";
      ferry::support::append_hex(text, bytes);
    } else if (col.wire == Wire::kJsonb) {
      text = std::string(bytes.substr(bytes.empty() ? 0 : 1));
    } else {
      text = std::string(bytes);
    }
    payload[col.name] = text;
  }
  return payload;
}

void PostgresSource::reject_row(int row, std::string_view key, const boost::json::object& payload,
                                const std::string& why) {
  host_.reject(partition_, position_of(row), key, boost::json::serialize(payload), std::string(kWho) + ": " + why);
  host_.count("postgres_source_rejected", 1);
}

void PostgresSource::drop_prefetch() {
  ahead_.reset();
  if (!prefetched_) return;
  prefetched_ = false;
  try {
    conn_->collect("dropping a page read ahead");
  } catch (const ferry::Error&) {
    conn_.reset();  // reconnect rather than guess at the connection's state
  }
}

void PostgresSource::remember_cursor(int row) {
  std::vector<std::string> values;
  for (size_t k : cursor_cols_) values.emplace_back(text_of(row, k));
  last_cursor_ = std::move(values);
}

std::string PostgresSource::position_of(int row) {
  encode_columns(row, cursor_cols_, &position_scratch_);
  return position_scratch_;
}

void PostgresSource::encode_columns(int row, const std::vector<size_t>& cols, std::string* out) {
  // Called twice per row: the scratch vector and string keep their
  // capacity, so a row costs no allocation here.
  out->clear();
  views_scratch_.clear();
  for (size_t k : cols) views_scratch_.push_back(text_of(row, k));
  append_position(*out, views_scratch_);
}

bool PostgresSource::convert_row(int row) {
  const PGresult* r = page_.get();
  for (size_t k : cursor_cols_)
    if (PQgetisnull(r, row, static_cast<int>(k)))
      fail(FERRY_ERROR_CONFIG, "cursor column " + quote_ident(columns_[k].name) +
                                   " is NULL in a row; cursor columns must be NOT NULL");
  // The next page starts after the last row's cursor: rows sharing it
  // beyond a page's end would be skipped. In cursor order they stand side
  // by side, so a page shows a cursor that is not unique.
  if (row > 0) {
    bool same = true;
    for (size_t k : cursor_cols_) same = same && text_of(row, k) == text_of(row - 1, k);
    if (same)
      fail(FERRY_ERROR_CONFIG, ferry::support::cursor_not_unique(partition_, position_of(row)));
  }

  std::string_view key;
  if (key_cols_.size() == 1) {
    key = text_of(row, key_cols_[0]);
  } else if (!key_cols_.empty()) {
    encode_columns(row, key_cols_, &key_scratch_);
    key = key_scratch_;
  }

  // Arrays indexed other than from 1 ('[0:2]={7,8,9}'): JSON would
  // renumber them. The row goes to the DLQ whole, as below.
  for (const SourceColumn& col : columns_) {
    if (col.dims_at < 0 || PQgetisnull(r, row, col.dims_at)) continue;
    const std::string_view dims = value(r, row, static_cast<size_t>(col.dims_at));
    bool from_one = true;
    for (size_t at = dims.find('['); at != std::string_view::npos && from_one; at = dims.find('[', at + 1))
      from_one = dims.substr(at + 1, 2) == "1:";
    if (from_one) continue;
    reject_row(row, key, row_payload(row),
               "column " + quote_ident(col.name) + " is an array indexed " + std::string(dims) +
                   "; a JSON array carries no index bounds, so it would come back indexed from 1");
    return false;
  }

  // Timestamps first: a row that cannot be represented goes to the DLQ
  // whole, before anything of it is in the batch.
  ts_scratch_.assign(columns_.size(), 0);
  for (size_t f = 0; f < columns_.size(); ++f) {
    if (columns_[f].kind != ColumnKind::kTimestamp || PQgetisnull(r, row, static_cast<int>(f))) continue;
    const TimestampParse st = read_binary_timestamp(value(r, row, f), &ts_scratch_[f]);
    if (st == TimestampParse::kOk) continue;
    if (st == TimestampParse::kBad) bad_binary(f, row);
    const boost::json::object payload = row_payload(row);
    const std::string why =
        st == TimestampParse::kInfinite ? "has no microsecond value (infinity)" : "is beyond the int64 microsecond range";
    reject_row(row, key, payload,
               "column " + quote_ident(columns_[f].name) + " value '" +
                   std::string(payload.at(columns_[f].name).as_string()) + "' " + why);
    return false;
  }

  encode_columns(row, cursor_cols_, &position_scratch_);
  const size_t out = builder_.add_row(key, position_scratch_);
  for (size_t f = 0; f < columns_.size(); ++f) {
    const int c = static_cast<int>(f);
    if (PQgetisnull(r, row, c)) continue;  // the row starts all NULL
    const std::string_view bytes = value(r, row, f);
    switch (columns_[f].kind) {
      case ColumnKind::kInt: {
        const std::optional<int64_t> v = read_binary_int(bytes, columns_[f].oid == 26);
        if (!v) bad_binary(f, row);
        builder_.set_int(out, f, *v);
        break;
      }
      case ColumnKind::kDouble: {
        const std::optional<double> v = read_binary_float(bytes);
        if (!v) bad_binary(f, row);
        builder_.set_double(out, f, *v);
        break;
      }
      case ColumnKind::kBool:
        if (bytes.size() != 1) bad_binary(f, row);
        builder_.set_bool(out, f, bytes[0] != 0);
        break;
      case ColumnKind::kTimestamp:
        builder_.set_timestamp(out, f, ts_scratch_[f]);
        break;
      case ColumnKind::kBytes:
        builder_.set_bytes(out, f, FERRY_TYPE_BYTES, bytes);
        break;
      case ColumnKind::kDecimal:
        builder_.set_bytes(out, f, FERRY_TYPE_DECIMAL, bytes);
        break;
      case ColumnKind::kJson:
        if (columns_[f].wire == Wire::kJsonb) {
          if (bytes.empty() || bytes[0] != 1) bad_binary(f, row);
          builder_.set_bytes(out, f, FERRY_TYPE_JSON, bytes.substr(1));
        } else {
          builder_.set_bytes(out, f, FERRY_TYPE_JSON, bytes);
        }
        break;
      case ColumnKind::kString:
        builder_.set_bytes(out, f, FERRY_TYPE_STRING, bytes);
        break;
    }
  }
  return true;
}

void PostgresSource::bad_binary(size_t col, int row) const {
  fail(FERRY_ERROR_INTERNAL, "column " + quote_ident(columns_[col].name) + " (" + columns_[col].sql_type +
                                 "): the server sent " + std::to_string(PQgetlength(page_.get(), row, static_cast<int>(col))) +
                                 " bytes, not a binary value of that type");
}

bool PostgresSource::next(FerryBatch* out) {
  if (!started_) fail(FERRY_ERROR_INTERNAL, "next() called before start()");
  uint64_t scanned = 0;
  int last_row = -1;
  // The byte limit never stops a batch before its first row: a batch
  // stopped there would read as the partition's end.
  while (builder_.rows() < batch_records_ &&
         (scanned == 0 || batch_bytes_ == 0 || builder_.approx_bytes() < batch_bytes_)) {
    if (!page_ || page_row_ >= PQntuples(page_.get())) {
      if (page_ && PQntuples(page_.get()) > 0) remember_cursor(PQntuples(page_.get()) - 1);
      if (!more_) break;
      page_.reset();
      // A lost connection throws RETRY here; last_cursor_ already covers
      // every row in the builder, so the next call resumes seamlessly.
      fetch_page();
      last_row = -1;
      if (PQntuples(page_.get()) == 0) {
        more_ = false;
        break;
      }
    }
    // Counted once converted: a row whose rejection failed is read again.
    convert_row(page_row_);
    last_row = page_row_++;
    ++scanned;
  }
  if (builder_.rows() == 0 && scanned == 0) {
    page_.reset();
    return false;
  }
  std::string position;
  if (last_row >= 0) {
    remember_cursor(last_row);
  }
  std::vector<std::string_view> values(last_cursor_->begin(), last_cursor_->end());
  append_position(position, values);
  builder_.finish(out, partition_, position);
  return true;
}

}  // namespace ferry_pg
