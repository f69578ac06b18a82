// Reading the answer to one bulk request: what the whole request and each of
// its items came to, in Ferry's status classes.
//
//   transport error, HTTP 408/429/5xx  -> the request is retried (RETRY)
//   HTTP 401/403                       -> AUTH (fatal)
//   other HTTP 4xx                     -> CONFIG (fatal): the server refuses the request itself
//   HTTP 2xx, per item:
//     2xx; 404 on delete (already gone) -> OK
//     429, 5xx; 409 on index/update     -> RETRY that row alone
//     409 on create                     -> INVALID_DATA "conflict: document <id> already exists ..."
//     other 4xx (mapping, parsing)      -> INVALID_DATA "<error.type>: <error.reason>"
#ifndef FERRY_PLUGINS_ELASTICSEARCH_BULK_RESPONSE_H_
#define FERRY_PLUGINS_ELASTICSEARCH_BULK_RESPONSE_H_

#include <ferry/plugin.h>

#include <cstdint>
#include <string>
#include <vector>

#include "transport.h"

namespace ferry_es {

struct ItemFailure {
  size_t item;  // position in the request (0-based)
  FerryStatus status;  // FERRY_RETRY or FERRY_INVALID_DATA
  std::string message;
};

struct RequestOutcome {
  // FERRY_OK: the items were read (see `failures`); otherwise the class of
  // the whole request's failure.
  FerryStatus status = FERRY_OK;
  std::string message;  // why, when not OK (unredacted)
  uint64_t retry_after_ms = 0;
  std::vector<ItemFailure> failures;  // items that were not applied
  size_t applied = 0;                 // items applied (or already gone)
};

RequestOutcome read_bulk_response(const HttpResult& result, size_t items);

}  // namespace ferry_es

#endif  // FERRY_PLUGINS_ELASTICSEARCH_BULK_RESPONSE_H_
