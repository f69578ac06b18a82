// One HTTP/1.1 connection of the admin server (keep-alive, limits,
// timeouts). Internal to the admin folder.
#pragma once

#include <atomic>
#include <optional>
#include <string>

#include <boost/asio/ip/tcp.hpp>

#include "admin/admin_backend.h"

namespace ferry::core::admin {

// What every connection shares; owned by the server and outlives all of them.
struct ServerShared {
  AdminBackend& backend;
  std::optional<std::string> token;
  std::atomic<int> connections{0};
};

// Serves requests on `socket` until the client leaves, a timeout or an
// error. The socket's executor must be a strand: the session relies on it
// to keep its timer and its I/O from running at once.
void serve_connection(boost::asio::ip::tcp::socket socket, ServerShared& shared);

}  // namespace ferry::core::admin
