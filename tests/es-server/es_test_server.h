// Starts tests/es-server/es-test-server.js (the in-memory Elasticsearch
// stand-in) on a free loopback port for one test or suite, and talks to it
// over plain HTTP/1.0 with POSIX sockets (tests link no HTTP client).
//
//   ferry::test::EsTestServer es;              // node es-test-server.js --port 0
//   es.inject(R"({"http_429": 2})");
//   ... run a pipeline with {"url": es.url(), "index": "orders"} ...
//   EXPECT_EQ(es.count("orders"), 1000);
//
// Header-only, POSIX. Needs `node` on PATH.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "support/subprocess.h"

namespace ferry::test {

struct HttpReply {
  int status = 0;  // 0: no connection
  std::string body;
};

// One request, one connection. HTTP/1.0 keeps the answer unchunked.
inline HttpReply http_request(int port, const std::string& method, const std::string& path,
                              const std::string& body = "",
                              const std::vector<std::string>& headers = {}) {
  HttpReply reply;
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return reply;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    close(fd);
    return reply;
  }
  std::string req = method + " " + path + " HTTP/1.0\r\nHost: 127.0.0.1\r\n";
  req += "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n";
  for (const std::string& h : headers) req += h + "\r\n";
  req += "\r\n" + body;
  for (size_t sent = 0; sent < req.size();) {
    const ssize_t n = send(fd, req.data() + sent, req.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) {
      close(fd);
      return reply;
    }
    sent += static_cast<size_t>(n);
  }
  std::string raw;
  char buf[65536];
  for (ssize_t n; (n = recv(fd, buf, sizeof buf, 0)) > 0;) raw.append(buf, static_cast<size_t>(n));
  close(fd);
  const size_t sp = raw.find(' ');
  const size_t end = raw.find("\r\n\r\n");
  if (sp == std::string::npos || end == std::string::npos) return reply;
  reply.status = std::atoi(raw.c_str() + sp + 1);
  reply.body = raw.substr(end + 4);
  return reply;
}

inline std::string find_on_path(const std::string& program) {
  const char* path = std::getenv("PATH");
  std::string dirs = path ? path : "/usr/local/bin:/usr/bin:/bin";
  for (size_t start = 0; start <= dirs.size();) {
    size_t colon = dirs.find(':', start);
    if (colon == std::string::npos) colon = dirs.size();
    const std::string candidate = dirs.substr(start, colon - start) + "/" + program;
    if (access(candidate.c_str(), X_OK) == 0) return candidate;
    start = colon + 1;
  }
  return {};
}

class EsTestServer {
 public:
  // `args`: extra server arguments, e.g. {"--user", "elastic:s3cret"}.
  explicit EsTestServer(const std::vector<std::string>& args = {}) {
    const std::string node = find_on_path("node");
    if (node.empty()) throw std::runtime_error("node is not on PATH (the ES test server needs it)");
    const std::string base = (std::filesystem::temp_directory_path() /
                              ("ferry-es-" + std::to_string(getpid()) + "-" +
                               std::to_string(std::chrono::steady_clock::now().time_since_epoch().count())))
                                 .string();
    out_ = base + ".out";
    err_ = base + ".err";
    std::vector<std::string> argv{node, std::string(FERRY_SOURCE_DIR) + "/tests/es-server/es-test-server.js",
                                  "--port", "0"};
    argv.insert(argv.end(), args.begin(), args.end());
    process_ = std::make_unique<Process>(argv, std::vector<std::string>{}, out_, err_);
    // Node starts in well under a second; the deadline is for a machine
    // busy with a parallel build.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (std::chrono::steady_clock::now() < deadline) {
      const std::string text = slurp(out_);
      const size_t at = text.find("listening ");
      if (at != std::string::npos && text.find('\n', at) != std::string::npos) {
        port_ = std::atoi(text.c_str() + at + 10);
        return;
      }
      std::pair<int, int> status;
      if (process_->finished(&status)) {
        process_.reset();
        throw std::runtime_error("the ES test server exited: " + slurp(err_));
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    throw std::runtime_error("the ES test server did not start within 60 s: " + slurp(err_));
  }
  ~EsTestServer() {
    if (process_) {
      process_->kill_now(SIGKILL);
      process_->wait();
    }
    unlink(out_.c_str());
    unlink(err_.c_str());
  }
  EsTestServer(const EsTestServer&) = delete;
  EsTestServer& operator=(const EsTestServer&) = delete;

  int port() const { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

  // Sent with every request of the helpers below, for a server started
  // with credentials: "Authorization: Basic ...".
  void set_auth_header(std::string header) { auth_ = {std::move(header)}; }

  HttpReply get(const std::string& path) const { return http_request(port_, "GET", path, "", auth_); }
  HttpReply post(const std::string& path, const std::string& body) const {
    return http_request(port_, "POST", path, body, auth_);
  }

  // Documents in `index`; -1 when the index does not exist (yet).
  int64_t count(const std::string& index) const {
    const HttpReply r = get("/" + index + "/_count");
    if (r.status != 200) return -1;
    return boost::json::parse(r.body).as_object().at("count").as_int64();
  }
  // The _source of a document, or null when it does not exist.
  boost::json::value doc(const std::string& index, const std::string& id) const {
    const HttpReply r = get("/" + index + "/_doc/" + id);
    if (r.status != 200) return nullptr;
    return boost::json::parse(r.body).as_object().at("_source");
  }
  // Every document: {"_id", "_version", "_source"} objects.
  std::vector<boost::json::object> dump(const std::string& index) const {
    const HttpReply r = get("/_test/dump/" + index);
    std::vector<boost::json::object> out;
    for (size_t start = 0; start < r.body.size();) {
      size_t nl = r.body.find('\n', start);
      if (nl == std::string::npos) nl = r.body.size();
      if (nl > start) out.push_back(boost::json::parse(r.body.substr(start, nl - start)).as_object());
      start = nl + 1;
    }
    return out;
  }
  boost::json::object stats() const {
    return boost::json::parse(get("/_test/stats").body).as_object();
  }
  int64_t stat(const char* name) const { return stats().at(name).to_number<int64_t>(); }
  void inject(const std::string& json) const {
    if (post("/_test/inject", json).status != 200) throw std::runtime_error("inject failed");
  }
  void reset() const { post("/_test/reset", ""); }

 private:
  std::unique_ptr<Process> process_;
  std::string out_, err_;
  int port_ = 0;
  std::vector<std::string> auth_;
};

}  // namespace ferry::test
