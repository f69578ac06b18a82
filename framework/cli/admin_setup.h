// Starting the admin API for a command: the listen address from --admin, the
// bearer token from the environment variable --admin-token-env names (so it
// never shows in the process list).
#pragma once

#include <cstdlib>
#include <memory>
#include <optional>
#include <string>

#include "admin/admin_server.h"
#include "common/error.h"
#include "common/log.h"

namespace ferry::cli {

inline std::unique_ptr<core::AdminServer> start_admin(const std::optional<std::string>& listen,
                                                      const std::optional<std::string>& token_env,
                                                      core::AdminBackend& backend) {
  if (!listen) {
    if (token_env) throw UsageError("--admin-token-env needs --admin");
    return nullptr;
  }
  core::AdminServer::Options o = core::AdminServer::parse_listen(*listen);
  if (token_env) {
    const char* token = std::getenv(token_env->c_str());
    if (!token || !*token) throw core::Error("--admin-token-env: environment variable " + *token_env + " is not set");
    o.bearer_token = token;
  }
  auto server = std::make_unique<core::AdminServer>(o, backend);
  server->start();
  core::log_info("admin API on http://" + server->endpoint() + (o.bearer_token ? " (bearer token required)" : ""));
  return server;
}

}  // namespace ferry::cli
