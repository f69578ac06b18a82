// The admin HTTP server against a fake backend, over real sockets: every
// route, auth, limits, error format, listen-address parsing and shutdown.
#include <gtest/gtest.h>

#include <sys/socket.h>
#include <sys/time.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <future>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>

#include "admin/admin_server.h"
#include "admin/http_util.h"
#include "common/error.h"
#include "common/log.h"
#include "support/temp_dir.h"

namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
namespace json = boost::json;
using tcp = net::ip::tcp;
using ferry::core::AdminBackend;
using ferry::core::AdminResult;
using ferry::core::AdminServer;

const char* const kMetrics =
    "# HELP ferry_records_read_total Records read.\n"
    "# TYPE ferry_records_read_total counter\n"
    "ferry_records_read_total{pipeline=\"orders\"} 42\n";

// Knows one pipeline, "orders"; records every call as a line of text.
class FakeBackend : public AdminBackend {
 public:
  bool running = false;
  // When set, pause() waits for it: a backend call that takes its time.
  std::optional<std::shared_future<void>> pause_gate;

  std::vector<std::string> calls() {
    std::lock_guard<std::mutex> lock(mu_);
    return calls_;
  }
  std::string last_call() {
    auto c = calls();
    return c.empty() ? "" : c.back();
  }

  std::string metrics_text() override {
    note("metrics");
    return kMetrics;
  }
  json::array pipelines() override {
    note("pipelines");
    return {json::object{{"name", "orders"}, {"state", state()}}};
  }
  AdminResult pipeline(const std::string& name) override {
    note("pipeline " + name);
    if (name == "boom") throw std::runtime_error("state store is gone");
    if (name != "orders") return missing(name);
    return {200, {{"name", name}, {"state", state()}}};
  }
  AdminResult checkpoints(const std::string& name) override {
    note("checkpoints " + name);
    if (name != "orders") return missing(name);
    return {200, {{"pipeline", name}, {"checkpoints", json::array{json::object{{"partition", "data/orders.jsonl"}}}}}};
  }
  AdminResult reset_checkpoints(const std::string& name, const std::optional<std::string>& partition) override {
    note("reset " + name + " " + partition.value_or("<all>"));
    if (name != "orders") return missing(name);
    if (running) return {409, {{"error", "pipeline orders is running; stop it before resetting checkpoints"}}};
    return {200, {{"reset", partition ? 1 : 3}}};
  }
  AdminResult dlq(const std::string& name, const std::optional<std::string>& status, int64_t limit) override {
    note("dlq " + name + " " + status.value_or("<all>") + " " + std::to_string(limit));
    if (name != "orders") return missing(name);
    return {200, {{"entries", json::array{}}}};
  }
  AdminResult dlq_entry(const std::string& name, int64_t id) override {
    note("dlq_entry " + name + " " + std::to_string(id));
    if (name != "orders") return missing(name);
    return {200, {{"id", id}}};
  }
  AdminResult discard(const std::string& name, const std::vector<int64_t>& ids) override {
    std::string list;
    for (int64_t id : ids) list += (list.empty() ? "" : ",") + std::to_string(id);
    note("discard " + name + " " + list);
    return {200, {{"discarded", static_cast<int64_t>(ids.size())}}};
  }
  AdminResult replay(const std::string& name, const json::object& request) override {
    note("replay " + name + " " + json::serialize(request));
    return {202, {{"replay", "started"}}};
  }
  AdminResult pause(const std::string& name) override {
    note("pause " + name);
    if (pause_gate) pause_gate->wait();
    return {200, {{"state", "paused"}}};
  }
  AdminResult resume(const std::string& name) override {
    note("resume " + name);
    return {200, {{"state", "running"}}};
  }

 private:
  void note(std::string call) {
    std::lock_guard<std::mutex> lock(mu_);
    calls_.push_back(std::move(call));
  }
  std::string state() const { return running ? "running" : "idle"; }
  static AdminResult missing(const std::string& name) { return {404, {{"error", "no such pipeline: " + name}}}; }

  std::mutex mu_;
  std::vector<std::string> calls_;
};

struct Reply {
  int status = 0;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
  bool keep_alive = true;

  std::string header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? "" : it->second;
  }
  json::value json() const { return json::parse(body); }
  std::string error() const { return std::string(json().at("error").as_string()); }
};

// A minimal HTTP/1.1 client: one connection, requests in sequence.
class Client {
 public:
  explicit Client(uint16_t port) : socket_(ioc_) {
    socket_.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
    timeval tv{60, 0};  // a hung server fails the test instead of hanging it
    setsockopt(socket_.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  }

  Reply send(const std::string& method, const std::string& target, const std::string& body = "",
             const std::vector<std::pair<std::string, std::string>>& headers = {}) {
    http::request<http::string_body> req;
    req.method_string(method);
    req.target(target);
    req.version(11);
    req.set(http::field::host, "127.0.0.1");
    for (const auto& [k, v] : headers) req.set(k, v);
    if (!body.empty() || method == "POST") req.body() = body;
    req.prepare_payload();
    http::write(socket_, req);
    return read();
  }

  void write_raw(const std::string& bytes) { net::write(socket_, net::buffer(bytes)); }

  Reply send_raw(const std::string& bytes) {
    net::write(socket_, net::buffer(bytes));
    return read();
  }

  // True when the server has closed its side (EOF), false on data or timeout.
  bool at_eof() {
    char c;
    boost::system::error_code ec;
    socket_.read_some(net::buffer(&c, 1), ec);
    return ec == net::error::eof;
  }

 private:
  Reply read() {
    http::response_parser<http::string_body> parser;
    parser.body_limit(boost::none);
    http::read(socket_, buffer_, parser);
    const auto& res = parser.get();
    Reply reply;
    reply.status = static_cast<int>(res.result_int());
    for (const auto& field : res) {
      std::string name(field.name_string());
      for (char& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      reply.headers[name] = std::string(field.value());
    }
    reply.body = res.body();
    reply.keep_alive = res.keep_alive();
    return reply;
  }

  net::io_context ioc_;
  tcp::socket socket_;
  beast::flat_buffer buffer_;
};

// True while this process has a listening TCP socket on 127.0.0.1:`port`.
// Looks at the process's own sockets (/proc/net/tcp and /proc/self/fd), not
// at whether a connection succeeds: once the port is closed, another test
// may bind it.
bool listening_here(uint16_t port) {
  std::set<std::string> mine;
  for (const auto& fd : std::filesystem::directory_iterator("/proc/self/fd")) {
    std::error_code ec;
    const std::string target = std::filesystem::read_symlink(fd.path(), ec).string();
    if (!ec && target.rfind("socket:[", 0) == 0) mine.insert(target.substr(8, target.size() - 9));
  }
  std::ifstream table("/proc/net/tcp");
  std::string line;
  std::getline(table, line);  // header
  char local[64], state[8];
  unsigned long inode = 0;
  while (std::getline(table, line)) {
    // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode
    if (std::sscanf(line.c_str(), "%*s %63s %*s %7s %*s %*s %*s %*s %*s %lu", local, state, &inode) != 3) continue;
    const char* colon = std::strchr(local, ':');
    if (!colon || std::strtoul(colon + 1, nullptr, 16) != port || std::string(state) != "0A") continue;
    if (mine.count(std::to_string(inode))) return true;
  }
  return false;
}

class AdminServerTest : public ::testing::Test {
 protected:
  void start(std::optional<std::string> token = std::nullopt) {
    AdminServer::Options options;
    options.port = 0;
    options.bearer_token = std::move(token);
    server_ = std::make_unique<AdminServer>(options, backend_);
    server_->start();
  }
  Reply request(const std::string& method, const std::string& target, const std::string& body = "",
                const std::vector<std::pair<std::string, std::string>>& headers = {}) {
    if (!server_) start();
    Client client(server_->port());
    return client.send(method, target, body, headers);
  }
  uint16_t port() { return server_->port(); }

  FakeBackend backend_;
  std::unique_ptr<AdminServer> server_;
};

void expect_json_error(const Reply& r, int status, const std::string& contains) {
  EXPECT_EQ(r.status, status) << r.body;
  EXPECT_EQ(r.header("content-type"), "application/json");
  ASSERT_NO_THROW(r.json()) << r.body;
  ASSERT_TRUE(r.json().is_object() && r.json().as_object().contains("error")) << r.body;
  EXPECT_NE(r.error().find(contains), std::string::npos) << r.error();
}

// --- routes ---------------------------------------------------------------

TEST_F(AdminServerTest, MetricsAreServedAsPrometheusText) {
  Reply r = request("GET", "/metrics");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.header("content-type"), "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_EQ(r.body, kMetrics);
  EXPECT_EQ(backend_.last_call(), "metrics");
}

TEST_F(AdminServerTest, PipelinesListIsWrappedInAnObject) {
  Reply r = request("GET", "/pipelines");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.header("content-type"), "application/json");
  EXPECT_EQ(r.json(), json::parse(R"({"pipelines":[{"name":"orders","state":"idle"}]})"));
  EXPECT_EQ(r.header("cache-control"), "no-store");
}

TEST_F(AdminServerTest, OnePipelineAndBackendStatusPassedThrough) {
  Reply r = request("GET", "/pipelines/orders");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.json(), json::parse(R"({"name":"orders","state":"idle"})"));

  expect_json_error(request("GET", "/pipelines/nope"), 404, "no such pipeline: nope");
  // Names are URL-decoded like partitions.
  request("GET", "/pipelines/my%20pipe");
  EXPECT_EQ(backend_.last_call(), "pipeline my pipe");
  // A trailing slash is tolerated.
  EXPECT_EQ(request("GET", "/pipelines/orders/").status, 200);
}

TEST_F(AdminServerTest, BackendExceptionBecomes500) {
  expect_json_error(request("GET", "/pipelines/boom"), 500, "state store is gone");
}

TEST_F(AdminServerTest, Checkpoints) {
  Reply r = request("GET", "/pipelines/orders/checkpoints");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.json().at("checkpoints").as_array().size(), 1u);
  EXPECT_EQ(backend_.last_call(), "checkpoints orders");
}

TEST_F(AdminServerTest, DeleteAllCheckpoints) {
  Reply r = request("DELETE", "/pipelines/orders/checkpoints");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.json(), json::parse(R"({"reset":3})"));
  EXPECT_EQ(backend_.last_call(), "reset orders <all>");
}

TEST_F(AdminServerTest, DeleteOnePartitionWithEncodedSlash) {
  Reply r = request("DELETE", "/pipelines/orders/checkpoints/data%2Forders.jsonl");
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(backend_.last_call(), "reset orders data/orders.jsonl");

  request("DELETE", "/pipelines/orders/checkpoints/a%20b%2Bc+d%25");
  EXPECT_EQ(backend_.last_call(), "reset orders a b+c+d%");  // '+' is literal in a path

  // An unencoded slash makes it another path, which is not an endpoint.
  expect_json_error(request("DELETE", "/pipelines/orders/checkpoints/data/orders.jsonl"), 404,
                    "no such endpoint: DELETE /pipelines/orders/checkpoints/data/orders.jsonl");
  expect_json_error(request("DELETE", "/pipelines/orders/checkpoints/bad%zz"), 400, "percent-encoding");
  expect_json_error(request("DELETE", "/pipelines/orders/checkpoints/nul%00"), 400, "percent-encoding");
}

TEST_F(AdminServerTest, DeleteRefusedWhileRunning) {
  backend_.running = true;
  expect_json_error(request("DELETE", "/pipelines/orders/checkpoints"), 409, "running");
  expect_json_error(request("DELETE", "/pipelines/orders/checkpoints/p1"), 409, "running");
}

TEST_F(AdminServerTest, DlqDefaultsAndFilters) {
  Reply r = request("GET", "/pipelines/orders/dlq");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(backend_.last_call(), "dlq orders <all> 100");

  EXPECT_EQ(request("GET", "/pipelines/orders/dlq?status=pending&limit=5").status, 200);
  EXPECT_EQ(backend_.last_call(), "dlq orders pending 5");
  EXPECT_EQ(request("GET", "/pipelines/orders/dlq?status=failed_again&limit=10000").status, 200);
  EXPECT_EQ(backend_.last_call(), "dlq orders failed_again 10000");
  EXPECT_EQ(request("GET", "/pipelines/orders/dlq?status=&limit=1").status, 200);
  EXPECT_EQ(backend_.last_call(), "dlq orders <all> 1");
}

TEST_F(AdminServerTest, DlqRejectsBadParameters) {
  start();
  size_t before = backend_.calls().size();
  expect_json_error(request("GET", "/pipelines/orders/dlq?status=lost"), 400, "invalid status 'lost'");
  expect_json_error(request("GET", "/pipelines/orders/dlq?limit=0"), 400, "invalid limit '0'");
  expect_json_error(request("GET", "/pipelines/orders/dlq?limit=10001"), 400, "from 1 to 10000");
  expect_json_error(request("GET", "/pipelines/orders/dlq?limit=ten"), 400, "invalid limit");
  expect_json_error(request("GET", "/pipelines/orders/dlq?limit=5x"), 400, "invalid limit");
  expect_json_error(request("GET", "/pipelines/orders/dlq?status=%zz"), 400, "query string");
  EXPECT_EQ(backend_.calls().size(), before) << "bad requests must not reach the backend";
}

TEST_F(AdminServerTest, ReplayBodies) {
  Reply r = request("POST", "/pipelines/orders/replay");
  EXPECT_EQ(r.status, 202);
  EXPECT_EQ(r.json(), json::parse(R"({"replay":"started"})"));
  EXPECT_EQ(backend_.last_call(), "replay orders {}");

  r = request("POST", "/pipelines/orders/replay", R"({"sink":"warehouse","dry_run":true})",
              {{"Content-Type", "application/json"}});
  EXPECT_EQ(r.status, 202);
  EXPECT_EQ(backend_.last_call(), R"(replay orders {"sink":"warehouse","dry_run":true})");

  size_t before = backend_.calls().size();
  expect_json_error(request("POST", "/pipelines/orders/replay", "{\"sink\":"), 400, "invalid JSON body");
  expect_json_error(request("POST", "/pipelines/orders/replay", "[1]"), 400, "must be a JSON object");
  expect_json_error(request("POST", "/pipelines/orders/replay", R"({"dryrun":true})"), 400, "unknown field \"dryrun\"");
  expect_json_error(request("POST", "/pipelines/orders/replay", R"({"sink":1})"), 400, "\"sink\" must be a string");
  expect_json_error(request("POST", "/pipelines/orders/replay", R"({"dry_run":"yes"})"), 400, "\"dry_run\"");
  EXPECT_EQ(backend_.calls().size(), before);
}

TEST_F(AdminServerTest, DlqEntryAndDiscardOfNamedEntries) {
  start();
  Client c(port());
  EXPECT_EQ(c.send("GET", "/pipelines/orders/dlq/42").status, 200);
  EXPECT_EQ(backend_.last_call(), "dlq_entry orders 42");
  EXPECT_EQ(c.send("GET", "/pipelines/orders/dlq/abc").status, 400);
  EXPECT_EQ(c.send("POST", "/pipelines/orders/dlq/discard", R"({"ids": [3, 5]})").status, 200);
  EXPECT_EQ(backend_.last_call(), "discard orders 3,5");
  for (const std::string bad : {"", "{}", R"({"ids": []})", R"({"ids": ["3"]})", R"({"ids": [0]})", R"({"ids": [1], "all": true})"})
    EXPECT_EQ(c.send("POST", "/pipelines/orders/dlq/discard", bad).status, 400) << bad;
  EXPECT_EQ(c.send("POST", "/pipelines/orders/replay", R"({"ids": [7]})").status, 202);
  EXPECT_EQ(backend_.last_call(), R"(replay orders {"ids":[7]})");
  EXPECT_EQ(c.send("POST", "/pipelines/orders/replay", R"({"ids": 7})").status, 400);
}

// The status page's files carry no data: served without the token, which
// the page then asks for; everything else still needs it.
TEST_F(AdminServerTest, TheStatusPageIsServedWithoutTheTokenAndNothingElseIs) {
  start("page-token-123");
  Client c(port());
  const Reply page = c.send("GET", "/");
  EXPECT_EQ(page.status, 200);
  EXPECT_EQ(page.headers.at("content-type"), "text/html; charset=utf-8");
  EXPECT_NE(page.body.find("<title>Ferry</title>"), std::string::npos);
  EXPECT_EQ(c.send("GET", "/ui/app.js").headers.at("content-type"), "text/javascript; charset=utf-8");
  EXPECT_EQ(c.send("GET", "/ui/style.css").status, 200);
  EXPECT_EQ(c.send("GET", "/pipelines").status, 401);
  EXPECT_EQ(c.send("GET", "/?x=1").status, 200);
  EXPECT_EQ(c.send("POST", "/").status, 401) << "only GET of the page's files goes without the token";
}

TEST_F(AdminServerTest, PauseAndResume) {
  Reply r = request("POST", "/pipelines/orders/pause");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.json(), json::parse(R"({"state":"paused"})"));
  EXPECT_EQ(backend_.last_call(), "pause orders");
  r = request("POST", "/pipelines/orders/resume");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(backend_.last_call(), "resume orders");
}

// --- errors ---------------------------------------------------------------

TEST_F(AdminServerTest, UnknownPathIs404WithMethodAndPath) {
  Reply r = request("GET", "/x");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.json(), json::parse(R"({"error":"no such endpoint: GET /x"})"));
  expect_json_error(request("GET", "/ui/nope.js"), 404, "no such endpoint: GET /ui/nope.js");
  expect_json_error(request("GET", "/pipelines/orders/nope?x=1"), 404, "GET /pipelines/orders/nope");
  expect_json_error(request("GET", "/pipelines//checkpoints"), 404, "no such endpoint");
  expect_json_error(request("GET", "/metricsz"), 404, "no such endpoint");
}

TEST_F(AdminServerTest, WrongMethodIs405WithAllow) {
  Reply r = request("POST", "/metrics");
  expect_json_error(r, 405, "method POST not allowed on /metrics");
  EXPECT_EQ(r.header("allow"), "GET");

  r = request("PUT", "/pipelines/orders/checkpoints");
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(r.header("allow"), "GET, DELETE");

  r = request("GET", "/pipelines/orders/checkpoints/p1");
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(r.header("allow"), "DELETE");

  r = request("GET", "/pipelines/orders/pause");
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(r.header("allow"), "POST");

  r = request("DELETE", "/pipelines/orders");
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(r.header("allow"), "GET");
}

TEST_F(AdminServerTest, BodyOverOneMebibyteIs413) {
  start();
  // Exactly at the limit is fine (whitespace = no body = {}).
  Reply ok = request("POST", "/pipelines/orders/replay", std::string(1024 * 1024, ' '));
  EXPECT_EQ(ok.status, 202);
  size_t before = backend_.calls().size();

  Reply r = request("POST", "/pipelines/orders/replay", std::string(1024 * 1024 + 1, ' '));
  expect_json_error(r, 413, "larger than 1 MiB");
  EXPECT_FALSE(r.keep_alive);

  // Refused from the header alone, without waiting for the body.
  Client client(port());
  r = client.send_raw(
      "POST /pipelines/orders/replay HTTP/1.1\r\nHost: x\r\nContent-Length: 5000000\r\n"
      "Expect: 100-continue\r\n\r\n");
  EXPECT_EQ(r.status, 413);
  EXPECT_EQ(backend_.calls().size(), before);
}

TEST_F(AdminServerTest, HugeHeaderIs431) {
  Reply r = request("GET", "/metrics", "", {{"X-Padding", std::string(20000, 'a')}});
  expect_json_error(r, 431, "header");
  EXPECT_TRUE(backend_.calls().empty());
}

TEST_F(AdminServerTest, GarbageIs400) {
  start();
  Client client(port());
  Reply r = client.send_raw("HELLO THERE\r\n\r\n");
  expect_json_error(r, 400, "malformed HTTP request");
}

// --- auth -----------------------------------------------------------------

TEST_F(AdminServerTest, TokenRequiredEverywhere) {
  start("s3cret-token");
  for (const char* target : {"/metrics", "/pipelines", "/pipelines/orders/checkpoints", "/nope"}) {
    Reply r = request("GET", target);
    expect_json_error(r, 401, "missing bearer token");
    EXPECT_EQ(r.header("www-authenticate").rfind("Bearer", 0), 0u) << target;
  }
  Reply r = request("GET", "/metrics", "", {{"Authorization", "Bearer wrong"}});
  expect_json_error(r, 401, "invalid bearer token");
  EXPECT_NE(r.header("www-authenticate").find("invalid_token"), std::string::npos);
  expect_json_error(request("GET", "/metrics", "", {{"Authorization", "Bearer s3cret-token-and-more"}}), 401,
                    "invalid bearer token");
  expect_json_error(request("GET", "/metrics", "", {{"Authorization", "Bearer s3cret"}}), 401, "invalid");
  expect_json_error(request("GET", "/metrics", "", {{"Authorization", "Basic czNjcmV0LXRva2Vu"}}), 401,
                    "expected Authorization: Bearer");
  expect_json_error(request("DELETE", "/pipelines/orders/checkpoints", "", {{"Authorization", "Bearer nope"}}),
                    401, "invalid");
  // Refused on the header: no "100 Continue", the body is never read.
  {
    Client client(port());
    Reply early = client.send_raw(
        "POST /pipelines/orders/replay HTTP/1.1\r\nHost: x\r\nContent-Length: 500000\r\n"
        "Expect: 100-continue\r\n\r\n");
    EXPECT_EQ(early.status, 401);
    EXPECT_FALSE(early.keep_alive);
  }
  EXPECT_TRUE(backend_.calls().empty()) << "refused requests must not reach the backend";

  EXPECT_EQ(request("GET", "/metrics", "", {{"Authorization", "Bearer s3cret-token"}}).status, 200);
  EXPECT_EQ(request("GET", "/pipelines", "", {{"Authorization", "bearer   s3cret-token "}}).status, 200);
  EXPECT_EQ(request("DELETE", "/pipelines/orders/checkpoints", "", {{"Authorization", "Bearer s3cret-token"}}).status,
            200);
}

TEST_F(AdminServerTest, EmptyTokenIsRefused) {
  AdminServer::Options options;
  options.port = 0;
  options.bearer_token = "";
  EXPECT_THROW(AdminServer(options, backend_), ferry::core::Error);
}

TEST_F(AdminServerTest, RequestsAreLoggedAtDebugWithoutTheToken) {
  auto& logger = ferry::core::Logger::instance();
  auto level = logger.level();
  logger.set_level(ferry::core::LogLevel::Debug);
  start("another-s3cret");
  testing::internal::CaptureStderr();
  request("GET", "/metrics", "", {{"Authorization", "Bearer another-s3cret"}});
  request("GET", "/pipelines/orders/dlq?limit=3", "", {{"Authorization", "Bearer wrong-guess"}});
  std::string err = testing::internal::GetCapturedStderr();
  logger.set_level(level);
  EXPECT_NE(err.find("admin: GET /metrics 200 "), std::string::npos) << err;
  EXPECT_NE(err.find("admin: GET /pipelines/orders/dlq?limit=3 401 "), std::string::npos) << err;
  EXPECT_NE(err.find("ms"), std::string::npos);
  EXPECT_EQ(err.find("another-s3cret"), std::string::npos) << err;
  EXPECT_EQ(err.find("wrong-guess"), std::string::npos) << err;
}

// --- connections ------------------------------------------------------------

TEST_F(AdminServerTest, KeepAliveServesSeveralRequestsOnOneConnection) {
  start();
  Client client(port());
  for (int i = 0; i < 3; ++i) {
    Reply r = client.send("GET", "/pipelines");
    EXPECT_EQ(r.status, 200);
    EXPECT_TRUE(r.keep_alive);
  }
  expect_json_error(client.send("GET", "/x"), 404, "no such endpoint");  // errors keep the connection too
  EXPECT_EQ(client.send("POST", "/pipelines/orders/resume").status, 200);

  Reply last = client.send("GET", "/metrics", "", {{"Connection", "close"}});
  EXPECT_EQ(last.status, 200);
  EXPECT_FALSE(last.keep_alive);
  EXPECT_TRUE(client.at_eof());
}

TEST_F(AdminServerTest, SlowBackendCallDoesNotBlockOtherRequests) {
  std::promise<void> release;
  backend_.pause_gate = release.get_future().share();
  start();
  auto paused = std::async(std::launch::async, [&] { return request("POST", "/pipelines/orders/pause"); });
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (backend_.last_call() != "pause orders" && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  // /metrics must be answered while pause is still held: the gate opens
  // only afterwards, so a server that serialised the calls never answers.
  auto metrics = std::async(std::launch::async, [&] { return request("GET", "/metrics"); });
  const bool answered = metrics.wait_for(std::chrono::seconds(60)) == std::future_status::ready;
  release.set_value();
  EXPECT_TRUE(answered) << "GET /metrics waited for a slow backend call";
  EXPECT_EQ(metrics.get().status, 200);
  EXPECT_EQ(paused.get().status, 200);
}

TEST_F(AdminServerTest, StopClosesIdleConnectionsAndJoins) {
  start();
  Client idle(port());
  EXPECT_EQ(idle.send("GET", "/metrics").status, 200);
  auto t0 = std::chrono::steady_clock::now();
  server_.reset();  // destructor stops and joins
  // A stop that waited for the idle connection would take the server's 30 s
  // I/O timeout; a busy machine stays far below 20 s.
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(20));
  EXPECT_TRUE(idle.at_eof());
}

// 40 clients open connections and start a request header they never
// finish; a scrape that comes after them is still served.
TEST_F(AdminServerTest, ClientsThatSendNoRequestCannotLockOutAScrape) {
  start();
  std::vector<std::unique_ptr<Client>> squatters;
  for (int i = 0; i < 40; ++i) {
    squatters.push_back(std::make_unique<Client>(port()));
    squatters.back()->write_raw("GET /metrics HTTP/1.1\r\nHost: x\r\n");
  }
  Client scrape(port());
  EXPECT_EQ(scrape.send("GET", "/metrics").status, 200);
  EXPECT_EQ(backend_.last_call(), "metrics");
}

TEST_F(AdminServerTest, AHeaderTrickledInIsCutOffQuickly) {
  start();
  Client slow(port());
  slow.write_raw("GET /metrics HTTP/1.1\r\n");
  const auto t0 = std::chrono::steady_clock::now();
  EXPECT_TRUE(slow.at_eof());
  // The header deadline is 5 s; before it existed the connection stayed
  // for the 30 s I/O timeout. A busy machine stays far below 20 s.
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(20));
}

TEST_F(AdminServerTest, StopIsIdempotentAndStartAfterStopIsANoOp) {
  AdminServer::Options options;
  options.port = 0;
  AdminServer never_started(options, backend_);
  never_started.stop();

  start();
  uint16_t p = port();
  ASSERT_TRUE(listening_here(p));
  server_->stop();
  server_->stop();
  server_->start();
  EXPECT_FALSE(listening_here(p)) << "the port must be closed after stop()";
}

TEST_F(AdminServerTest, PortInUseIsAClearError) {
  start();
  AdminServer::Options options;
  options.port = port();
  try {
    AdminServer second(options, backend_);
    FAIL() << "bound a port that is in use";
  } catch (const ferry::core::Error& e) {
    EXPECT_EQ(std::string(e.what()),
              "cannot listen on 127.0.0.1:" + std::to_string(port()) + ": Address already in use");
  }
}

TEST_F(AdminServerTest, InvalidAddressIsAClearError) {
  AdminServer::Options options;
  options.address = "not-an-ip";
  options.port = 0;
  try {
    AdminServer server(options, backend_);
    FAIL();
  } catch (const ferry::core::Error& e) {
    EXPECT_NE(std::string(e.what()).find("cannot listen on not-an-ip:0"), std::string::npos) << e.what();
  }
}

TEST_F(AdminServerTest, ServesOnIpv6Loopback) {
  AdminServer::Options options;
  options.address = "::1";
  options.port = 0;
  std::unique_ptr<AdminServer> server;
  try {
    server = std::make_unique<AdminServer>(options, backend_);
  } catch (const ferry::core::Error& e) {
    FAIL() << "no IPv6 loopback (::1) to listen on: " << e.what();
  }
  server->start();
  EXPECT_EQ(server->endpoint(), "[::1]:" + std::to_string(server->port()));
  net::io_context ioc;
  tcp::socket s(ioc);
  s.connect(tcp::endpoint(net::ip::make_address("::1"), server->port()));
  http::request<http::empty_body> req(http::verb::get, "/metrics", 11);
  http::write(s, req);
  beast::flat_buffer buf;
  http::response<http::string_body> res;
  http::read(s, buf, res);
  EXPECT_EQ(res.result_int(), 200u);
}

// curl, as an operator would use it: Expect: 100-continue on a larger body,
// the token, an encoded partition.
std::string curl(const std::string& args) {
  std::string cmd = "curl -s -S --max-time 60 -o /dev/null -w '%{http_code}' " + args + " 2>&1";
  std::string out;
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return "popen failed";
  char buf[256];
  while (fgets(buf, sizeof buf, p)) out += buf;
  pclose(p);
  return out;
}

TEST_F(AdminServerTest, WorksWithCurl) {
  ASSERT_EQ(std::system("curl --version > /dev/null 2>&1"), 0) << "curl is not installed";
  start("curl-token");
  std::string base = "http://127.0.0.1:" + std::to_string(port());
  std::string auth = "-H 'Authorization: Bearer curl-token' ";
  EXPECT_EQ(curl(base + "/metrics"), "401");
  EXPECT_EQ(curl(auth + base + "/metrics"), "200");
  EXPECT_EQ(curl(auth + "-X DELETE " + base + "/pipelines/orders/checkpoints/data%2Forders.jsonl"), "200");
  EXPECT_EQ(backend_.last_call(), "reset orders data/orders.jsonl");

  ferry::test::TempDir dir;
  std::string file = (dir.path() / "replay.json").string();
  {
    std::string body = "{\"sink\": \"warehouse\", \"dry_run\": false}" + std::string(4000, ' ');
    FILE* f = fopen(file.c_str(), "w");
    ASSERT_TRUE(f);
    fwrite(body.data(), 1, body.size(), f);
    fclose(f);
  }
  // curl sends the body after "100 Continue", or after --expect100-timeout
  // without one; with that longer than --max-time, a server that does not
  // answer 100-continue fails the request instead of only slowing it.
  EXPECT_EQ(curl(auth + "--expect100-timeout 3600 -H 'Content-Type: application/json' --data-binary @" + file +
                 " " + base + "/pipelines/orders/replay"),
            "202")
      << "100-continue must be answered, not timed out";
  EXPECT_EQ(backend_.last_call(), R"(replay orders {"sink":"warehouse","dry_run":false})");
}

// --- helpers ----------------------------------------------------------------

TEST(AdminHttpUtil, ConstantTimeEqual) {
  using ferry::core::admin::constant_time_equal;
  EXPECT_TRUE(constant_time_equal("abc", "abc"));
  EXPECT_FALSE(constant_time_equal("abc", "abd"));
  EXPECT_FALSE(constant_time_equal("abc", "ab"));
  EXPECT_FALSE(constant_time_equal("abc", "abcd"));
  EXPECT_FALSE(constant_time_equal("abc", ""));
  EXPECT_FALSE(constant_time_equal("ab", std::string("ab\0", 3)));
}

TEST(AdminHttpUtil, SplitThenDecode) {
  using ferry::core::admin::parse_target;
  using ferry::core::admin::Target;
  std::string why;
  auto parse = [&](std::string_view target) { return parse_target(target, &why); };
  EXPECT_EQ(parse("/a/b%2Fc/")->segments, (std::vector<std::string>{"a", "b/c"}));
  EXPECT_EQ(parse("/")->segments, std::vector<std::string>{});
  EXPECT_EQ(parse("//x")->segments, (std::vector<std::string>{"", "x"}));
  EXPECT_EQ(parse("/a+b")->segments, (std::vector<std::string>{"a+b"}));
  EXPECT_EQ(parse("/%e2%82%AC")->segments, (std::vector<std::string>{"\xe2\x82\xac"}));
  const std::optional<Target> q = parse("/x?a=1&b=x%20y+z&a=2&flag");
  ASSERT_TRUE(q);
  EXPECT_EQ(q->query, (std::map<std::string, std::string>{{"a", "2"}, {"b", "x y z"}, {"flag", ""}}));
  EXPECT_EQ(q->path, "/x");
  for (const char* bad : {"/%", "/%4", "/%g0", "/a?b=%zz", "/nul%00", "/x?k=%00"}) {
    EXPECT_FALSE(parse(bad)) << bad;
    EXPECT_NE(why.find("percent-encoding"), std::string::npos) << bad << ": " << why;
  }
}

// --- parse_listen -----------------------------------------------------------

TEST(AdminListen, AcceptedForms) {
  auto check = [](const std::string& spec, const std::string& address, uint16_t port) {
    AdminServer::Options o = AdminServer::parse_listen(spec);
    EXPECT_EQ(o.address, address) << spec;
    EXPECT_EQ(o.port, port) << spec;
    EXPECT_FALSE(o.bearer_token) << spec;
  };
  check("127.0.0.1:9464", "127.0.0.1", 9464);
  check("[::1]:9464", "::1", 9464);
  check(":9464", "127.0.0.1", 9464);
  check("9464", "127.0.0.1", 9464);
  check("0.0.0.0:8080", "0.0.0.0", 8080);
  check("[::]:1", "::", 1);
  check("localhost:65535", "127.0.0.1", 65535);
  check("10.1.2.3:0", "10.1.2.3", 0);
}

TEST(AdminListen, RejectedFormsSayWhy) {
  auto fails = [](const std::string& spec, const std::string& why) {
    try {
      AdminServer::parse_listen(spec);
      ADD_FAILURE() << "accepted '" << spec << "'";
    } catch (const ferry::core::Error& e) {
      std::string m = e.what();
      EXPECT_NE(m.find("invalid admin address '" + spec + "'"), std::string::npos) << m;
      EXPECT_NE(m.find(why), std::string::npos) << m;
      EXPECT_NE(m.find("HOST:PORT"), std::string::npos) << m;
    }
  };
  fails("", "empty");
  fails("localhost", "missing port");
  fails("127.0.0.1", "missing port");
  fails("127.0.0.1:", "missing port");
  fails("127.0.0.1:65536", "out of range");
  fails("127.0.0.1:123456", "not a number");
  fails("127.0.0.1:-1", "not a number");
  fails("127.0.0.1:94a", "not a number");
  fails("::1:9464", "in brackets");
  fails("::1", "in brackets");
  fails("[::1]", "missing port after ']'");
  fails("[::1]9464", "missing port after ']'");
  fails("[::1:9464", "missing ']'");
  fails("[]:9464", "empty IPv6");
  fails("[127.0.0.1]:9464", "IPv6 addresses only");
  fails("admin.example.com:9464", "not an IP address");
  fails("999.1.1.1:9464", "not an IP address");
}

}  // namespace
