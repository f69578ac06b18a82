// A loopback TCP proxy in front of a real server that cuts one connection at
// a chosen moment of the protocol, for tests of what a client does when a
// request's outcome is unknown:
//
//  - Cut::kBeforeRequest: the client sent the armed bytes; the proxy closes
//    the connection without passing them on. The server never saw them.
//  - Cut::kAfterReply: the proxy passes the armed bytes on and closes the
//    connection when the server's answer arrives, without passing it on.
//    The server did the request; the client never hears so.
//  - Cut::kHoldRequest: the proxy closes the client's side and holds the
//    armed bytes, keeping the server's side open, until release(): the
//    request is still on its way, as over a slow or partitioned network.
//    Then the server gets it and its answer is dropped.
//
// The cut happens once per arming; every other byte flows both ways
// unchanged, so a client that reconnects gets through. The listening socket
// is bound to port 0 and kept: the port cannot be taken by anyone else.
// Plain TCP only (the client must not negotiate TLS, or the bytes cannot be
// seen). Small exchanges only: writes block, one thread serves every
// connection.
#pragma once

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <list>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace ferry::test {

class CuttingProxy {
 public:
  enum class Cut { kBeforeRequest, kAfterReply, kHoldRequest };

  explicit CuttingProxy(int upstream_port) : upstream_port_(upstream_port) {
    listen_fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a = loopback(0);
    socklen_t len = sizeof a;
    if (listen_fd_ < 0 || bind(listen_fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
        listen(listen_fd_, 16) != 0 || getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&a), &len) != 0)
      throw std::runtime_error(std::string("CuttingProxy: cannot listen: ") + std::strerror(errno));
    port_ = ntohs(a.sin_port);
    if (pipe2(wake_, O_CLOEXEC) != 0) throw std::runtime_error("CuttingProxy: pipe failed");
    thread_ = std::thread([this] { serve(); });
  }
  ~CuttingProxy() {
    stop_ = true;
    (void)!write(wake_[1], "x", 1);
    thread_.join();
    for (Link& l : links_) l.close_both();
    close(listen_fd_);
    close(wake_[0]);
    close(wake_[1]);
  }
  CuttingProxy(const CuttingProxy&) = delete;
  CuttingProxy& operator=(const CuttingProxy&) = delete;

  int port() const { return port_; }

  // The next time a client sends `request` (anywhere in what it sends), cut.
  void cut_once(std::string request, Cut when) {
    std::lock_guard<std::mutex> lock(mu_);
    armed_ = std::move(request);
    when_ = when;
    fired_ = false;
  }
  bool fired() const {
    std::lock_guard<std::mutex> lock(mu_);
    return fired_;
  }
  // Passes a held request on to the server (Cut::kHoldRequest).
  void release() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      release_ = true;
    }
    (void)!write(wake_[1], "r", 1);
  }

 private:
  struct Link {
    int client = -1;
    int server = -1;
    bool cut_on_reply = false;
    std::string held;  // a request on its way (Cut::kHoldRequest)
    std::string tail;  // the client's last bytes, for a request split across reads
    void close_both() {
      if (client >= 0) close(client);
      if (server >= 0) close(server);
      client = server = -1;
    }
  };

  static sockaddr_in loopback(int port) {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(static_cast<uint16_t>(port));
    return a;
  }
  static bool send_all(int fd, const char* p, size_t n) {
    while (n > 0) {
      const ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
      if (w < 0 && errno == EINTR) continue;
      if (w <= 0) return false;
      p += w;
      n -= static_cast<size_t>(w);
    }
    return true;
  }

  void accept_one() {
    const int client = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (client < 0) return;
    const int server = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a = loopback(upstream_port_);
    if (server < 0 || connect(server, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
      close(client);
      if (server >= 0) close(server);
      return;
    }
    Link l;
    l.client = client;
    l.server = server;
    links_.push_back(std::move(l));
  }

  // Client bytes: passed on unless they carry the armed request.
  void from_client(Link& l, const char* data, size_t n) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (!armed_.empty()) {
        const std::string seen = l.tail + std::string(data, n);
        if (seen.find(armed_) != std::string::npos) {
          armed_.clear();
          fired_ = true;
          if (when_ == Cut::kBeforeRequest) {
            l.close_both();
            return;
          }
          l.cut_on_reply = true;
          if (when_ == Cut::kHoldRequest) {
            l.held.assign(data, n);
            close(l.client);
            l.client = -1;
            return;
          }
        }
        l.tail = seen.substr(seen.size() > 64 ? seen.size() - 64 : 0);
      }
    }
    if (!send_all(l.server, data, n)) l.close_both();
  }

  void release_held() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (!release_) return;
      release_ = false;
    }
    for (Link& l : links_)
      if (!l.held.empty() && !send_all(l.server, l.held.data(), l.held.size())) l.close_both();
  }

  void from_server(Link& l, const char* data, size_t n) {
    if (l.cut_on_reply) {
      l.close_both();
      return;
    }
    if (!send_all(l.client, data, n)) l.close_both();
  }

  void serve() {
    std::vector<char> buf(1 << 16);
    while (!stop_) {
      std::vector<pollfd> fds{{wake_[0], POLLIN, 0}, {listen_fd_, POLLIN, 0}};
      for (const Link& l : links_) {
        fds.push_back({l.client, POLLIN, 0});  // -1 (held): poll skips it
        fds.push_back({l.server, POLLIN, 0});
      }
      if (poll(fds.data(), fds.size(), -1) < 0) {
        if (errno == EINTR) continue;
        return;
      }
      if (fds[0].revents != 0) {
        char drained[16];
        (void)!read(wake_[0], drained, sizeof drained);
        if (stop_) return;
        release_held();
        continue;
      }
      // The links polled this round; one accepted now waits for the next.
      auto polled = links_.begin();
      for (size_t i = 2; i < fds.size(); ++polled) {
        Link& l = *polled;
        const pollfd c = fds[i++];
        const pollfd s = fds[i++];
        for (const pollfd& p : {c, s}) {
          if (p.revents == 0 || p.fd < 0 || l.server < 0) continue;
          const ssize_t n = recv(p.fd, buf.data(), buf.size(), 0);
          if (n <= 0) {
            l.close_both();
            continue;
          }
          if (p.fd == l.client) from_client(l, buf.data(), static_cast<size_t>(n));
          else from_server(l, buf.data(), static_cast<size_t>(n));
        }
      }
      if (fds[1].revents & POLLIN) accept_one();
      links_.remove_if([](const Link& l) { return l.server < 0; });
    }
  }

  int upstream_port_;
  int listen_fd_ = -1;
  int port_ = 0;
  int wake_[2] = {-1, -1};
  std::atomic<bool> stop_{false};
  mutable std::mutex mu_;
  std::string armed_;
  Cut when_ = Cut::kAfterReply;
  bool fired_ = false;
  bool release_ = false;
  std::list<Link> links_;  // touched by the serving thread only
  std::thread thread_;
};

}  // namespace ferry::test
