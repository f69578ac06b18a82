// The DLQ of the SQLite state store, on its connection: an entry's record
// in dlq_entries with its schema kept once in dlq_schemas, its settlement
// in dlq_state (schema version 5), and query plans that keep listing a
// large DLQ a range scan. The store calls it under its mutex.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "state/sqlite_db.h"
#include "state/state_backend.h"
#include "state/state_store.h"

namespace ferry::core::sqlite_state {

class SqliteDlq final : public state_sql::DlqTables {
 public:
  explicit SqliteDlq(Connection& c) : c_(c) {}

  void insert_dlq(const std::vector<DlqEntry>& entries, int64_t now, std::vector<int64_t>* ids) override;
  void change_dlq(const std::string& pipeline, const std::vector<DlqChange>& changes, int64_t now) override;
  std::vector<DlqEntry> list_dlq(const DlqFilter& filter) override;
  std::optional<DlqEntry> get_dlq(const std::string& pipeline, int64_t id) override;
  void update_dlq(const std::string& pipeline, int64_t id, DlqStatus status, const std::optional<std::string>& message,
                  const std::optional<int64_t>& attempts) override;
  std::vector<std::pair<DlqStatus, int64_t>> count_dlq(const std::string& pipeline) override;
  int64_t last_dlq_id(const std::string& pipeline) override;

 private:
  Connection& c_;
};

}  // namespace ferry::core::sqlite_state
