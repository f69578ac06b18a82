// The admin API without the transport: a parsed request in, a response out.
// The socket code (admin_server.cpp) only converts to and from Beast types,
// so everything an operator can observe about the API is decided here.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "admin/admin_backend.h"

namespace ferry::core::admin {

struct Request {
  std::string_view method;  // as sent: "GET", "DELETE", ...
  std::string_view target;  // origin-form: "/pipelines/x/dlq?status=pending"
  std::optional<std::string_view> authorization;
  std::string_view body;
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // Allow, WWW-Authenticate
};

inline constexpr size_t kMaxBodyBytes = 1024 * 1024;
inline constexpr size_t kMaxHeaderBytes = 16 * 1024;
inline constexpr int64_t kDefaultDlqLimit = 100;
inline constexpr int64_t kMaxDlqLimit = 10000;

Response json_error(int status, std::string_view message);

// 401 unless the request carries the configured token; nullopt = let it in.
std::optional<Response> check_auth(const std::optional<std::string>& token, const Request& request);

// Routes an authorized request to the backend. Backend exceptions become 500.
Response route(AdminBackend& backend, const Request& request);

}  // namespace ferry::core::admin
