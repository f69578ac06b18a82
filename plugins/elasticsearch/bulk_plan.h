// Splitting one write() into bulk requests.
//
// Rows go to `concurrency` lanes by a hash of their _id; each lane is a
// sequence of requests bounded by max_bulk_records and max_bulk_bytes, sent
// one after the other, while lanes run in parallel. Every operation on one
// _id therefore travels in one lane, in record order: an update followed by a
// delete of the same document can never overtake each other in flight.
#ifndef FERRY_PLUGINS_ELASTICSEARCH_BULK_PLAN_H_
#define FERRY_PLUGINS_ELASTICSEARCH_BULK_PLAN_H_

#include <ferry/plugin.hpp>
#include <string>
#include <vector>

#include "options.h"

namespace ferry_es {

struct BulkRequest {
  std::string body;         // NDJSON, gzip-compressed when the option is on
  size_t raw_bytes = 0;     // NDJSON bytes before compression
  std::vector<size_t> rows; // batch rows, in body order (one item each)
};

struct RowRejection {
  size_t row;
  std::string message;
};

struct BulkPlan {
  std::vector<std::vector<BulkRequest>> lanes;
  std::vector<RowRejection> rejected;  // rows that cannot be written at all
  size_t keyless = 0;                  // rows sent without an _id (auto id)
};

BulkPlan plan_bulk(const ferry::BatchView& batch, const Options& opts);

}  // namespace ferry_es

#endif  // FERRY_PLUGINS_ELASTICSEARCH_BULK_PLAN_H_
