#include "options.h"

#include <boost/json.hpp>
#include <ferry/plugin.hpp>
#include <options/option_reader.h>

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

Options parse_options(const ferry::Context& ctx) {
  const ferry::support::OptionReader in(ctx, "webhook");
  Options opts;
  opts.url = in.string("url");
  opts.timeout_ms = in.integer("timeout_ms", opts.timeout_ms, 1, kMaxTimeoutMs);
  const json::value headers = in.json("headers");
  if (!headers.is_null()) read_headers(headers, opts);
  opts.auth_header = in.string("auth_header");
  if (has_line_break(opts.auth_header)) fail("option 'auth_header' holds a line break");
  opts.include_records = in.integer("include_records", opts.include_records, 0, kMaxIncludeRecords);
  opts.fail_on_error = in.boolean("fail_on_error", opts.fail_on_error);
  opts.retries = in.integer("retries", opts.retries, 0, kMaxRetries);
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
