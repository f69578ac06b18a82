// The libcurl plumbing every HTTP plugin shares (Elasticsearch, S3,
// webhook): one process-wide initialisation, checked options, owned header
// lists, the Retry-After header, and one table that says what a failed
// transfer or an HTTP status means for Ferry. Each plugin keeps only what
// its service adds (S3's error codes, a bulk response's per-item results).
//
// Thread-safety: init_curl may be called from any thread; an easy handle
// and a HeaderList belong to one thread at a time. curl_global_cleanup is
// never called: other code in the host process may still use libcurl when a
// plugin is closed.
#pragma once

#include <curl/curl.h>
#include <ferry/plugin.h>

#include <ferry/plugin.hpp>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace ferry::support::http {

// curl_global_init once per image of the calling plugin (libcurl 7.84+ makes
// it thread-safe across images). Throws ferry::Error(FERRY_ERROR_INTERNAL),
// its message starting with `who` ("s3", "webhook", "elasticsearch sink").
void init_curl(std::string_view who);

struct EasyCleanup {
  void operator()(CURL* c) const noexcept { curl_easy_cleanup(c); }
};
using EasyHandle = std::unique_ptr<CURL, EasyCleanup>;

// init_curl, then a new easy handle; throws ferry::Error when there is none.
EasyHandle new_easy(std::string_view who);

[[noreturn]] void fail_option(std::string_view who, CURLcode rc);

template <typename T>
void set_option(CURL* c, CURLoption option, T value, std::string_view who) {
  const CURLcode rc = curl_easy_setopt(c, option, value);
  if (rc != CURLE_OK) fail_option(who, rc);
}

// Request header lines, freed with the list.
class HeaderList {
 public:
  explicit HeaderList(std::string_view who) : who_(who) {}
  // Throws ferry::Error(FERRY_ERROR_INTERNAL) when out of memory.
  void append(const std::string& line);
  curl_slist* get() const { return list_.get(); }

 private:
  struct SlistFree {
    void operator()(curl_slist* l) const noexcept { curl_slist_free_all(l); }
  };
  std::string who_;
  std::unique_ptr<curl_slist, SlistFree> list_;
};

// What a transfer that got no HTTP answer means: a URL or TLS setting only a
// configuration change fixes (FERRY_ERROR_CONFIG, login refusals included),
// out of memory (FERRY_ERROR_INTERNAL), or a server that may come back:
// refused, reset, timed out, DNS (FERRY_RETRY).
FerryStatus status_of_transport(CURLcode rc);

// What an HTTP status means: 2xx FERRY_OK; 401 and 403 FERRY_ERROR_AUTH;
// 408, 429 and 5xx FERRY_RETRY; anything else FERRY_ERROR_CONFIG: a 1xx or
// 3xx is not an answer from the configured URL (redirects are not
// followed, so "delivered" means the configured URL took it), and another
// 4xx will be refused again until the configuration changes (a wrong URL,
// index or bucket, a body the server does not take).
FerryStatus status_of_http(long status);

// The wait a Retry-After value asks for, in delay-seconds or as an HTTP
// date, at most `cap_ms`; 0 when empty, unreadable or already past.
uint64_t retry_after_ms(std::string_view value, uint64_t cap_ms);

// The value of header `name` (lower case, without the colon) if `line` is
// that header, trimmed of blanks and the line end; header names are matched
// without regard to case.
std::optional<std::string> header_value(std::string_view line, std::string_view name);

}  // namespace ferry::support::http
