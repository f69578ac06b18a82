// gzip of request bodies (Content-Encoding: gzip). Bulk NDJSON repeats its
// field names on every line and typically shrinks 5-10x, which matters when
// the network, not Elasticsearch, is the bottleneck.
#ifndef FERRY_PLUGINS_ELASTICSEARCH_GZIP_H_
#define FERRY_PLUGINS_ELASTICSEARCH_GZIP_H_

#include <string>
#include <string_view>

namespace ferry_es {

// Throws ferry::Error(FERRY_ERROR_INTERNAL) if zlib fails (out of memory).
std::string gzip_compress(std::string_view in);

}  // namespace ferry_es

#endif  // FERRY_PLUGINS_ELASTICSEARCH_GZIP_H_
