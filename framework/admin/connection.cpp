#include "admin/connection.h"

#include <chrono>
#include <cstdio>
#include <memory>

#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "admin/routes.h"
#include "common/log.h"

namespace ferry::core::admin {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;

// Generous for a human with curl, short enough that stalled clients do not
// pile up.
constexpr auto kIoTimeout = std::chrono::seconds(30);
// A whole request header (and the wait for it on a kept-alive connection)
// must arrive within this: a client trickling a header line every few
// seconds is cut off, not served for half a minute.
constexpr auto kHeaderTimeout = std::chrono::seconds(5);
// After an error reply the client may still be sending its body; reading it
// for a moment lets it see our answer instead of a connection reset.
constexpr auto kLingerTimeout = std::chrono::seconds(2);

class Session : public Evictable, public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, ServerShared& shared) : stream_(std::move(socket)), shared_(shared) {
    ++shared_.connections;
  }
  ~Session() override { --shared_.connections; }

  void read_header() {
    parser_.emplace();
    parser_->header_limit(kMaxHeaderBytes);
    parser_->body_limit(kMaxBodyBytes);
    // One deadline for the whole header, not per read.
    stream_.expires_after(kHeaderTimeout);
    waiting_ = true;
    http::async_read_header(stream_, buffer_, *parser_,
                            [self = shared_from_this()](beast::error_code ec, size_t) { self->on_header(ec); });
  }

  // Called from the accepting thread: the close itself runs on this
  // connection's strand. Whoever clears `waiting_` first wins, so a header
  // that just arrived is served, and a connection is evicted once.
  bool evict_if_waiting() override {
    if (!waiting_.exchange(false)) return false;
    net::post(stream_.get_executor(), [self = shared_from_this()] {
      beast::error_code ignored;
      self->stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
      self->stream_.cancel();
    });
    return true;
  }

 private:
  void on_header(beast::error_code ec) {
    if (!waiting_.exchange(false)) return;  // evicted
    if (ec) return on_read_error(ec);
    started_ = Clock::now();
    const auto& req = parser_->get();
    // Checked on the header, before any body is read: a client without the
    // token does not get to upload a megabyte first.
    if (auto refused = check_auth(shared_.token, request_view())) {
      bool body_pending = !parser_->is_done();
      return send(*refused, body_pending || !req.keep_alive());
    }
    // curl sends "Expect: 100-continue" for larger bodies and would otherwise
    // wait a second before sending it.
    if (!parser_->is_done() && beast::iequals(req[http::field::expect], "100-continue")) {
      continue_ = http::response<http::empty_body>(http::status::continue_, req.version());
      stream_.expires_after(kIoTimeout);
      http::async_write(stream_, continue_, [self = shared_from_this()](beast::error_code ec, size_t) {
        if (!ec) self->read_body();
      });
      return;
    }
    read_body();
  }

  void read_body() {
    if (parser_->is_done()) return handle();
    stream_.expires_after(kIoTimeout);
    http::async_read(stream_, buffer_, *parser_, [self = shared_from_this()](beast::error_code ec, size_t) {
      if (ec) return self->on_read_error(ec);
      self->handle();
    });
  }

  void on_read_error(beast::error_code ec) {
    if (ec == http::error::body_limit) return reply_and_close(json_error(413, "request body larger than 1 MiB"));
    if (ec == http::error::header_limit)
      return reply_and_close(json_error(431, "request header fields larger than 16 KiB"));
    bool protocol_error = ec.category() == http::make_error_code(http::error::bad_method).category() &&
                          ec != http::error::end_of_stream && ec != http::error::partial_message;
    if (protocol_error) return reply_and_close(json_error(400, "malformed HTTP request: " + ec.message()));
    // End of stream, timeout, reset: nobody to answer. Dropping the last
    // reference closes the socket.
  }

  Request request_view() const {
    const auto& req = parser_->get();
    Request request;
    request.method = req.method_string();
    request.target = req.target();
    request.body = req.body();
    if (auto it = req.find(http::field::authorization); it != req.end()) request.authorization = it->value();
    return request;
  }

  void handle() { send(route(shared_.backend, request_view()), !parser_->get().keep_alive()); }

  void reply_and_close(const Response& response) {
    if (!parser_->is_header_done()) started_ = Clock::now();
    send(response, true);
  }

  void send(const Response& r, bool close) {
    bool have_request = parser_->is_header_done();
    const auto& req = parser_->get();
    log_request(have_request ? std::string(req.method_string()) : "-",
                have_request ? std::string(req.target()) : "-", r.status);

    res_.emplace();
    res_->version(have_request ? req.version() : 11);
    res_->result(static_cast<unsigned>(r.status));
    res_->set(http::field::server, "ferry-admin");
    res_->set(http::field::content_type, r.content_type);
    res_->set(http::field::cache_control, "no-store");
    for (const auto& [name, value] : r.headers) res_->set(name, value);
    res_->body() = r.body;
    res_->keep_alive(!close);
    res_->prepare_payload();
    stream_.expires_after(kIoTimeout);
    http::async_write(stream_, *res_, [self = shared_from_this(), close](beast::error_code ec, size_t) {
      if (ec) return;
      if (close) return self->linger();
      self->read_header();
    });
  }

  void log_request(const std::string& method, const std::string& target, int status) {
    if (Logger::instance().level() > LogLevel::Debug) return;
    double ms = std::chrono::duration<double, std::milli>(Clock::now() - started_).count();
    char elapsed[32];
    std::snprintf(elapsed, sizeof elapsed, "%.1fms", ms);
    log_debug("admin: " + method + " " + target + " " + std::to_string(status) + " " + elapsed);
  }

  void linger() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream_.expires_after(kLingerTimeout);  // a deadline for the whole drain, not per read
    drain();
  }

  void drain() {
    stream_.async_read_some(net::buffer(drain_buffer_), [self = shared_from_this()](beast::error_code ec, size_t) {
      if (!ec) self->drain();
    });
  }

  beast::tcp_stream stream_;
  ServerShared& shared_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;  // one per request, as Beast requires
  std::optional<http::response<http::string_body>> res_;
  http::response<http::empty_body> continue_;
  char drain_buffer_[4096];
  Clock::time_point started_ = Clock::now();
  std::atomic<bool> waiting_{false};
};

}  // namespace

bool ServerShared::evict_oldest_waiting() {
  std::lock_guard<std::mutex> lock(mu);
  for (auto it = sessions.begin(); it != sessions.end();) {
    std::shared_ptr<Evictable> s = it->lock();
    if (!s) {
      it = sessions.erase(it);
      continue;
    }
    if (s->evict_if_waiting()) {
      sessions.erase(it);
      return true;
    }
    ++it;
  }
  return false;
}

void serve_connection(tcp::socket socket, ServerShared& shared) {
  auto session = std::make_shared<Session>(std::move(socket), shared);
  {
    std::lock_guard<std::mutex> lock(shared.mu);
    // Connections that ended leave their entry behind; dropping them here
    // keeps the list as long as the open connections.
    shared.sessions.remove_if([](const std::weak_ptr<Evictable>& w) { return w.expired(); });
    shared.sessions.push_back(session);
  }
  session->read_header();
}

}  // namespace ferry::core::admin
