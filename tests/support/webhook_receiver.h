// A tiny HTTP server for webhook tests: listens on 127.0.0.1 (port chosen by
// the OS), records every request (method, target, headers, body) and answers
// each with a configurable status, optionally after a delay.
//
//   ferry::test::WebhookReceiver receiver;
//   receiver.respond_with(500);
//   ... POST to receiver.url("/hook") ...
//   ASSERT_EQ(receiver.requests().size(), 1u);
//
// One request per connection ("Connection: close"), served on one thread, so
// shutting down never waits on an idle keep-alive connection. A request is
// recorded before it is answered: once a client got its answer, requests()
// shows it. Header-only, Boost.Beast, synchronous.
#ifndef FERRY_TESTS_SUPPORT_WEBHOOK_RECEIVER_H_
#define FERRY_TESTS_SUPPORT_WEBHOOK_RECEIVER_H_

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cctype>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace ferry::test {

class WebhookReceiver {
 public:
  struct Request {
    std::string method;
    std::string target;
    std::map<std::string, std::string> headers;  // names in lower case
    std::string body;

    std::string header(const std::string& lower_name) const {
      auto it = headers.find(lower_name);
      return it == headers.end() ? std::string() : it->second;
    }
  };

  WebhookReceiver() : acceptor_(ioc_) {
    namespace asio = boost::asio;
    const asio::ip::tcp::endpoint ep(asio::ip::make_address("127.0.0.1"), 0);
    acceptor_.open(ep.protocol());
    acceptor_.set_option(asio::socket_base::reuse_address(true));
    acceptor_.bind(ep);
    acceptor_.listen();
    port_ = acceptor_.local_endpoint().port();
    thread_ = std::thread([this] { serve(); });
  }

  ~WebhookReceiver() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stopping_ = true;
    }
    cv_.notify_all();
    // accept() has no timeout: wake it with a connection of our own.
    try {
      boost::asio::io_context ioc;
      boost::asio::ip::tcp::socket s(ioc);
      s.connect({boost::asio::ip::make_address("127.0.0.1"), port_});
    } catch (...) {
    }
    thread_.join();
  }

  WebhookReceiver(const WebhookReceiver&) = delete;
  WebhookReceiver& operator=(const WebhookReceiver&) = delete;

  uint16_t port() const { return port_; }
  std::string url(std::string_view path = "/hook") const {
    return "http://127.0.0.1:" + std::to_string(port_) + std::string(path);
  }

  // Status and body of every following answer (200 and "ok" at first).
  void respond_with(int status, std::string body = "ok") {
    std::lock_guard<std::mutex> lock(mu_);
    status_ = status;
    body_ = std::move(body);
  }
  // When true, the answer's body also quotes the request's Authorization
  // header, as a careless receiver's error page might.
  void echo_authorization(bool on) {
    std::lock_guard<std::mutex> lock(mu_);
    echo_auth_ = on;
  }
  // Waits this long before answering (to test client timeouts).
  void delay_responses(std::chrono::milliseconds delay) {
    std::lock_guard<std::mutex> lock(mu_);
    delay_ = delay;
  }

  std::vector<Request> requests() const {
    std::lock_guard<std::mutex> lock(mu_);
    return requests_;
  }

 private:
  void serve() {
    namespace beast = boost::beast;
    namespace http = beast::http;
    for (;;) {
      boost::asio::ip::tcp::socket socket(ioc_);
      boost::system::error_code ec;
      acceptor_.accept(socket, ec);
      {
        std::lock_guard<std::mutex> lock(mu_);
        if (stopping_) return;
      }
      if (ec) continue;

      beast::flat_buffer buffer;
      http::request<http::string_body> req;
      http::read(socket, buffer, req, ec);
      if (ec) continue;  // a client that gave up, or the wake-up connection

      Request r;
      r.method = std::string(req.method_string());
      r.target = std::string(req.target());
      for (const auto& field : req.base()) {
        std::string name(field.name_string());
        for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        r.headers[name] = std::string(field.value());
      }
      r.body = req.body();

      int status = 200;
      std::string body;
      {
        std::unique_lock<std::mutex> lock(mu_);
        status = status_;
        body = body_;
        if (echo_auth_) body += " (got Authorization: " + r.header("authorization") + ")";
        requests_.push_back(std::move(r));
        if (cv_.wait_for(lock, delay_, [this] { return stopping_; })) return;
      }

      http::response<http::string_body> res{static_cast<http::status>(status), req.version()};
      res.set(http::field::content_type, "text/plain");
      res.keep_alive(false);
      res.body() = std::move(body);
      res.prepare_payload();
      http::write(socket, res, ec);  // the client may have timed out: ignore
      socket.shutdown(boost::asio::ip::tcp::socket::shutdown_both, ec);
    }
  }

  boost::asio::io_context ioc_;
  boost::asio::ip::tcp::acceptor acceptor_;
  uint16_t port_ = 0;
  std::thread thread_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  int status_ = 200;
  std::string body_ = "ok";
  bool echo_auth_ = false;
  std::chrono::milliseconds delay_{0};
  std::vector<Request> requests_;
};

}  // namespace ferry::test

#endif  // FERRY_TESTS_SUPPORT_WEBHOOK_RECEIVER_H_
