#include "http/curl_support.h"

#include <algorithm>
#include <charconv>
#include <ctime>
#include <mutex>

namespace ferry::support::http {

void init_curl(std::string_view who) {
  static std::once_flag once;
  static CURLcode rc = CURLE_OK;
  std::call_once(once, [] { rc = curl_global_init(CURL_GLOBAL_DEFAULT); });
  if (rc != CURLE_OK)
    throw ferry::Error(FERRY_ERROR_INTERNAL,
                       std::string(who) + ": curl_global_init failed: " + curl_easy_strerror(rc));
}

EasyHandle new_easy(std::string_view who) {
  init_curl(who);
  EasyHandle easy(curl_easy_init());
  if (!easy) throw ferry::Error(FERRY_ERROR_INTERNAL, std::string(who) + ": curl_easy_init failed");
  return easy;
}

void fail_option(std::string_view who, CURLcode rc) {
  throw ferry::Error(FERRY_ERROR_INTERNAL, std::string(who) + ": libcurl option failed: " + curl_easy_strerror(rc));
}

void HeaderList::append(const std::string& line) {
  // A NULL from curl_slist_append means out of memory; the old list is then
  // still ours to free.
  curl_slist* grown = curl_slist_append(list_.get(), line.c_str());
  if (grown == nullptr) throw ferry::Error(FERRY_ERROR_INTERNAL, who_ + ": out of memory");
  (void)list_.release();
  list_.reset(grown);
}

FerryStatus status_of_transport(CURLcode rc) {
  switch (rc) {
    case CURLE_OK:
      return FERRY_OK;
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_URL_MALFORMAT:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_LOGIN_DENIED:
      return FERRY_ERROR_CONFIG;
    case CURLE_OUT_OF_MEMORY:
      return FERRY_ERROR_INTERNAL;
    default:
      return FERRY_RETRY;
  }
}

FerryStatus status_of_http(long status) {
  if (status >= 200 && status < 300) return FERRY_OK;
  if (status == 401 || status == 403) return FERRY_ERROR_AUTH;
  if (status == 408 || status == 429 || status >= 500) return FERRY_RETRY;
  return FERRY_ERROR_CONFIG;
}

uint64_t retry_after_ms(std::string_view value, uint64_t cap_ms) {
  if (value.empty()) return 0;
  uint64_t seconds = 0;
  const auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), seconds);
  if (ptr == value.data() + value.size()) {
    if (ec == std::errc()) return seconds > cap_ms / 1000 ? cap_ms : seconds * 1000;
    if (ec == std::errc::result_out_of_range) return cap_ms;  // more seconds than 64 bits hold
  }
  // An HTTP date: the hint is the time until then. The clock is fine here:
  // it only decides how long to wait, never what is written.
  const time_t when = curl_getdate(std::string(value).c_str(), nullptr);
  const time_t now = std::time(nullptr);
  if (when <= now) return 0;
  const auto seconds_until = static_cast<uint64_t>(when - now);
  return seconds_until > cap_ms / 1000 ? cap_ms : seconds_until * 1000;
}

std::optional<std::string> header_value(std::string_view line, std::string_view name) {
  if (line.size() <= name.size() || line[name.size()] != ':') return std::nullopt;
  for (size_t i = 0; i < name.size(); ++i) {
    char c = line[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != name[i]) return std::nullopt;
  }
  std::string_view v = line.substr(name.size() + 1);
  while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
  while (!v.empty() && (v.back() == ' ' || v.back() == '\t' || v.back() == '\r' || v.back() == '\n'))
    v.remove_suffix(1);
  return std::string(v);
}

}  // namespace ferry::support::http
