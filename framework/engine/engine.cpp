#include "engine/engine.h"

#include <cstdio>
#include <random>

#include "engine/pipeline_run.h"

namespace ferry::core {

Engine::Engine(const PipelineDef& def, const PluginRegistry& plugins, StateStore& state)
    : def_(def), plugins_(plugins), state_(state) {}

Engine::~Engine() = default;

RunSummary Engine::run(const EngineOptions& options) {
  PipelineRun run(def_, plugins_, state_, options);
  return run.execute();
}

std::string new_run_id() {
  std::random_device rd;
  std::mt19937_64 rng((static_cast<uint64_t>(rd()) << 32) ^ rd());
  char buf[40];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(rng()));
  return buf;
}

std::string format_summary(const std::string& pipeline, const RunSummary& s) {
  char rate[64];
  std::snprintf(rate, sizeof rate, "%.2f s, %.0f records/s", s.seconds,
                s.seconds > 0 ? static_cast<double>(s.counts.read) / s.seconds : 0.0);
  std::string out = pipeline + ": " + to_string(s.status) + " — read " + std::to_string(s.counts.read) +
                    ", written " + std::to_string(s.counts.written) + ", rejected " +
                    std::to_string(s.counts.rejected) + ", batches " + std::to_string(s.counts.batches) +
                    ", " + rate;
  if (s.retries) out += ", retries " + std::to_string(s.retries);
  if (!s.message.empty()) out += " (" + s.message + ")";
  return out;
}

}  // namespace ferry::core
