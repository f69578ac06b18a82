#include "failure_store.h"

#include <utility>

#include "../sql-hook-common/hook_sql.h"

namespace ferry_failure_stats {

using namespace ferry_sql_hooks;  // what every SQL hook shares

namespace {

constexpr const char* kClassWhat = "updating failure stats";
constexpr const char* kTotalsWhat = "updating failure totals";

std::vector<SchemaObject> schema(Dialect d, const std::string& prefix) {
  const Table per_class{prefix + "failure_stats",
                        {{"pipeline", ColumnType::kKeyName},
                         {"sink", ColumnType::kKeyName},
                         {"error_class", ColumnType::kKeyClass},
                         {"failures", ColumnType::kInt64},
                         {"last_failure_at_ms", ColumnType::kInt64},
                         {"last_message", ColumnType::kText, true}},
                        {"pipeline", "sink", "error_class"}};
  const Table totals{prefix + "failure_totals",
                     {{"pipeline", ColumnType::kKeyName},
                      {"failures", ColumnType::kInt64},
                      {"last_failure_at_ms", ColumnType::kInt64}},
                     {"pipeline"}};
  return {{per_class.name, create_table_sql(d, per_class)}, {totals.name, create_table_sql(d, totals)}};
}

}  // namespace

FailureStore::FailureStore(std::unique_ptr<HookDb> db, const Options& opts)
    : db_(std::move(db)),
      // The newest time stays if clocks step back between events.
      per_class_(upsert_sql(db_->dialect(), opts.table_prefix + "failure_stats",
                            {"pipeline", "sink", "error_class", "failures", "last_failure_at_ms", "last_message"},
                            {"pipeline", "sink", "error_class"},
                            {{"failures", Merge::kAdd},
                             {"last_failure_at_ms", Merge::kMax},
                             {"last_message", Merge::kReplace}})),
      totals_(upsert_sql(db_->dialect(), opts.table_prefix + "failure_totals",
                         {"pipeline", "failures", "last_failure_at_ms"}, {"pipeline"},
                         {{"failures", Merge::kAdd}, {"last_failure_at_ms", Merge::kMax}})) {
  db_->create_schema(schema(db_->dialect(), opts.table_prefix), "ferry failure-stats schema");
  db_->check(per_class_, kClassWhat);
  db_->check(totals_, kTotalsWhat);
}

void FailureStore::record(std::string_view pipeline, std::string_view sink, const std::vector<ClassCount>& counts,
                          int64_t at_ms) {
  const std::unique_ptr<HookTransaction> tx = db_->begin();
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
    db_->exec(per_class_, p, kClassWhat);
    total += c.failures;
  }
  p.clear();
  p.text(pipeline);
  p.int64(total);
  p.int64(at_ms);
  db_->exec(totals_, p, kTotalsWhat);
  tx->commit();
}

}  // namespace ferry_failure_stats
