// One HTTP/1.1 connection of the admin server (keep-alive, limits,
// timeouts). Internal to the admin folder.
#pragma once

#include <atomic>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include <boost/asio/ip/tcp.hpp>

#include "admin/admin_backend.h"

namespace ferry::core::admin {

// A connection the server may close to make room for a new one.
class Evictable {
 public:
  virtual ~Evictable() = default;
  // Closes the connection if it is still waiting for a request header (idle
  // or trickling one in); false if it is busy with a request.
  virtual bool evict_if_waiting() = 0;
};

// What every connection shares; owned by the server and outlives all of them.
struct ServerShared {
  ServerShared(AdminBackend& b, std::optional<std::string> t) : backend(b), token(std::move(t)) {}

  AdminBackend& backend;
  std::optional<std::string> token;
  std::atomic<int> connections{0};

  // Open connections, oldest first.
  std::mutex mu;
  std::list<std::weak_ptr<Evictable>> sessions;

  // Closes the oldest connection that is waiting for a header. Clients that
  // open connections and send nothing (or a byte now and then) cannot
  // lock out a scrape that has a request to make.
  bool evict_oldest_waiting();
};

// Serves requests on `socket` until the client leaves, a timeout or an
// error. The socket's executor must be a strand: the session relies on it
// to keep its timer and its I/O from running at once.
void serve_connection(boost::asio::ip::tcp::socket socket, ServerShared& shared);

}  // namespace ferry::core::admin
