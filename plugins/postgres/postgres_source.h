// The postgres source: keyset pagination over a table or query.
//
// Each page is `SELECT .. WHERE (cursor) > ($1[,$2]) [AND partition range]
// ORDER BY cursor LIMIT n`, never OFFSET, so a page costs the same at the
// end of a table as at the start and a restart resumes exactly after the
// last committed row (the position holds its cursor values). The next page
// is requested as soon as a full page arrives, so the server produces it
// while this one is converted.
//
// Pages come in binary: integers, floats, booleans, bytea and timestamps
// need no printing by the server nor parsing here. Every other column is
// selected through its type's output function (`numeric_out(c)`,
// `uuid_out(c)`, ...), whose binary form is that text, exactly what a text
// result held. Cursor and key columns that come in binary are selected a
// second time as text: positions and keys stay the text forms they always
// were, so checkpoints written before still resume.
//
// Thread safety: one instance is called serially (ABI convention 4).
#ifndef FERRY_PLUGINS_POSTGRES_POSTGRES_SOURCE_H_
#define FERRY_PLUGINS_POSTGRES_POSTGRES_SOURCE_H_

#include <boost/json.hpp>
#include <ferry/plugin.hpp>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "connection.h"
#include "source_columns.h"
#include "source_options.h"

namespace ferry_pg {

class PostgresSource final : public ferry::Source {
 public:
  explicit PostgresSource(const ferry::Context& ctx);
  // The configuration as the constructor reads it, without connecting (ABI 1.3).
  static void check_config(const ferry::Context& ctx);

  std::vector<std::string> partitions() override;
  void start(std::string_view partition, const std::string_view* position) override;
  // ABI 1.5: each partition's key range as its descriptor
  // (support/sql/key_range.h), so that bounds computed from the data hold
  // for every instance and run until the checkpoints are reset.
  std::optional<std::vector<Planned>> describe() override;
  void start_described(std::string_view partition, std::string_view descriptor,
                       const std::string_view* position) override;
  bool next(FerryBatch* out) override;

 private:
  struct Range {
    std::optional<int64_t> lo;  // inclusive
    std::optional<int64_t> hi;  // exclusive
  };

  Connection& connection();
  void describe_columns();
  // Whether the page selects the column's text through text_expr.
  bool printed_by_call(const SourceColumn& col) const;
  void choose_text_exprs();
  void compute_ranges(bool warn_moving_bounds);
  size_t partition_index(std::string_view partition) const;
  void start_range(std::string_view partition, const Range& range, const std::string_view* position);
  std::string page_sql(const Range& range, bool after_cursor) const;
  // "(t.a, t.b) <op> ($1::ta, $2::tb)" over the cursor columns of alias t.
  std::string cursor_comparison(const char* alias, const char* op) const;
  std::vector<std::string> partition_conditions(const Range& range, const char* alias) const;
  // How many rows of the range (0, 1, or 2 for "more than one") have the
  // cursor equal to $1.. ; the server compares, as the pages do.
  std::string ties_sql(const Range& range) const;
  // Stops the run when rows other than the one before the page share the
  // cursor the page starts after (the page's last column counts them).
  void check_page_start(Connection& c, const std::string& what);
  void fetch_page();
  // Reads and discards a page asked for ahead, so the connection is idle.
  void drop_prefetch();
  // The text form of column `col` in `row` (a cursor or key column).
  std::string_view text_of(int row, size_t col) const;
  // The row as JSON of its columns' text forms, for the DLQ; asks the server
  // to print the floats and timestamps it sent in binary.
  boost::json::object row_payload(int row);
  // Sends the row to the DLQ with `why` (after "postgres source: ").
  void reject_row(int row, std::string_view key, const boost::json::object& payload, const std::string& why);
  void remember_cursor(int row);
  std::string position_of(int row);
  // The JSON array of the row's values of `cols` (a position or a key).
  void encode_columns(int row, const std::vector<size_t>& cols, std::string* out);
  // Adds the row to the batch, or sends it to the DLQ and returns false.
  bool convert_row(int row);
  [[noreturn]] void bad_binary(size_t col, int row) const;
  size_t column_index(const std::string& name, std::string_view option) const;

  ferry::Host host_;
  SourceOptions opts_;
  uint64_t batch_records_;
  uint64_t batch_bytes_;
  std::string from_;  // `"s"."t"` or `(query)`
  std::unique_ptr<Connection> conn_;
  std::vector<SourceColumn> columns_;
  std::vector<size_t> cursor_cols_;
  std::vector<size_t> key_cols_;
  std::optional<size_t> partition_col_;
  std::vector<Range> ranges_;
  ferry::BatchBuilder builder_;

  // The partition being read.
  bool started_ = false;
  std::string partition_;
  std::string first_sql_;  // first page
  std::string next_sql_;   // pages after last_cursor_
  std::string ties_sql_;   // rows sharing a cursor, asked alone after an empty page
  std::optional<std::vector<std::string>> last_cursor_;
  Result page_;
  int page_row_ = 0;
  bool more_ = false;  // the last page was full: there may be more rows
  bool prefetched_ = false;  // the page after page_ is requested and not yet read
  Result ahead_;  // that page, read early to use the connection in between
  std::vector<int64_t> ts_scratch_;
  std::vector<std::string_view> views_scratch_;
  std::string position_scratch_;
  std::string key_scratch_;
};

}  // namespace ferry_pg

#endif  // FERRY_PLUGINS_POSTGRES_POSTGRES_SOURCE_H_
