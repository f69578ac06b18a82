// What the S3 sink's tests run against:
//  - S3rver: s3rver 3.7.1 from tests/s3/node_modules, started through
//    tests/s3/server.js on a kernel-chosen loopback port, stopped (by PID)
//    and its directory removed when the object dies. Missing node_modules is
//    a loud failure that names the command to run.
//  - Probe: the sink's own S3 client on the command line (ferry-s3-probe),
//    to list, read and delete what the sink wrote.
//  - CaptureServer: a tiny HTTP/1.1 server on a loopback port that records
//    every request and answers from a script, for what s3rver cannot show:
//    the exact headers sent (signatures, checksums) and injected failures.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "support/subprocess.h"
#include "support/temp_dir.h"

namespace ferry::test::s3 {

inline constexpr const char* kAccessKey = "S3RVER";  // the only key s3rver knows
inline constexpr const char* kSecretKey = "S3RVER";

inline std::string source_path(const std::string& rel) { return std::string(FERRY_SOURCE_DIR) + "/" + rel; }

inline std::string probe_binary() { return std::string(FERRY_BINARY_DIR) + "/bin/ferry-s3-probe"; }

class S3rver {
 public:
  explicit S3rver(std::string bucket = "ferry-test") : bucket_(std::move(bucket)) {
    const std::string modules = source_path("tests/s3/node_modules/s3rver/package.json");
    if (!std::filesystem::exists(modules))
      throw std::runtime_error("s3rver is not installed: run `npm ci --prefix tests/s3` in " +
                               std::string(FERRY_SOURCE_DIR) + " (needs node and npm)");
    const std::string out = dir_.file("server.out");
    proc_ = std::make_unique<Process>(
        std::vector<std::string>{"/usr/bin/env", "node", source_path("tests/s3/server.js"), "--directory",
                                 dir_.file("data"), "--bucket", bucket_, "--port", "0"},
        std::vector<std::string>{}, out, dir_.file("server.err"));
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    std::pair<int, int> status;
    while (std::chrono::steady_clock::now() < deadline) {
      const std::string text = slurp(out);
      const size_t at = text.find("listening on ");
      const size_t colon = text.rfind(':');
      if (at != std::string::npos && colon != std::string::npos && text.find('\n', at) != std::string::npos) {
        port_ = std::atoi(text.c_str() + colon + 1);
        endpoint_ = "http://127.0.0.1:" + std::to_string(port_);
        return;
      }
      if (proc_->finished(&status))
        throw std::runtime_error("s3rver exited at start: " + slurp(dir_.file("server.err")));
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    throw std::runtime_error("s3rver did not start within 60 s: " + slurp(dir_.file("server.err")));
  }
  ~S3rver() {
    if (!proc_) return;
    proc_->kill_now(SIGKILL);
    proc_->wait();
  }
  S3rver(const S3rver&) = delete;
  S3rver& operator=(const S3rver&) = delete;

  const std::string& endpoint() const { return endpoint_; }
  const std::string& bucket() const { return bucket_; }
  std::string data_dir() const { return dir_.file("data"); }

 private:
  TempDir dir_;
  std::string bucket_;
  std::unique_ptr<Process> proc_;
  int port_ = 0;
  std::string endpoint_;
};

// ferry-s3-probe against `endpoint`/`bucket` with s3rver's credentials.
inline ProcessResult probe(const std::string& endpoint, const std::string& bucket,
                           std::vector<std::string> args) {
  std::vector<std::string> argv = {probe_binary(), "--endpoint", endpoint, "--bucket", bucket};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_process(argv, {std::string("AWS_ACCESS_KEY_ID=") + kAccessKey,
                            std::string("AWS_SECRET_ACCESS_KEY=") + kSecretKey});
}

inline std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);)
    if (!l.empty()) out.push_back(l);
  return out;
}

inline std::vector<std::string> list_keys(const S3rver& s, const std::string& prefix = "") {
  // s3rver answers 500 when it lists an object that a killed writer left
  // half-stored on its disk; that settles within moments, so ask again,
  // for as long as a busy machine may need.
  ProcessResult r = probe(s.endpoint(), s.bucket(), {"list", prefix});
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (r.exit_code != 0 && r.err.find("HTTP 500") != std::string::npos &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    r = probe(s.endpoint(), s.bucket(), {"list", prefix});
  }
  if (r.exit_code != 0) throw std::runtime_error("list failed: " + r.err);
  return lines_of(r.out);
}

inline std::vector<std::string> list_uploads(const S3rver& s, const std::string& prefix = "") {
  ProcessResult r = probe(s.endpoint(), s.bucket(), {"uploads", prefix});
  if (r.exit_code != 0) throw std::runtime_error("uploads failed: " + r.err);
  return lines_of(r.out);
}

inline std::string get_object(const S3rver& s, const std::string& key) {
  ProcessResult r = probe(s.endpoint(), s.bucket(), {"get", key});
  if (r.exit_code != 0) throw std::runtime_error("get " + key + " failed: " + r.err);
  return r.out;
}

// Every object under `prefix`: key -> bytes.
inline std::map<std::string, std::string> get_all(const S3rver& s, const std::string& prefix) {
  std::map<std::string, std::string> out;
  for (const std::string& k : list_keys(s, prefix)) out[k] = get_object(s, k);
  return out;
}

// Upload directories s3rver still holds, read from its store: a second
// witness besides ListMultipartUploads (which tests/s3/server.js adds).
inline size_t upload_dirs_on_disk(const S3rver& s) {
  std::error_code ec;
  size_t n = 0;
  const auto dir = std::filesystem::path(s.data_dir()) / s.bucket() / "._S3rver_uploads";
  for (const auto& e : std::filesystem::directory_iterator(dir, ec)) n += e.is_directory();
  return n;
}

// `gzip -dc` of `bytes` (the tests do not link zlib).
inline std::string gunzip(const std::string& bytes) {
  TempDir d;
  write_file(d.file("x.gz"), bytes);
  ProcessResult r = run_process({"/bin/sh", "-c", "gzip -dc '" + d.file("x.gz") + "'"});
  if (r.exit_code != 0) throw std::runtime_error("gzip -dc failed: " + r.err);
  return r.out;
}

// ----------------------------------------------------------------------------

struct CapturedRequest {
  std::string method;
  std::string target;  // path?query as sent
  std::map<std::string, std::string> headers;  // lower-case names; last one wins
  std::vector<std::pair<std::string, std::string>> header_lines;  // as sent
  std::string body;
  std::string header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? "" : it->second;
  }
};

struct Reply {
  int status = 200;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};

class CaptureServer {
 public:
  using Responder = std::function<Reply(const CapturedRequest&)>;

  explicit CaptureServer(Responder responder = {}) : responder_(std::move(responder)) {
    listen_fd_ = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(listen_fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || listen(listen_fd_, 16) != 0)
      throw std::runtime_error("capture server: cannot listen");
    socklen_t len = sizeof a;
    getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    thread_ = std::thread([this] { serve(); });
  }
  ~CaptureServer() {
    stop_ = true;
    thread_.join();
    close(listen_fd_);
  }
  CaptureServer(const CaptureServer&) = delete;
  CaptureServer& operator=(const CaptureServer&) = delete;

  int port() const { return port_; }
  std::string endpoint() const { return "http://127.0.0.1:" + std::to_string(port_); }
  std::vector<CapturedRequest> requests() const {
    std::lock_guard<std::mutex> lock(mu_);
    return requests_;
  }

 private:
  void serve() {
    std::vector<std::thread> conns;
    while (!stop_) {
      pollfd p{listen_fd_, POLLIN, 0};
      if (poll(&p, 1, 50) <= 0) continue;
      int fd = accept(listen_fd_, nullptr, nullptr);
      if (fd < 0) continue;
      conns.emplace_back([this, fd] { handle(fd); });
    }
    for (std::thread& t : conns) t.join();
  }

  // Reads until `n` bytes are buffered; false on EOF, error or stop.
  bool fill(int fd, std::string& buf, size_t n) {
    char tmp[65536];
    while (buf.size() < n) {
      pollfd p{fd, POLLIN, 0};
      if (stop_) return false;
      if (poll(&p, 1, 50) <= 0) continue;
      ssize_t got = recv(fd, tmp, sizeof tmp, 0);
      if (got <= 0) return false;
      buf.append(tmp, static_cast<size_t>(got));
    }
    return true;
  }

  static void send_all(int fd, const std::string& s) {
    size_t off = 0;
    while (off < s.size()) {
      ssize_t n = ::send(fd, s.data() + off, s.size() - off, MSG_NOSIGNAL);
      if (n <= 0) return;
      off += static_cast<size_t>(n);
    }
  }

  void handle(int fd) {
    std::string buf;
    for (;;) {
      size_t end;
      while ((end = buf.find("\r\n\r\n")) == std::string::npos)
        if (!fill(fd, buf, buf.size() + 1)) {
          close(fd);
          return;
        }
      CapturedRequest req;
      std::istringstream head(buf.substr(0, end));
      std::string line;
      std::getline(head, line);
      std::istringstream first(line);
      first >> req.method >> req.target;
      while (std::getline(head, line)) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        const size_t colon = line.find(':');
        if (colon == std::string::npos) continue;
        std::string name = line.substr(0, colon), value = line.substr(colon + 1);
        while (!value.empty() && value.front() == ' ') value.erase(0, 1);
        for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        req.header_lines.emplace_back(name, value);
        req.headers[name] = value;
      }
      buf.erase(0, end + 4);
      const size_t length = std::strtoull(req.header("content-length").c_str(), nullptr, 10);
      if (length > 0 && req.header("expect") == "100-continue") send_all(fd, "HTTP/1.1 100 Continue\r\n\r\n");
      if (!fill(fd, buf, length)) {
        close(fd);
        return;
      }
      req.body = buf.substr(0, length);
      buf.erase(0, length);
      Reply reply;
      {
        // The sink uploads on several connections at once; a responder
        // (which counts requests) sees one request at a time.
        std::lock_guard<std::mutex> lock(respond_mu_);
        if (responder_) reply = responder_(req);
      }
      {
        std::lock_guard<std::mutex> lock(mu_);
        requests_.push_back(req);
      }
      std::string out = "HTTP/1.1 " + std::to_string(reply.status) + " X\r\nContent-Length: " +
                        std::to_string(reply.body.size()) + "\r\n";
      for (const auto& [k, v] : reply.headers) out += k + ": " + v + "\r\n";
      out += "\r\n" + reply.body;
      send_all(fd, out);
    }
  }

  Responder responder_;
  std::mutex respond_mu_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  mutable std::mutex mu_;
  std::vector<CapturedRequest> requests_;
};

inline std::string s3_error_xml(const std::string& code, const std::string& message) {
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>" + code + "</Code><Message>" + message +
         "</Message><RequestId>1</RequestId></Error>";
}

// Hex digest of `bytes` with coreutils (`md5sum`, `sha256sum`).
inline std::string hex_digest(const std::string& tool, const std::string& bytes) {
  TempDir d;
  write_file(d.file("b"), bytes);
  ProcessResult r = run_process({"/bin/sh", "-c", tool + " '" + d.file("b") + "'"});
  return r.out.substr(0, r.out.find(' '));
}

inline std::string hex_to_base64(const std::string& hex) {
  static const char* kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string raw;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) raw += static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16));
  std::string out;
  size_t i = 0;
  for (; i + 3 <= raw.size(); i += 3) {
    uint32_t v = (uint8_t(raw[i]) << 16) | (uint8_t(raw[i + 1]) << 8) | uint8_t(raw[i + 2]);
    for (int s = 18; s >= 0; s -= 6) out += kAlphabet[(v >> s) & 63];
  }
  if (raw.size() - i == 1) {
    uint32_t v = uint8_t(raw[i]) << 16;
    out += kAlphabet[v >> 18];
    out += kAlphabet[(v >> 12) & 63];
    out += "==";
  } else if (raw.size() - i == 2) {
    uint32_t v = (uint8_t(raw[i]) << 16) | (uint8_t(raw[i + 1]) << 8);
    out += kAlphabet[v >> 18];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += '=';
  }
  return out;
}

}  // namespace ferry::test::s3
