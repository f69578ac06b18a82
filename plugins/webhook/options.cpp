#include "options.h"

#include <boost/json.hpp>
#include <ferry/plugin.hpp>

namespace ferry_webhook {
namespace {

namespace json = boost::json;

// Bounds that keep one hook call short and one payload small: a hook runs on
// the pipeline's writer thread, so every millisecond here stalls the data.
constexpr int64_t kMaxTimeoutMs = 600000;
constexpr int64_t kMaxIncludeRecords = 1000;
constexpr int64_t kMaxRetries = 10;

[[noreturn]] void fail(const std::string& message) {
  throw ferry::Error(FERRY_ERROR_CONFIG, "webhook: " + message);
}

std::string read_string(const json::value& v, std::string_view name) {
  if (!v.is_string()) fail("option '" + std::string(name) + "' must be a string");
  const json::string& s = v.as_string();
  return std::string(s.data(), s.size());
}

int64_t read_int(const json::value& v, std::string_view name, int64_t lo, int64_t hi) {
  if (!v.is_int64() || v.as_int64() < lo || v.as_int64() > hi)
    fail("option '" + std::string(name) + "' must be an integer between " + std::to_string(lo) +
         " and " + std::to_string(hi));
  return v.as_int64();
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    const char x = a[i] >= 'A' && a[i] <= 'Z' ? static_cast<char>(a[i] - 'A' + 'a') : a[i];
    const char y = b[i] >= 'A' && b[i] <= 'Z' ? static_cast<char>(b[i] - 'A' + 'a') : b[i];
    if (x != y) return false;
  }
  return true;
}

// RFC 9110 token characters: anything else would let a name smuggle in a
// second header or break the request line.
bool is_token(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
    if (!ok) return false;
  }
  return true;
}

bool has_line_break(std::string_view s) {
  return s.find_first_of(std::string_view("\r\n\0", 3)) != std::string_view::npos;
}

void read_headers(const json::value& v, Options& opts) {
  if (!v.is_object()) fail("option 'headers' must be an object of header names to strings");
  for (const json::key_value_pair& kv : v.as_object()) {
    const std::string name(kv.key().data(), kv.key().size());
    if (!is_token(name)) fail("header name '" + name + "' in option 'headers' is not valid");
    if (iequals(name, "Authorization"))
      fail("set the Authorization header with option 'auth_header' (kept secret), "
           "not in 'headers'");
    if (iequals(name, "Content-Type") || iequals(name, "Content-Length"))
      fail("header '" + name + "' is set by the webhook itself");
    if (!kv.value().is_string()) fail("header '" + name + "' in option 'headers' must be a string");
    const json::string& value = kv.value().as_string();
    // The value is never quoted back: it may be a secret.
    if (has_line_break(std::string_view(value.data(), value.size())))
      fail("header '" + name + "' in option 'headers' holds a line break");
    opts.headers.emplace_back(name, std::string(value.data(), value.size()));
  }
}

bool starts_with(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

}  // namespace

Options parse_options(std::string_view config_json) {
  boost::system::error_code ec;
  json::value root = json::parse(json::string_view(config_json.data(), config_json.size()), ec);
  if (ec) fail("config is not valid JSON: " + ec.message());
  if (!root.is_object()) fail("config must be a JSON object");

  Options opts;
  for (const json::key_value_pair& kv : root.as_object()) {
    const std::string_view name(kv.key().data(), kv.key().size());
    const json::value& v = kv.value();
    if (name == "url") {
      opts.url = read_string(v, name);
    } else if (name == "timeout_ms") {
      opts.timeout_ms = read_int(v, name, 1, kMaxTimeoutMs);
    } else if (name == "headers") {
      read_headers(v, opts);
    } else if (name == "auth_header") {
      opts.auth_header = read_string(v, name);
      if (has_line_break(opts.auth_header)) fail("option 'auth_header' holds a line break");
    } else if (name == "include_records") {
      opts.include_records = read_int(v, name, 0, kMaxIncludeRecords);
    } else if (name == "fail_on_error") {
      if (!v.is_bool()) fail("option 'fail_on_error' must be a boolean");
      opts.fail_on_error = v.as_bool();
    } else if (name == "retries") {
      opts.retries = read_int(v, name, 0, kMaxRetries);
    } else {
      fail("unknown option '" + std::string(name) + "'");
    }
  }
  if (opts.url.empty()) fail("option 'url' is required");
  // Checked here and enforced again in libcurl (CURLOPT_PROTOCOLS_STR): a
  // file:// or gopher:// URL in a pipeline must not turn a hook into a reader
  // of local files.
  if (!starts_with(opts.url, "http://") && !starts_with(opts.url, "https://"))
    fail("option 'url' must start with http:// or https://");
  if (has_line_break(opts.url)) fail("option 'url' holds a line break");
  return opts;
}

}  // namespace ferry_webhook
