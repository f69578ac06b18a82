// Options of the Elasticsearch sink, from the typed options the host checked.
#ifndef FERRY_PLUGINS_ELASTICSEARCH_OPTIONS_H_
#define FERRY_PLUGINS_ELASTICSEARCH_OPTIONS_H_

#include <cstdint>
#include <string>
#include <string_view>

namespace ferry {
class Context;
}

namespace ferry_es {

// The bulk action for insert and update records; delete records always
// become `delete` actions.
enum class Action {
  kIndex,   // create or replace the whole document: idempotent by _id
  kCreate,  // only if absent: a second delivery is a 409 conflict
  kUpdate,  // partial update with doc_as_upsert: fields merge into the document
};

enum class Refresh { kFalse, kTrue, kWaitFor };

struct Options {
  std::string url;    // http(s)://host:port[/prefix], without a trailing slash (may hold userinfo: secret)
  std::string index;  // index, alias or data stream
  Action action = Action::kIndex;
  std::string id_field;  // empty: the record key is the _id
  int64_t max_bulk_records = 1000;
  int64_t max_bulk_bytes = 5 * 1024 * 1024;  // uncompressed NDJSON bytes per request
  bool gzip = false;
  int64_t concurrency = 1;  // bulk requests in flight
  std::string username;
  std::string password;      // secret
  std::string api_key;       // secret; "id:key" or the base64 "encoded" form
  std::string bearer_token;  // secret
  std::string ca_file;       // resolved against the pipeline's directory
  bool verify_tls = true;
  int64_t timeout_ms = 60000;  // per bulk request, connecting included
  Refresh refresh = Refresh::kFalse;
};

// Throws ferry::Error(FERRY_ERROR_CONFIG) naming the offending option; never
// quotes a secret.
Options parse_options(const ferry::Context& ctx);

std::string_view action_name(Action action);

}  // namespace ferry_es

#endif  // FERRY_PLUGINS_ELASTICSEARCH_OPTIONS_H_
