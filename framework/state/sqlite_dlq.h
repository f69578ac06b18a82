// The DLQ operations of the SQLite state store, on its connection. The
// caller (the store, through SqliteBackend) holds its mutex around each call.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "state/sqlite_db.h"
#include "state/state_store.h"

namespace ferry::core::sqlite_state {

// Inside the caller's transaction. An entry marked dedup is skipped while an
// unresolved entry with the same partition, position, stage, sink and
// record exists; `ids` (if given) gets the id either way.
void insert_dlq(Connection& c, const std::vector<DlqEntry>& entries, int64_t now, std::vector<int64_t>* ids);
// Inside the caller's transaction: settles entries that are still pending
// or failed_again.
void change_dlq(Connection& c, const std::string& pipeline, const std::vector<DlqChange>& changes, int64_t now);

// Each in a transaction of its own where it writes.
std::vector<int64_t> add_dlq(Connection& c, const std::vector<DlqEntry>& entries);
std::vector<DlqEntry> list_dlq(Connection& c, const DlqFilter& filter);
std::optional<DlqEntry> get_dlq(Connection& c, const std::string& pipeline, int64_t id);
void update_dlq(Connection& c, const std::string& pipeline, int64_t id, DlqStatus status,
                const std::optional<std::string>& message, const std::optional<int64_t>& attempts);
std::vector<std::pair<DlqStatus, int64_t>> count_dlq(Connection& c, const std::string& pipeline);
int64_t last_dlq_id(Connection& c, const std::string& pipeline);

}  // namespace ferry::core::sqlite_state
