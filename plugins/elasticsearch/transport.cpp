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

}  // namespace

struct Transport::Lane {
  explicit Lane(const http::ExchangeOptions& options) : exchange(options) {}
  http::Exchange exchange;
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

  http::ExchangeOptions options;
  options.who = std::string(kWho);
  options.user_agent = "ferry-elasticsearch/1.0";
  options.timeout_ms = static_cast<long>(opts.timeout_ms);
  options.connect_timeout_ms = kMaxConnectMs;
  options.keepalive = true;
  options.ca_file = opts.ca_file;
  options.verify_tls = opts.verify_tls;
  options.basic_user = opts.username;
  options.basic_password = opts.password;
  for (size_t i = 0; i < lanes; ++i) {
    auto lane = std::make_unique<Lane>(options);
    lane->index = i;
    lane->exchange.set(CURLOPT_URL, bulk_url.c_str());
    lane->exchange.set(CURLOPT_HTTPHEADER, headers_.get());
    lane->exchange.set(CURLOPT_PRIVATE, static_cast<void*>(lane.get()));
    lanes_.push_back(std::move(lane));
  }
}

Transport::~Transport() {
  for (auto& lane : lanes_)
    if (lane->busy) curl_multi_remove_handle(multi_.get(), lane->exchange.handle());
}

void Transport::start(Lane& lane, const BulkRequest& request) {
  lane.exchange.begin();
  // Not copied: the body outlives the transfer (it belongs to the plan).
  lane.exchange.send_body(request.body);
  const CURLMcode rc = curl_multi_add_handle(multi_.get(), lane.exchange.handle());
  if (rc != CURLM_OK)
    throw ferry::Error(FERRY_ERROR_INTERNAL,
                       std::string("elasticsearch sink: curl_multi_add_handle: ") + curl_multi_strerror(rc));
  lane.busy = true;
}

void Transport::finish(Lane& lane, CURLcode rc) {
  curl_multi_remove_handle(multi_.get(), lane.exchange.handle());
  lane.busy = false;
  lane.exchange.finish(rc);
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
      const bool go_on = on_done(index, lane.next - 1, lane.exchange.response());
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
          curl_multi_remove_handle(m, lane->exchange.handle());
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
