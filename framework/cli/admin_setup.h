// Starting the admin API for a command: the listen address from --admin, the
// bearer token from the environment variable --admin-token-env names (so it
// never shows in the process list).
#pragma once

#include <atomic>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>

#include "admin/admin_server.h"
#include "admin/pipeline_backend.h"
#include "cli/commands.h"
#include "common/error.h"
#include "common/log.h"
#include "engine/engine.h"
#include "engine/progress.h"

namespace ferry::cli {

inline std::unique_ptr<core::AdminServer> start_admin(const AdminArgs& a, core::AdminBackend& backend) {
  if (!a.listen) {
    if (a.token_env) throw UsageError("--admin-token-env needs --admin");
    if (a.insecure) throw UsageError("--admin-insecure needs --admin");
    return nullptr;
  }
  core::AdminServer::Options o;
  try {
    o = core::AdminServer::parse_listen(*a.listen);
  } catch (const core::Error& e) {
    throw UsageError(e.what());  // what the command line said, not what went wrong running it
  }
  if (a.token_env) {
    const char* token = std::getenv(a.token_env->c_str());
    if (!token || !*token) throw core::Error("--admin-token-env: environment variable " + *a.token_env + " is not set");
    o.bearer_token = token;
  }
  // Checkpoint reset, replay and discard are one request away: beyond this
  // machine they are served only behind a token, or when told twice.
  if (!o.bearer_token && !core::AdminServer::is_loopback(o.address) && !a.insecure)
    throw UsageError("--admin " + *a.listen + " serves beyond this machine without a token: anyone who " +
                     "reaches it could reset checkpoints and replay or discard the DLQ. Set " +
                     "--admin-token-env VAR (the token in $VAR), or add --admin-insecure to accept that");
  auto server = std::make_unique<core::AdminServer>(o, backend);
  server->start();
  core::log_info("admin API on http://" + server->endpoint() + (o.bearer_token ? " (bearer token required)" : ""));
  return server;
}

// The admin API and /metrics over a command that moves data (run, replay,
// backfill): its metrics, pause and resume, and the pipeline's state; while
// it lives the pipeline counts as running, so resets and replays through
// the API are refused.
class ServedCommand {
 public:
  ServedCommand(const core::PipelineDef& def, core::StateStore& state, const AdminArgs& admin, std::string what)
      : progress_(def.name),
        backend_(def, state, metrics, paused, [what](const boost::json::object&) -> std::string {
          throw core::Error("replay is not available while " + what + " runs");
        }) {
    backend_.set_running(true);
    backend_.set_progress(&progress_);
    // Before any data moves: a port in use fails the command, not halfway.
    server_ = start_admin(admin, backend_);
  }
  ~ServedCommand() { backend_.set_running(false); }
  ServedCommand(const ServedCommand&) = delete;
  ServedCommand& operator=(const ServedCommand&) = delete;

  // Counts into these metrics, waits while paused, and shows its progress.
  void attach(core::EngineOptions& options) {
    options.metrics = &metrics;
    options.paused = &paused;
    options.progress_tracker = &progress_;
  }

  core::Metrics metrics;
  std::atomic<bool> paused{false};

 private:
  core::Progress progress_;
  core::PipelineBackend backend_;
  std::unique_ptr<core::AdminServer> server_;
};

}  // namespace ferry::cli
