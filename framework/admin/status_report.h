// The facts about a pipeline that `ferry status` prints and the admin API
// serves: checkpoints (with schema versions and age), per-sink acks, DLQ
// counts, recent runs, schema history and the backfill ledger. Read from the
// state store alone, so it works whether or not the pipeline runs.
#pragma once

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include "state/state_store.h"

namespace ferry::core {

boost::json::array checkpoints_json(StateStore& state, const std::string& pipeline);
boost::json::object dlq_counts_json(StateStore& state, const std::string& pipeline);
boost::json::object status_report(StateStore& state, const std::string& pipeline);
// One DLQ entry and its error, as `ferry dlq show` prints it and the admin
// API serves it; with its record (as JSON when it is JSON) unless a list
// asks for the summary only.
boost::json::object dlq_entry_json(const DlqEntry& e, bool with_record = true);

}  // namespace ferry::core
