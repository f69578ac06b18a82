// The pipeline-wide settings of a definition: state store, batching, retry
// and commit policy. Each reader reports problems at their JSON Pointer and
// leaves the default in place, so parsing carries on.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <boost/json/object.hpp>

#include "pipeline/definition.h"
#include "pipeline/json_fields.h"

namespace ferry::core::pipeline_internal {

// `state` may be null (absent): SQLite at "<name>.state.db" beside the file.
// A PostgreSQL DSN is added to `secrets`, since it usually holds a password.
StateDef parse_state(const boost::json::object* state, const std::string& pipeline_name,
                     const std::filesystem::path& base_dir, std::vector<std::string>& secrets,
                     Issues& issues);

void parse_batch(const boost::json::object& batch, PipelineDef& def, Issues& issues);

// Applies the members present in `retry` (at `path`) over `base`: the
// pipeline's policy is the base of every sink's own.
RetryPolicy parse_retry(const boost::json::object& retry, const std::string& path, RetryPolicy base,
                        Issues& issues);

// "all", "required" or "quorum(N)"; the quorum's upper bound depends on the
// sinks and is checked by the caller. Sets `error` on failure.
std::optional<CommitPolicy> parse_commit_policy(const std::string& text, std::string& error);

}  // namespace ferry::core::pipeline_internal
