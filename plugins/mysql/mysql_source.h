// The mysql source: reads a table or a query in keyset order on a cursor of
// one or two columns, in pages of max_batch_records rows, optionally split
// into integer-range partitions p0..p<n-1> with a checkpoint each.
//
// Position: the cursor values of the last row handed over (see position.h);
// a resume reads strictly after it, so nothing is read twice or skipped.
//
// Thread safety: one instance is called serially (ABI convention 4).
#ifndef FERRY_PLUGINS_MYSQL_MYSQL_SOURCE_H_
#define FERRY_PLUGINS_MYSQL_MYSQL_SOURCE_H_

#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>

#include <ferry/plugin.hpp>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "position.h"
#include "session.h"
#include "source_options.h"
#include "source_query.h"

namespace ferry_mysql {

class MysqlSource final : public ferry::Source {
 public:
  explicit MysqlSource(const ferry::Context& ctx);
  // The configuration as the constructor reads it, without connecting (ABI 1.3).
  static void check_config(const ferry::Context& ctx);
  ~MysqlSource() override;

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
  void describe_columns();
  int64_t checked_index(std::string_view partition) const;
  PartitionBounds computed_bounds(int64_t index);
  void begin(std::string_view partition, const std::string_view* position);
  // The first column of the rows of `sql`, an information_schema query
  // with the table's database and name bound to its two parameters.
  // Throws sql::SQLException.
  std::vector<std::string> names_about_table(const char* sql);
  std::vector<std::string> json_columns();
  std::vector<std::string> primary_key();
  void load_range();
  void prepare_pages();
  void bind_page(sql::PreparedStatement& stmt, bool after_cursor);
  // Before a page after `page_end` (the last cursor read or checkpointed):
  // stops the run if more than one row of the partition has that cursor,
  // since the page, after it, would skip the others. A failed check moves
  // nothing, so a retry asks again.
  void check_cursor_unique(const std::vector<CursorValue>& page_end);
  void read_row(sql::ResultSet& rs);
  // Why the row holds a value no Ferry type represents exactly (a zero
  // DATETIME), or nothing; such a row goes to the DLQ, not into the batch.
  std::optional<std::string> unrepresentable(sql::ResultSet& rs);
  void refuse_row(sql::ResultSet& rs, const std::string& key, const std::string& position, const std::string& why);
  CursorValue cursor_value(sql::ResultSet& rs, size_t column);
  void discard_partial_batch();
  [[noreturn]] void fail(FerryStatus status, const std::string& message) const;

  SourceOptions opts_;
  ferry::Host host_;
  uint64_t batch_records_;
  std::string where_;  // "table `db`.`t`" or "query", for messages
  Session session_;
  std::unique_ptr<SourceQuery> query_;
  ferry::BatchBuilder builder_;

  std::optional<int64_t> range_min_;
  std::optional<int64_t> range_max_;

  // The started partition.
  bool started_ = false;
  std::string partition_;
  PartitionBounds bounds_;
  std::optional<std::vector<CursorValue>> last_;
  bool exhausted_ = false;
  std::unique_ptr<sql::PreparedStatement> first_page_;
  std::unique_ptr<sql::PreparedStatement> next_page_;
  std::unique_ptr<sql::PreparedStatement> ties_;
  uint64_t pages_generation_ = 0;  // session generation the pages belong to
  std::vector<CursorValue> row_cursor_;
};

}  // namespace ferry_mysql

#endif  // FERRY_PLUGINS_MYSQL_MYSQL_SOURCE_H_
