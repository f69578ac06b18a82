#include "options.h"

#include <boost/json.hpp>
#include <ferry/plugin.hpp>

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

bool read_bool(const json::value& v, std::string_view name) {
  if (!v.is_bool()) fail("option '" + std::string(name) + "' must be a boolean");
  return v.as_bool();
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

Action parse_action(const std::string& s) {
  if (s == "index") return Action::kIndex;
  if (s == "create") return Action::kCreate;
  if (s == "update") return Action::kUpdate;
  fail("option 'action' must be \"index\", \"create\" or \"update\", got \"" + s + "\"");
}

Refresh parse_refresh(const json::value& v) {
  // Accept the boolean spelling too: `"refresh": true` is what people write.
  if (v.is_bool()) return v.as_bool() ? Refresh::kTrue : Refresh::kFalse;
  const std::string s = read_string(v, "refresh");
  if (s == "false") return Refresh::kFalse;
  if (s == "true") return Refresh::kTrue;
  if (s == "wait_for") return Refresh::kWaitFor;
  fail("option 'refresh' must be \"false\", \"true\" or \"wait_for\", got \"" + s + "\"");
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

Options parse_options(std::string_view config_json) {
  boost::system::error_code ec;
  json::value root = json::parse(json::string_view(config_json.data(), config_json.size()), ec);
  if (ec) fail("config is not valid JSON: " + ec.message());
  if (!root.is_object()) fail("config must be a JSON object");

  Options o;
  for (const json::key_value_pair& kv : root.as_object()) {
    const std::string_view name(kv.key().data(), kv.key().size());
    const json::value& v = kv.value();
    if (v.is_null()) continue;  // an option left unset
    if (name == "url") {
      o.url = read_string(v, name);
    } else if (name == "index") {
      o.index = read_string(v, name);
    } else if (name == "action") {
      o.action = parse_action(read_string(v, name));
    } else if (name == "id_field") {
      o.id_field = read_string(v, name);
    } else if (name == "max_bulk_records") {
      o.max_bulk_records = read_int(v, name, 1, kMaxBulkRecords);
    } else if (name == "max_bulk_bytes") {
      o.max_bulk_bytes = read_int(v, name, 1024, kMaxBulkBytes);
    } else if (name == "gzip") {
      o.gzip = read_bool(v, name);
    } else if (name == "concurrency") {
      o.concurrency = read_int(v, name, 1, kMaxConcurrency);
    } else if (name == "username") {
      o.username = read_string(v, name);
    } else if (name == "password") {
      o.password = read_string(v, name);
    } else if (name == "api_key") {
      o.api_key = read_string(v, name);
    } else if (name == "bearer_token") {
      o.bearer_token = read_string(v, name);
    } else if (name == "ca_file") {
      o.ca_file = read_string(v, name);
    } else if (name == "verify_tls") {
      o.verify_tls = read_bool(v, name);
    } else if (name == "timeout_ms") {
      o.timeout_ms = read_int(v, name, 1, kMaxTimeoutMs);
    } else if (name == "refresh") {
      o.refresh = parse_refresh(v);
    } else {
      fail("unknown option '" + std::string(name) + "'");
    }
  }
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
