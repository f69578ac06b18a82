#include "options.h"

#include <boost/json.hpp>
#include <ferry/plugin.hpp>
#include <options/option_reader.h>

namespace ferry_es {
namespace {

namespace json = boost::json;

constexpr int64_t kMaxBulkRecords = 100000;
// Elasticsearch refuses bodies above http.max_content_length (100 MiB by default).
constexpr int64_t kMaxBulkBytes = 100LL * 1024 * 1024;
constexpr int64_t kMaxConcurrency = 64;
constexpr int64_t kMaxTimeoutMs = 3600000;
constexpr size_t kMaxIndexBytes = 255;

[[noreturn]] void fail(const std::string& message) {
  throw ferry::Error(FERRY_ERROR_CONFIG, "elasticsearch sink: " + message);
}

bool starts_with(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

bool has_control(std::string_view s) {
  for (char c : s)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return true;
  return false;
}

// Elasticsearch's rules for index names, checked here so that a typo fails
// before any data moves instead of as 400s on every item. Date math
// ("<logs-{now/d}>") is refused with the rest: it names the index after the
// clock, and a replay on another day would write a second copy.
void check_index(const std::string& index) {
  if (index.empty()) fail("option 'index' must not be empty");
  if (index.size() > kMaxIndexBytes) fail("option 'index' is longer than 255 bytes");
  if (index == "." || index == "..") fail("option 'index' must not be '.' or '..'");
  if (index.front() == '-' || index.front() == '_' || index.front() == '+')
    fail("option 'index' must not start with '-', '_' or '+'");
  for (char c : index) {
    if (c >= 'A' && c <= 'Z') fail("option 'index' must be lowercase: \"" + index + "\"");
    if (std::string_view("\\/*?\"<>|,#: ").find(c) != std::string_view::npos ||
        static_cast<unsigned char>(c) < 0x20)
      fail("option 'index' holds a character Elasticsearch does not allow in index names "
           "(\\ / * ? \" < > | , # : space): \"" + index + "\"");
  }
}

void check_auth(const Options& o) {
  const int schemes = (!o.username.empty() || !o.password.empty()) + !o.api_key.empty() +
                      !o.bearer_token.empty();
  if (schemes > 1)
    fail("set only one of 'username'/'password', 'api_key' and 'bearer_token'");
  if (!o.username.empty() && o.password.empty()) fail("option 'username' needs 'password'");
  if (o.username.empty() && !o.password.empty()) fail("option 'password' needs 'username'");
  if (o.username.find(':') != std::string::npos)
    fail("option 'username' must not contain ':' (basic authentication cannot carry it)");
  // Values are never quoted: they are secrets.
  if (has_control(o.username) || has_control(o.password) || has_control(o.api_key) ||
      has_control(o.bearer_token))
    fail("a credential option holds a control character (line break?)");
}

}  // namespace

std::string_view action_name(Action action) {
  switch (action) {
    case Action::kIndex:
      return "index";
    case Action::kCreate:
      return "create";
    case Action::kUpdate:
      return "update";
  }
  return "index";
}

Options parse_options(const ferry::Context& ctx) {
  const ferry::support::OptionReader in(ctx, "elasticsearch sink");
  Options o;
  o.url = in.string("url");
  o.index = in.string("index");
  o.action = in.choice("action", {{"index", Action::kIndex}, {"create", Action::kCreate}, {"update", Action::kUpdate}},
                       o.action);
  o.id_field = in.string("id_field");
  o.max_bulk_records = in.integer("max_bulk_records", o.max_bulk_records, 1, kMaxBulkRecords);
  o.max_bulk_bytes = in.integer("max_bulk_bytes", o.max_bulk_bytes, 1024, kMaxBulkBytes);
  o.gzip = in.boolean("gzip", o.gzip);
  o.concurrency = in.integer("concurrency", o.concurrency, 1, kMaxConcurrency);
  o.username = in.string("username");
  o.password = in.string("password");
  o.api_key = in.string("api_key");
  o.bearer_token = in.string("bearer_token");
  o.ca_file = in.string("ca_file");
  o.verify_tls = in.boolean("verify_tls", o.verify_tls);
  o.timeout_ms = in.integer("timeout_ms", o.timeout_ms, 1, kMaxTimeoutMs);
  o.refresh = in.choice("refresh", {{"false", Refresh::kFalse}, {"true", Refresh::kTrue}, {"wait_for", Refresh::kWaitFor}},
                        o.refresh);
  if (o.url.empty()) fail("option 'url' is required");
  // Enforced again in libcurl (CURLOPT_PROTOCOLS_STR): a file:// URL must not
  // turn the sink into a writer of local files.
  if (!starts_with(o.url, "http://") && !starts_with(o.url, "https://"))
    fail("option 'url' must start with http:// or https://");
  if (has_control(o.url)) fail("option 'url' holds a control character");
  if (o.url.find_first_of("?#") != std::string::npos)
    fail("option 'url' must not have a query or fragment (the sink adds /<index>/_bulk?...)");
  while (!o.url.empty() && o.url.back() == '/') o.url.pop_back();
  check_index(o.index);
  check_auth(o);
  return o;
}

}  // namespace ferry_es
