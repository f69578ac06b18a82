// Bearer-token check. Every endpoint goes through it, /metrics included: a
// scrape exposes pipeline names and volumes, which is more than nothing.
// The status page's own files are the exception: they hold no data, and a
// browser cannot send a bearer token when it opens a page.
#include "admin/http_util.h"
#include "admin/routes.h"
#include "admin/ui_assets.h"

namespace ferry::core::admin {
namespace {

Response unauthorized(std::string_view message, std::string challenge) {
  Response r = json_error(401, message);
  r.headers.emplace_back("WWW-Authenticate", std::move(challenge));
  return r;
}

}  // namespace

std::optional<Response> check_auth(const std::optional<std::string>& token, const Request& request) {
  if (!token) return std::nullopt;
  if (request.method == "GET" && find_ui_asset(request.target.substr(0, request.target.find('?'))))
    return std::nullopt;
  const std::string challenge = "Bearer realm=\"ferry-admin\"";
  if (!request.authorization) return unauthorized("missing bearer token (Authorization: Bearer <token>)", challenge);
  auto given = bearer_credentials(*request.authorization);
  if (!given) return unauthorized("expected Authorization: Bearer <token>", challenge);
  // Wrong and missing both answer 401 (not 403): either way the fix is the
  // same, send the right token.
  if (!constant_time_equal(*token, *given))
    return unauthorized("invalid bearer token", challenge + ", error=\"invalid_token\"");
  return std::nullopt;
}

}  // namespace ferry::core::admin
