// The two upserts of one backlog event on every store (SQLite, PostgreSQL,
// MySQL): one per error class, one for the pipeline's total. `Params` is the
// driver's parameter list (SqliteParams, PgParams, MysqlParams); only the
// SQL text and the call that runs it differ per driver.
#ifndef FERRY_PLUGINS_FAILURE_STATS_FAILURE_ROWS_H_
#define FERRY_PLUGINS_FAILURE_STATS_FAILURE_ROWS_H_

#include <cstdint>
#include <string_view>
#include <vector>

#include "failure_summary.h"

namespace ferry_failure_stats {

// What the statements name a second time, MySQL's way: its upserts bind each
// increment again rather than read VALUES(), which MySQL 8 deprecates and
// MariaDB keeps (row aliases are the reverse).
enum class Increments { kOnce, kBoundAgain };

// Runs `per_class(params)` for every class and then `totals(params)`,
// inside the caller's transaction.
template <class Params, class PerClass, class Totals>
void upsert_counts(std::string_view pipeline, std::string_view sink, const std::vector<ClassCount>& counts,
                   int64_t at_ms, Increments increments, PerClass per_class, Totals totals) {
  int64_t total = 0;
  Params p;
  for (const ClassCount& c : counts) {
    p.clear();
    p.text(pipeline);
    p.text(sink);
    p.text(c.error_class);
    p.int64(c.failures);
    p.int64(at_ms);
    p.text(c.last_message);
    if (increments == Increments::kBoundAgain) {
      p.int64(c.failures);
      p.int64(at_ms);
      p.text(c.last_message);
    }
    per_class(p);
    total += c.failures;
  }
  p.clear();
  p.text(pipeline);
  p.int64(total);
  p.int64(at_ms);
  if (increments == Increments::kBoundAgain) {
    p.int64(total);
    p.int64(at_ms);
  }
  totals(p);
}

}  // namespace ferry_failure_stats

#endif  // FERRY_PLUGINS_FAILURE_STATS_FAILURE_ROWS_H_
