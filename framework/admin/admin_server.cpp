#include "admin/admin_server.h"

#include <fcntl.h>

#include <mutex>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include "admin/connection.h"
#include "common/error.h"
#include "common/log.h"

namespace ferry::core {
namespace {

namespace net = boost::asio;
using tcp = net::ip::tcp;

// Two threads: one slow backend call (say, a checkpoint reset waiting on a
// lock) still leaves /metrics answering.
constexpr int kThreads = 2;
// Every connection holds a file descriptor the pipeline might need; a
// misbehaving scraper must not exhaust them.
constexpr int kMaxConnections = 32;

std::string format_endpoint(const std::string& host, uint16_t port) {
  bool v6 = host.find(':') != std::string::npos;
  return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

// Hook plugins may start child processes; they must not inherit the
// listening socket and keep the port bound after ferry exits.
void close_on_exec(int fd) {
  int flags = ::fcntl(fd, F_GETFD);
  if (flags >= 0) ::fcntl(fd, F_SETFD, flags | FD_CLOEXEC);
}

}  // namespace

struct AdminServer::Impl {
  Impl(Options options, AdminBackend& backend) : shared{backend, std::move(options.bearer_token)} {
    if (shared.token && shared.token->empty()) throw Error("admin bearer token is empty");
    if (shared.token) Logger::instance().add_secret(*shared.token);

    std::string where = format_endpoint(options.address, options.port);
    boost::system::error_code ec;
    net::ip::address address = net::ip::make_address(options.address, ec);
    if (ec) throw Error("cannot listen on " + where + ": '" + options.address + "' is not an IP address");
    tcp::endpoint endpoint(address, options.port);

    ioc = std::make_unique<net::io_context>(kThreads);
    acceptor = std::make_unique<tcp::acceptor>(*ioc);
    retry_timer = std::make_unique<net::steady_timer>(*ioc);
    auto check = [&](const boost::system::error_code& e) {
      if (e) throw Error("cannot listen on " + where + ": " + e.message());
    };
    acceptor->open(endpoint.protocol(), ec);
    check(ec);
    close_on_exec(acceptor->native_handle());
    // Lets a restarted ferry rebind while old connections sit in TIME_WAIT;
    // on Linux it does not allow two live listeners on one port.
    acceptor->set_option(net::socket_base::reuse_address(true), ec);
    check(ec);
    acceptor->bind(endpoint, ec);
    check(ec);
    acceptor->listen(net::socket_base::max_listen_connections, ec);
    check(ec);
    port = acceptor->local_endpoint().port();
    endpoint_text = format_endpoint(options.address, port);
  }

  void accept() {
    acceptor->async_accept(net::make_strand(*ioc), [this](boost::system::error_code ec, tcp::socket socket) {
      if (ec == net::error::operation_aborted) return;
      if (ec) {
        // EMFILE and friends: retrying at once would spin.
        log_warn("admin: accept failed: " + ec.message());
        retry_timer->expires_after(std::chrono::milliseconds(200));
        retry_timer->async_wait([this](boost::system::error_code e) {
          if (!e) accept();
        });
        return;
      }
      close_on_exec(socket.native_handle());
      // At the limit a new client takes the place of the oldest one that
      // has not sent a request; if every connection is busy, it waits its
      // turn by being refused.
      if (shared.connections.load() >= kMaxConnections && !shared.evict_oldest_waiting()) {
        log_debug("admin: every connection is busy with a request, closing a new one");
      } else {
        admin::serve_connection(std::move(socket), shared);
      }
      accept();
    });
  }

  void run_loop() {
    // A handler that throws loses its connection, not the server.
    for (;;) {
      try {
        ioc->run();
        return;
      } catch (const std::exception& e) {
        log_error(std::string("admin: unexpected error: ") + e.what());
      }
    }
  }

  // Declared before the io_context: connections destroyed with it still
  // decrement the counter in here.
  admin::ServerShared shared;
  uint16_t port = 0;
  std::string endpoint_text;

  std::mutex mu;
  bool started = false;
  bool stopped = false;
  std::unique_ptr<net::io_context> ioc;
  std::unique_ptr<tcp::acceptor> acceptor;
  std::unique_ptr<net::steady_timer> retry_timer;
  std::vector<std::thread> threads;
};

AdminServer::AdminServer(Options options, AdminBackend& backend)
    : impl_(std::make_unique<Impl>(std::move(options), backend)) {}

AdminServer::~AdminServer() { stop(); }

uint16_t AdminServer::port() const { return impl_->port; }

std::string AdminServer::endpoint() const { return impl_->endpoint_text; }

void AdminServer::start() {
  std::lock_guard<std::mutex> lock(impl_->mu);
  if (impl_->started || impl_->stopped) return;
  impl_->started = true;
  impl_->accept();
  for (int i = 0; i < kThreads; ++i) impl_->threads.emplace_back([this] { impl_->run_loop(); });
  log_debug("admin: listening on " + impl_->endpoint_text);
}

void AdminServer::stop() {
  std::lock_guard<std::mutex> lock(impl_->mu);
  if (impl_->stopped) return;
  impl_->stopped = true;
  impl_->ioc->stop();
  for (std::thread& t : impl_->threads) t.join();
  impl_->threads.clear();
  // Tearing the io_context down destroys the handlers still queued, and
  // with them every open connection, so nothing outlives stop().
  impl_->retry_timer.reset();
  impl_->acceptor.reset();
  impl_->ioc.reset();
}

}  // namespace ferry::core
