// What the admin API serves, seen from the HTTP side. The engine (one
// running pipeline, or several) implements it; the server only maps routes,
// auth and errors onto it. Every method may be called from the server's
// threads while the pipeline runs, so implementations are thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

namespace ferry::core {

// The outcome of an admin action that can be refused.
struct AdminResult {
  int http_status = 200;           // 200, 202, 404 (no such pipeline/partition), 409 (refused: running), 400
  boost::json::object body;        // the JSON answer, or {"error": "..."} for a refusal
};

class AdminBackend {
 public:
  virtual ~AdminBackend() = default;

  virtual std::string metrics_text() = 0;  // Prometheus text format
  // [{"name":..., "state":"running"|"paused"|"idle"|..., ...}]
  virtual boost::json::array pipelines() = 0;
  // 404 when unknown. Name, state, counts, checkpoints summary, run id.
  virtual AdminResult pipeline(const std::string& name) = 0;
  virtual AdminResult checkpoints(const std::string& name) = 0;
  // Refused with 409 while the pipeline runs (and not paused? no: while it runs at all).
  virtual AdminResult reset_checkpoints(const std::string& name, const std::optional<std::string>& partition) = 0;
  // status: pending/resolved/failed_again/discarded or empty for all; limit > 0.
  virtual AdminResult dlq(const std::string& name, const std::optional<std::string>& status, int64_t limit) = 0;
  // One entry with its record and error; 404 when there is none.
  virtual AdminResult dlq_entry(const std::string& name, int64_t id) = 0;
  // Discards the pending or failed_again entries of {"ids": [...]}; 409
  // while a replay runs.
  virtual AdminResult discard(const std::string& name, const std::vector<int64_t>& ids) = 0;
  // Starts a replay of the pipeline's pending DLQ entries (optionally for one
  // sink, or the entries of "ids" that are pending or failed_again);
  // 202 with {"replay": "started"} or 409 if the pipeline's sinks are busy.
  virtual AdminResult replay(const std::string& name, const boost::json::object& request) = 0;
  virtual AdminResult pause(const std::string& name) = 0;
  virtual AdminResult resume(const std::string& name) = 0;
};

}  // namespace ferry::core
