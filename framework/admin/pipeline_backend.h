// The admin API for one pipeline: over its state store always, and over its
// run while `ferry run --admin` runs it (`ferry serve` has no run: then
// checkpoints may be reset and replays started).
#pragma once

#include <atomic>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "admin/admin_backend.h"
#include "engine/progress.h"
#include "metrics/metrics.h"
#include "pipeline/definition.h"
#include "state/state_store.h"

namespace ferry::core {

class PipelineBackend final : public AdminBackend {
 public:
  // Runs a replay with the request's options ({"sink":..., "dry_run":...})
  // and returns a one-line summary; called on a background thread.
  using ReplayRunner = std::function<std::string(const boost::json::object& request)>;

  PipelineBackend(const PipelineDef& def, StateStore& state, Metrics& metrics, std::atomic<bool>& paused,
                  ReplayRunner replay);
  ~PipelineBackend() override;

  // While set, the pipeline counts as running: resets and replays are refused.
  void set_running(bool running) { running_ = running; }
  // How far the command serving this API is; shown while it runs.
  void set_progress(const Progress* progress) { progress_ = progress; }

  std::string metrics_text() override;
  boost::json::array pipelines() override;
  AdminResult pipeline(const std::string& name) override;
  AdminResult checkpoints(const std::string& name) override;
  AdminResult reset_checkpoints(const std::string& name, const std::optional<std::string>& partition) override;
  AdminResult dlq(const std::string& name, const std::optional<std::string>& status, int64_t limit) override;
  AdminResult dlq_entry(const std::string& name, int64_t id) override;
  AdminResult discard(const std::string& name, const std::vector<int64_t>& ids) override;
  AdminResult replay(const std::string& name, const boost::json::object& request) override;
  AdminResult pause(const std::string& name) override;
  AdminResult resume(const std::string& name) override;

 private:
  std::optional<AdminResult> unknown(const std::string& name) const;
  std::string state_name() const;

  const PipelineDef& def_;
  StateStore& state_;
  Metrics& metrics_;
  std::atomic<bool>& paused_;
  ReplayRunner replay_runner_;
  std::atomic<bool> running_{false};
  std::atomic<const Progress*> progress_{nullptr};
  std::atomic<bool> replaying_{false};
  std::mutex replay_mu_;
  std::string last_replay_;
  std::thread replay_thread_;
};

}  // namespace ferry::core
