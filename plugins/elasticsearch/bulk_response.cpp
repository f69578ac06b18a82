#include "bulk_response.h"

#include <algorithm>
#include <boost/json.hpp>
#include <charconv>

#include "http/curl_support.h"

namespace ferry_es {
namespace {

namespace json = boost::json;
namespace http = ferry::support::http;

constexpr uint64_t kMaxRetryAfterMs = 10 * 60 * 1000;
constexpr size_t kMaxQuoted = 300;
constexpr size_t kMaxMessage = 2000;

// Printable start of a body for an error message.
std::string quote(std::string_view body) {
  std::string out(body.substr(0, kMaxQuoted));
  for (char& c : out)
    if (static_cast<unsigned char>(c) < 0x20) c = ' ';
  if (body.size() > kMaxQuoted) out += "...";
  return out;
}

std::string str(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr) return {};
  if (v->is_string()) return std::string(v->as_string());
  return json::serialize(*v);
}

// "<type>: <reason>", plus the cause, which often holds the useful part
// ("For input string: \"abc\"").
std::string error_text(const json::value& error) {
  if (error.is_string()) return std::string(error.as_string());
  if (!error.is_object()) return json::serialize(error);
  const json::object& e = error.as_object();
  std::string out = str(e, "type") + ": " + str(e, "reason");
  if (const json::value* cause = e.if_contains("caused_by"); cause && cause->is_object()) {
    const json::object& c = cause->as_object();
    out += " (caused by " + str(c, "type") + ": " + str(c, "reason") + ")";
  }
  if (out.size() > kMaxMessage) out = out.substr(0, kMaxMessage) + "...";
  return out;
}

// What Elasticsearch says about a refused request: {"error": {...}, "status": N}.
std::string request_error(const std::string& body) {
  boost::system::error_code ec;
  const json::value v = json::parse(body, ec);
  if (!ec && v.is_object())
    if (const json::value* e = v.as_object().if_contains("error")) return error_text(*e);
  return body.empty() ? "(empty body)" : quote(body);
}

// The outcome of one item: {"<action>": {"status": N, "error": {...}, "_id": ...}}.
void read_item(const json::value& item, size_t pos, RequestOutcome& out) {
  const json::object* wrapper = item.if_object();
  const json::object* body = nullptr;
  std::string_view action;
  if (wrapper != nullptr && wrapper->size() == 1) {
    action = wrapper->begin()->key();
    body = wrapper->begin()->value().if_object();
  }
  const json::value* status_v = body ? body->if_contains("status") : nullptr;
  if (status_v == nullptr || !status_v->is_number()) {
    out.failures.push_back({pos, FERRY_RETRY, "unreadable bulk response item: " + quote(json::serialize(item))});
    return;
  }
  const int64_t status = status_v->to_number<int64_t>();
  if (status >= 200 && status < 300) {
    ++out.applied;
    return;
  }
  // Deleting what is not there leaves the index as the delete wanted.
  if (status == 404 && action == "delete") {
    ++out.applied;
    return;
  }
  const json::value* error = body->if_contains("error");
  const std::string detail = error ? error_text(*error) : "HTTP status " + std::to_string(status);
  if (status == 409 && action == "create") {
    std::string type = "version_conflict_engine_exception";
    if (error && error->is_object()) type = str(error->as_object(), "type");
    out.failures.push_back({pos, FERRY_INVALID_DATA,
                            "conflict: document " + str(*body, "_id") + " already exists (" + type + ")"});
    return;
  }
  // 429: the node's write queue is full; 5xx: a shard is not available;
  // 409 on index/update: a concurrent writer changed the document meanwhile.
  if (status == 429 || status >= 500 || status == 409) {
    out.failures.push_back({pos, FERRY_RETRY, detail});
    return;
  }
  out.failures.push_back({pos, FERRY_INVALID_DATA, detail});
}

}  // namespace

RequestOutcome read_bulk_response(const HttpResult& r, size_t items) {
  RequestOutcome out;
  if (r.transport != CURLE_OK) {
    out.status = http::status_of_transport(r.transport);
    out.message = r.transport_error;
    return out;
  }
  if (r.status < 200 || r.status >= 300) {
    out.status = http::status_of_http(r.status);
    out.message = "HTTP " + std::to_string(r.status) + ": " + request_error(r.body);
    if (out.status == FERRY_RETRY) out.retry_after_ms = http::retry_after_ms(r.retry_after, kMaxRetryAfterMs);
    return out;
  }
  boost::system::error_code ec;
  const json::value v = json::parse(r.body, ec);
  const json::object* root = ec ? nullptr : v.if_object();
  const json::value* list = root ? root->if_contains("items") : nullptr;
  // An answer we cannot map back to the rows leaves us not knowing which
  // landed; sending all again is safe (idempotent by _id), guessing is not.
  if (list == nullptr || !list->is_array()) {
    out.status = FERRY_RETRY;
    out.message = "unreadable bulk response (HTTP " + std::to_string(r.status) + "): " + quote(r.body);
    return out;
  }
  const json::array& arr = list->as_array();
  if (arr.size() != items) {
    out.status = FERRY_RETRY;
    out.message = "bulk response has " + std::to_string(arr.size()) + " items for " +
                  std::to_string(items) + " actions";
    return out;
  }
  const json::value* errors = root->if_contains("errors");
  if (errors != nullptr && errors->is_bool() && !errors->as_bool()) {
    // Nothing failed; a 404 on delete does not count as an error either.
    out.applied = items;
    return out;
  }
  for (size_t i = 0; i < arr.size(); ++i) read_item(arr[i], i, out);
  return out;
}

}  // namespace ferry_es
