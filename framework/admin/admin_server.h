// The HTTP side of the admin API (docs/admin-api.md): metrics, pipeline
// state, checkpoints, DLQ and pause/resume, served from background threads
// so a slow or hostile client never holds up the pipeline. Routes live in
// routes.cpp; this class owns the socket, the threads and their lifetime.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "admin/admin_backend.h"

namespace ferry::core {

class AdminServer {
 public:
  struct Options {
    std::string address = "127.0.0.1";  // an IP literal; loopback unless told otherwise
    uint16_t port = 9464;                // 0 = any free port, see port()
    std::optional<std::string> bearer_token;  // required on every request when set
  };

  // Binds and listens at once, so a taken port fails the command before the
  // pipeline starts. Throws Error("cannot listen on 127.0.0.1:9464: Address
  // already in use") and the like.
  AdminServer(Options options, AdminBackend& backend);
  ~AdminServer();  // stop()
  AdminServer(const AdminServer&) = delete;
  AdminServer& operator=(const AdminServer&) = delete;

  uint16_t port() const;         // the bound port, useful with port 0
  std::string endpoint() const;  // "127.0.0.1:9464" / "[::1]:9464", for log lines

  // Serves on background threads and returns at once. Once only; a no-op
  // when already started or stopped.
  void start();
  // Stops accepting, drops open connections and joins the threads. Waits at
  // most for backend calls in progress. Idempotent.
  void stop();

  // "127.0.0.1:9464", "[::1]:9464", ":9464" and "9464" (both loopback),
  // "0.0.0.0:9464" (every interface, only when written out), "localhost:9464".
  // Throws Error with the accepted forms on anything else.
  static Options parse_listen(const std::string& spec);
  // Whether an address from parse_listen reaches only this machine.
  static bool is_loopback(const std::string& address);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ferry::core
