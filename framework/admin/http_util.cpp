#include "admin/http_util.h"

#include <cctype>

#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>

namespace ferry::core::admin {
namespace {

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  }
  return true;
}

}  // namespace

std::optional<Target> parse_target(std::string_view target, std::string* why) {
  boost::system::result<boost::urls::url_view> parsed = boost::urls::parse_origin_form(target);
  if (!parsed) {
    const bool path_ok = boost::urls::parse_origin_form(target.substr(0, target.find('?'))).has_value();
    *why = path_ok ? "malformed percent-encoding in query string" : "malformed percent-encoding in path";
    return std::nullopt;
  }
  const boost::urls::url_view& url = *parsed;
  Target t;
  t.path = std::string(url.encoded_path());
  for (boost::urls::pct_string_view raw : url.encoded_segments()) {
    std::string segment = raw.decode();
    if (segment.find('\0') != std::string::npos) {
      *why = "malformed percent-encoding in path: an encoded NUL";
      return std::nullopt;
    }
    t.segments.push_back(std::move(segment));
  }
  if (!t.segments.empty() && t.segments.back().empty()) t.segments.pop_back();
  boost::urls::encoding_opts plus_is_space;
  plus_is_space.space_as_plus = true;
  for (const boost::urls::param& p : url.params(plus_is_space)) {
    if (p.key.find('\0') != std::string::npos || p.value.find('\0') != std::string::npos) {
      *why = "malformed percent-encoding in query string: an encoded NUL";
      return std::nullopt;
    }
    t.query[p.key] = p.value;
  }
  return t;
}

bool constant_time_equal(std::string_view expected, std::string_view given) {
  unsigned diff = expected.size() == given.size() ? 0 : 1;
  for (size_t i = 0; i < expected.size(); ++i) {
    unsigned char g = i < given.size() ? static_cast<unsigned char>(given[i]) : 0;
    diff |= static_cast<unsigned char>(expected[i]) ^ g;
  }
  return diff == 0;
}

std::optional<std::string_view> bearer_credentials(std::string_view authorization) {
  constexpr std::string_view scheme = "Bearer";
  if (authorization.size() <= scheme.size() || !iequals(authorization.substr(0, scheme.size()), scheme))
    return std::nullopt;
  std::string_view rest = authorization.substr(scheme.size());
  if (rest.front() != ' ' && rest.front() != '\t') return std::nullopt;
  while (!rest.empty() && (rest.front() == ' ' || rest.front() == '\t')) rest.remove_prefix(1);
  while (!rest.empty() && (rest.back() == ' ' || rest.back() == '\t')) rest.remove_suffix(1);
  return rest;
}

}  // namespace ferry::core::admin
