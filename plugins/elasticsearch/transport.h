// Sending bulk bodies with libcurl's multi interface: one easy handle per
// lane, lanes in parallel, each lane's requests in order. Connections are
// kept alive across requests and write() calls.
//
// Thread-safety: belongs to one sink instance, called by one thread at a time.
// libcurl is set up as support/http/curl_support.h says.
#ifndef FERRY_PLUGINS_ELASTICSEARCH_TRANSPORT_H_
#define FERRY_PLUGINS_ELASTICSEARCH_TRANSPORT_H_

#include <curl/curl.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "bulk_plan.h"
#include "http/curl_support.h"
#include "http/http_exchange.h"
#include "options.h"

namespace ferry_es {

using HttpResult = ferry::support::http::Response;

class Transport {
 public:
  // Throws ferry::Error when libcurl cannot be set up.
  Transport(const Options& opts, std::string bulk_url, size_t lanes);
  ~Transport();
  Transport(const Transport&) = delete;
  Transport& operator=(const Transport&) = delete;

  // Called when request `index` of `lane` finished; answers whether the lane
  // goes on with its next request.
  using OnDone = std::function<bool(size_t lane, size_t index, HttpResult& result)>;

  // Sends every lane's requests (lanes.size() <= the lanes it was built
  // with). Returns false if `cancelled` turned true first; transfers in
  // flight are then abandoned.
  bool run(const std::vector<std::vector<BulkRequest>>& lanes, const OnDone& on_done,
           const std::function<bool()>& cancelled);

  // The Authorization value sent (for redaction), empty for none or basic.
  const std::string& authorization() const { return authorization_; }

 private:
  struct Lane;
  struct MultiCleanup {
    void operator()(CURLM* m) const noexcept { curl_multi_cleanup(m); }
  };

  void start(Lane& lane, const BulkRequest& request);
  void finish(Lane& lane, CURLcode rc);

  std::unique_ptr<CURLM, MultiCleanup> multi_;
  ferry::support::http::HeaderList headers_;
  std::vector<std::unique_ptr<Lane>> lanes_;
  std::string authorization_;
};

}  // namespace ferry_es

#endif  // FERRY_PLUGINS_ELASTICSEARCH_TRANSPORT_H_
