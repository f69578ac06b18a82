#include "admin/routes.h"

#include <charconv>
#include <exception>
#include <map>
#include <variant>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include "admin/http_util.h"
#include "admin/ui_assets.h"
#include "common/log.h"
#include "state/state_store.h"
#include "common/json_out.h"

namespace ferry::core::admin {
namespace {

namespace json = boost::json;

using Query = std::map<std::string, std::string>;

// What a handler gets: the decoded path placeholders ("*" in a pattern) in
// order, the decoded query and the raw body.
struct Call {
  AdminBackend& backend;
  const std::vector<std::string>& params;
  const Query& query;
  std::string_view body;
};

using Handler = Response (*)(const Call&);

struct Route {
  std::string_view method;
  std::vector<std::string_view> pattern;  // literal segments, "*" = any non-empty segment
  Handler handler;
};

Response json_response(int status, const json::value& body) {
  Response r;
  r.status = status;
  r.body = json_text(body) + "\n";
  return r;
}

Response from_result(AdminResult result) {
  // A backend bug must not turn into a malformed status line.
  if (result.http_status < 200 || result.http_status > 599)
    return json_error(500, "backend returned invalid HTTP status " + std::to_string(result.http_status));
  return json_response(result.http_status, result.body);
}

Response get_metrics(const Call& c) {
  Response r;
  r.content_type = "text/plain; version=0.0.4; charset=utf-8";
  r.body = c.backend.metrics_text();
  return r;
}

Response get_pipelines(const Call& c) {
  return json_response(200, json::object{{"pipelines", c.backend.pipelines()}});
}

Response get_pipeline(const Call& c) { return from_result(c.backend.pipeline(c.params[0])); }

Response get_checkpoints(const Call& c) { return from_result(c.backend.checkpoints(c.params[0])); }

Response delete_checkpoints(const Call& c) {
  return from_result(c.backend.reset_checkpoints(c.params[0], std::nullopt));
}

Response delete_partition_checkpoint(const Call& c) {
  return from_result(c.backend.reset_checkpoints(c.params[0], c.params[1]));
}

Response get_dlq(const Call& c) {
  std::optional<std::string> status;
  if (auto it = c.query.find("status"); it != c.query.end() && !it->second.empty()) {
    if (!parse_dlq_status(it->second))
      return json_error(400, "invalid status '" + it->second +
                                 "': expected pending, resolved, failed_again or discarded");
    status = it->second;
  }
  int64_t limit = kDefaultDlqLimit;
  if (auto it = c.query.find("limit"); it != c.query.end()) {
    const std::string& text = it->second;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), limit);
    if (ec != std::errc() || end != text.data() + text.size() || limit < 1 || limit > kMaxDlqLimit)
      return json_error(400, "invalid limit '" + text + "': expected an integer from 1 to " +
                                 std::to_string(kMaxDlqLimit));
  }
  return from_result(c.backend.dlq(c.params[0], status, limit));
}

// The body as a JSON object ({} when blank), or the 400 to answer.
std::variant<json::object, Response> body_object(const Call& c) {
  if (c.body.find_first_not_of(" \t\r\n") == std::string_view::npos) return json::object{};
  boost::system::error_code ec;
  json::value v = json::parse(c.body, ec);
  if (ec) return json_error(400, "invalid JSON body: " + ec.message());
  if (!v.is_object()) return json_error(400, "request body must be a JSON object");
  return std::move(v.as_object());
}

bool is_id_list(const json::value& v) {
  if (!v.is_array() || v.as_array().empty()) return false;
  for (const json::value& id : v.as_array())
    if (!id.is_int64() || id.as_int64() < 1) return false;
  return true;
}

Response post_replay(const Call& c) {
  auto body = body_object(c);
  if (auto* refusal = std::get_if<Response>(&body)) return *refusal;
  json::object& request = std::get<json::object>(body);
  // Unknown keys are refused rather than ignored: a typo like "dryrun" would
  // otherwise turn a rehearsal into a real replay.
  for (const auto& [key, value] : request) {
    if (key == "sink") {
      if (!value.is_string()) return json_error(400, "\"sink\" must be a string");
    } else if (key == "dry_run") {
      if (!value.is_bool()) return json_error(400, "\"dry_run\" must be true or false");
    } else if (key == "ids") {
      if (!is_id_list(value)) return json_error(400, "\"ids\" must be a non-empty array of entry ids");
    } else {
      return json_error(400, "unknown field \"" + std::string(key) + "\" (expected sink, dry_run, ids)");
    }
  }
  return from_result(c.backend.replay(c.params[0], request));
}

Response get_dlq_entry(const Call& c) {
  int64_t id = 0;
  const std::string& text = c.params[1];
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (ec != std::errc() || end != text.data() + text.size() || id < 1)
    return json_error(400, "invalid DLQ entry id '" + text + "'");
  return from_result(c.backend.dlq_entry(c.params[0], id));
}

Response post_discard(const Call& c) {
  auto body = body_object(c);
  if (auto* refusal = std::get_if<Response>(&body)) return *refusal;
  const json::object& request = std::get<json::object>(body);
  // Only named entries: discarding "everything" is one typo away otherwise.
  if (request.size() != 1 || !request.contains("ids") || !is_id_list(request.at("ids")))
    return json_error(400, "expected {\"ids\": [entry ids]}");
  std::vector<int64_t> ids;
  for (const json::value& id : request.at("ids").as_array()) ids.push_back(id.as_int64());
  return from_result(c.backend.discard(c.params[0], ids));
}

Response post_pause(const Call& c) { return from_result(c.backend.pause(c.params[0])); }

Response post_resume(const Call& c) { return from_result(c.backend.resume(c.params[0])); }

const std::vector<Route>& routes() {
  static const std::vector<Route> table = {
      {"GET", {"metrics"}, get_metrics},
      {"GET", {"pipelines"}, get_pipelines},
      {"GET", {"pipelines", "*"}, get_pipeline},
      {"GET", {"pipelines", "*", "checkpoints"}, get_checkpoints},
      {"DELETE", {"pipelines", "*", "checkpoints"}, delete_checkpoints},
      {"DELETE", {"pipelines", "*", "checkpoints", "*"}, delete_partition_checkpoint},
      {"GET", {"pipelines", "*", "dlq"}, get_dlq},
      {"GET", {"pipelines", "*", "dlq", "*"}, get_dlq_entry},
      {"POST", {"pipelines", "*", "dlq", "discard"}, post_discard},
      {"POST", {"pipelines", "*", "replay"}, post_replay},
      {"POST", {"pipelines", "*", "pause"}, post_pause},
      {"POST", {"pipelines", "*", "resume"}, post_resume},
  };
  return table;
}

bool matches(const Route& route, const std::vector<std::string>& segments, std::vector<std::string>* params) {
  if (route.pattern.size() != segments.size()) return false;
  params->clear();
  for (size_t i = 0; i < segments.size(); ++i) {
    if (route.pattern[i] == "*") {
      if (segments[i].empty()) return false;
      params->push_back(segments[i]);
    } else if (route.pattern[i] != segments[i]) {
      return false;
    }
  }
  return true;
}

}  // namespace

Response json_error(int status, std::string_view message) {
  return json_response(status, json::object{{"error", message}});
}

Response route(AdminBackend& backend, const Request& request) {
  std::string_view target = request.target;
  std::string_view path = target.substr(0, target.find('?'));
  std::string no_such = "no such endpoint: " + std::string(request.method) + " " + std::string(path);
  if (path.empty() || path.front() != '/') return json_error(404, no_such);
  std::string why;
  std::optional<Target> parsed = parse_target(target, &why);
  if (!parsed) return json_error(400, why + ": " + std::string(path));
  const std::vector<std::string>& segments = parsed->segments;
  const std::map<std::string, std::string>* query = &parsed->query;

  if (request.method == "GET" || request.method == "HEAD")
    if (const UiAsset* asset = find_ui_asset(path)) {
      Response r;
      r.content_type = std::string(asset->content_type) + "; charset=utf-8";
      r.body = std::string(asset->body);
      return r;
    }

  std::vector<std::string> params;
  std::string allowed;
  for (const Route& r : routes()) {
    if (!matches(r, segments, &params)) continue;
    if (r.method != request.method) {
      allowed += (allowed.empty() ? "" : ", ") + std::string(r.method);
      continue;
    }
    try {
      return r.handler(Call{backend, params, *query, request.body});
    } catch (const std::exception& e) {
      log_error("admin: " + std::string(request.method) + " " + std::string(path) + " failed: " + e.what());
      return json_error(500, std::string("internal error: ") + e.what());
    }
  }
  if (allowed.empty()) return json_error(404, no_such);
  Response r = json_error(405, "method " + std::string(request.method) + " not allowed on " + std::string(path) +
                                   " (allowed: " + allowed + ")");
  r.headers.emplace_back("Allow", allowed);
  return r;
}

}  // namespace ferry::core::admin
