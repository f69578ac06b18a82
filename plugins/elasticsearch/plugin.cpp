// Descriptor and entry point of the Elasticsearch sink plugin.
#include <ferry/plugin.hpp>

#include "es_sink.h"

namespace {

const FerryOptionSpec kOptions[] = {
    {"url", FERRY_OPTION_STRING, FERRY_OPTION_REQUIRED | FERRY_OPTION_DESTINATION, nullptr,
     "Cluster URL, http:// or https://, e.g. http://127.0.0.1:9200 (a path prefix is kept). "
     "Messages show only scheme://host:port."},
    {"index", FERRY_OPTION_STRING, FERRY_OPTION_REQUIRED | FERRY_OPTION_DESTINATION, nullptr,
     "Index, alias or data stream to write to (data streams need action \"create\")."},
    {"action", FERRY_OPTION_STRING, 0, "\"index\"",
     "Bulk action for insert/update records: \"index\" (replace by _id, idempotent), \"create\" "
     "(409 conflict if the _id exists: reported to the DLQ), \"update\" (partial update with "
     "doc_as_upsert). Delete records always become \"delete\"."},
    {"id_field", FERRY_OPTION_STRING, 0, nullptr,
     "Field whose value (string or integer) is the document _id; default: the record key."},
    {"max_bulk_records", FERRY_OPTION_INT, 0, "1000", "Most actions in one bulk request (1..100000)."},
    {"max_bulk_bytes", FERRY_OPTION_INT, 0, "5242880",
     "Most uncompressed NDJSON bytes in one bulk request (1024..104857600); a single larger "
     "document is sent alone."},
    {"gzip", FERRY_OPTION_BOOL, 0, "false", "Compress request bodies (Content-Encoding: gzip)."},
    {"concurrency", FERRY_OPTION_INT, 0, "1",
     "Bulk requests in flight (1..64). Rows are spread by _id, so operations on one document "
     "keep their order."},
    {"username", FERRY_OPTION_STRING, 0, nullptr, "Basic authentication user (with 'password')."},
    {"password", FERRY_OPTION_STRING, FERRY_OPTION_SECRET, nullptr, "Basic authentication password."},
    {"api_key", FERRY_OPTION_STRING, FERRY_OPTION_SECRET, nullptr,
     "API key: the base64 \"encoded\" value or \"id:api_key\"; sent as Authorization: ApiKey."},
    {"bearer_token", FERRY_OPTION_STRING, FERRY_OPTION_SECRET, nullptr,
     "OAuth2/JWT token; sent as Authorization: Bearer."},
    {"ca_file", FERRY_OPTION_STRING, 0, nullptr,
     "PEM file of CA certificates to trust (relative to the pipeline file's directory)."},
    {"verify_tls", FERRY_OPTION_BOOL, 0, "true",
     "Check the server's certificate and host name. false is for tests only."},
    {"timeout_ms", FERRY_OPTION_INT, 0, "60000",
     "Time limit of one bulk request, connecting included (1..3600000)."},
    {"refresh", FERRY_OPTION_STRING, 0, "\"false\"",
     "Bulk `refresh` parameter: \"false\", \"true\" or \"wait_for\" (slower: waits until the "
     "documents are searchable)."},
};

const FerryKindSpec kKinds[] = {
    {FERRY_KIND_SINK, FERRY_CAP_IDEMPOTENT,
     "Writes records to Elasticsearch with the _bulk API; document _id = record key, so a "
     "re-delivered batch overwrites instead of duplicating.",
     kOptions, FERRY_COUNT_OF(kOptions)},
};

}  // namespace

FERRY_PLUGIN_DESCRIPTOR("elasticsearch", "1.0.0", "Elasticsearch sink (bulk API, idempotent by _id)",
                        kKinds)
FERRY_PLUGIN(ferry_es::ElasticsearchSink)
