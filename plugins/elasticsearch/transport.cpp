#include "transport.h"

#include <ferry/plugin.hpp>

#include "codec/base64.h"

namespace ferry_es {
namespace {

namespace http = ferry::support::http;

// How often a wait for responses looks at the host's cancel flag.
constexpr int kPollMs = 50;
// Connecting should never take as long as a big bulk request may.
constexpr long kMaxConnectMs = 10000;

constexpr std::string_view kWho = "elasticsearch sink";

template <typename T>
void set(CURL* c, CURLoption opt, T value) {
  http::set_option(c, opt, value, kWho);
}

size_t on_body(char* data, size_t size, size_t n, void* user) {
  static_cast<std::string*>(user)->append(data, size * n);
  return size * n;
}

size_t on_header(char* data, size_t size, size_t n, void* user) {
  const size_t len = size * n;
  if (auto value = http::header_value(std::string_view(data, len), "retry-after"))
    *static_cast<std::string*>(user) = std::move(*value);
  return len;
}

}  // namespace

struct Transport::Lane {
  http::EasyHandle easy;
  HttpResult result;
  char error_buffer[CURL_ERROR_SIZE] = {};
  bool busy = false;
  size_t index = 0;  // in lanes_
  size_t next = 0;  // index of the next request to send
};

Transport::Transport(const Options& opts, std::string bulk_url, size_t lanes) : headers_(kWho) {
  http::init_curl(kWho);
  multi_.reset(curl_multi_init());
  if (!multi_) throw ferry::Error(FERRY_ERROR_INTERNAL, "elasticsearch sink: curl_multi_init failed");

  headers_.append("Content-Type: application/x-ndjson");
  headers_.append("Accept: application/json");
  // libcurl would otherwise send "Expect: 100-continue" for bodies over 1 MiB
  // and wait for an answer before sending the body.
  headers_.append("Expect:");
  if (opts.gzip) headers_.append("Content-Encoding: gzip");
  if (!opts.api_key.empty()) {
    // The create-API-key response gives "id" and "api_key" and their
    // base64("id:api_key") as "encoded"; accept either spelling.
    const bool raw = opts.api_key.find(':') != std::string::npos;
    authorization_ = "ApiKey " + (raw ? ferry::support::base64_encode(opts.api_key) : opts.api_key);
  } else if (!opts.bearer_token.empty()) {
    authorization_ = "Bearer " + opts.bearer_token;
  }
  if (!authorization_.empty()) headers_.append("Authorization: " + authorization_);

  for (size_t i = 0; i < lanes; ++i) {
    auto lane = std::make_unique<Lane>();
    lane->easy = http::new_easy(kWho);
    lane->index = i;
    CURL* c = lane->easy.get();
    set(c, CURLOPT_URL, bulk_url.c_str());
    // Signals (SIGALRM for DNS timeouts) are process-wide and not ours.
    set(c, CURLOPT_NOSIGNAL, 1L);
    set(c, CURLOPT_PROTOCOLS_STR, "http,https");
    // A redirected POST may be re-sent as GET; "written" must mean the
    // configured cluster accepted it.
    set(c, CURLOPT_FOLLOWLOCATION, 0L);
    set(c, CURLOPT_TIMEOUT_MS, static_cast<long>(opts.timeout_ms));
    set(c, CURLOPT_CONNECTTIMEOUT_MS, std::min(static_cast<long>(opts.timeout_ms), kMaxConnectMs));
    set(c, CURLOPT_TCP_KEEPALIVE, 1L);
    set(c, CURLOPT_HTTPHEADER, headers_.get());
    set(c, CURLOPT_POST, 1L);
    set(c, CURLOPT_WRITEFUNCTION, &on_body);
    set(c, CURLOPT_WRITEDATA, &lane->result.body);
    set(c, CURLOPT_HEADERFUNCTION, &on_header);
    set(c, CURLOPT_HEADERDATA, &lane->result.retry_after);
    set(c, CURLOPT_ERRORBUFFER, lane->error_buffer);
    set(c, CURLOPT_USERAGENT, "ferry-elasticsearch/1.0");
    set(c, CURLOPT_PRIVATE, static_cast<void*>(lane.get()));
    if (!opts.username.empty()) {
      set(c, CURLOPT_HTTPAUTH, static_cast<long>(CURLAUTH_BASIC));
      set(c, CURLOPT_USERNAME, opts.username.c_str());
      set(c, CURLOPT_PASSWORD, opts.password.c_str());
    }
    if (!opts.ca_file.empty()) set(c, CURLOPT_CAINFO, opts.ca_file.c_str());
    if (!opts.verify_tls) {
      set(c, CURLOPT_SSL_VERIFYPEER, 0L);
      set(c, CURLOPT_SSL_VERIFYHOST, 0L);
    }
    lanes_.push_back(std::move(lane));
  }
}

Transport::~Transport() {
  for (auto& lane : lanes_)
    if (lane->busy) curl_multi_remove_handle(multi_.get(), lane->easy.get());
}

void Transport::start(Lane& lane, const BulkRequest& request) {
  CURL* c = lane.easy.get();
  lane.result = HttpResult{};
  lane.error_buffer[0] = '\0';
  set(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
  // Not copied: the body outlives the transfer (it belongs to the plan).
  set(c, CURLOPT_POSTFIELDS, request.body.data());
  const CURLMcode rc = curl_multi_add_handle(multi_.get(), c);
  if (rc != CURLM_OK)
    throw ferry::Error(FERRY_ERROR_INTERNAL,
                       std::string("elasticsearch sink: curl_multi_add_handle: ") + curl_multi_strerror(rc));
  lane.busy = true;
}

void Transport::finish(Lane& lane, CURLcode rc) {
  curl_multi_remove_handle(multi_.get(), lane.easy.get());
  lane.busy = false;
  lane.result.curl = rc;
  if (rc != CURLE_OK) {
    lane.result.curl_error = lane.error_buffer[0] != '\0' ? lane.error_buffer : curl_easy_strerror(rc);
    return;
  }
  curl_easy_getinfo(lane.easy.get(), CURLINFO_RESPONSE_CODE, &lane.result.status);
}

bool Transport::run(const std::vector<std::vector<BulkRequest>>& work, const OnDone& on_done,
                    const std::function<bool()>& cancelled) {
  if (work.size() > lanes_.size())
    throw ferry::Error(FERRY_ERROR_INTERNAL, "elasticsearch sink: more lanes planned than built");
  size_t active = 0;
  for (size_t l = 0; l < work.size(); ++l) {
    lanes_[l]->next = 0;
    if (work[l].empty()) continue;
    start(*lanes_[l], work[l][0]);
    lanes_[l]->next = 1;
    ++active;
  }
  CURLM* m = multi_.get();
  while (active > 0) {
    int running = 0;
    CURLMcode mc = curl_multi_perform(m, &running);
    if (mc != CURLM_OK)
      throw ferry::Error(FERRY_ERROR_INTERNAL,
                         std::string("elasticsearch sink: curl_multi_perform: ") + curl_multi_strerror(mc));
    int queued = 0;
    while (CURLMsg* msg = curl_multi_info_read(m, &queued)) {
      if (msg->msg != CURLMSG_DONE) continue;
      void* priv = nullptr;
      curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &priv);
      Lane& lane = *static_cast<Lane*>(priv);
      const CURLcode rc = msg->data.result;  // msg is invalid after remove_handle
      finish(lane, rc);
      --active;
      const size_t index = lane.index;
      const bool go_on = on_done(index, lane.next - 1, lane.result);
      if (go_on && lane.next < work[index].size()) {
        start(lane, work[index][lane.next]);
        ++lane.next;
        ++active;
      }
    }
    if (active == 0) break;
    if (cancelled()) {
      for (auto& lane : lanes_)
        if (lane->busy) {
          curl_multi_remove_handle(m, lane->easy.get());
          lane->busy = false;
        }
      return false;
    }
    mc = curl_multi_poll(m, nullptr, 0, kPollMs, nullptr);
    if (mc != CURLM_OK)
      throw ferry::Error(FERRY_ERROR_INTERNAL,
                         std::string("elasticsearch sink: curl_multi_poll: ") + curl_multi_strerror(mc));
  }
  return true;
}

}  // namespace ferry_es
