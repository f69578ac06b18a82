// The DLQ operations of the PostgreSQL state store, on its connection: an
// entry's record in dlq_entries, its settlement in dlq_state (schema
// version 2). The store calls each through PostgresBackend, under its
// mutex and the back end's reconnect-once rule.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "state/postgres_db.h"
#include "state/state_store.h"

namespace ferry::core::pg_state {

// Inside the caller's transaction; see DlqEntry::dedup.
void insert_dlq(Connection& c, const std::vector<DlqEntry>& entries, int64_t now, std::vector<int64_t>* ids);
// Inside the caller's transaction: settles entries still pending or failed_again.
void change_dlq(Connection& c, const std::string& pipeline, const std::vector<DlqChange>& changes, int64_t now);

std::vector<int64_t> add_dlq(Connection& c, const std::vector<DlqEntry>& entries);
std::vector<DlqEntry> list_dlq(Connection& c, const DlqFilter& filter);
std::optional<DlqEntry> get_dlq(Connection& c, const std::string& pipeline, int64_t id);
void update_dlq(Connection& c, const std::string& pipeline, int64_t id, DlqStatus status,
                const std::optional<std::string>& message, const std::optional<int64_t>& attempts);
std::vector<std::pair<DlqStatus, int64_t>> count_dlq(Connection& c, const std::string& pipeline);
int64_t last_dlq_id(Connection& c, const std::string& pipeline);

}  // namespace ferry::core::pg_state
