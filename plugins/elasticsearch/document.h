// How one record becomes its lines of a bulk body: the action line with the
// document _id, then (except for deletes) the JSON source.
//
// Value mapping: null -> null, bool -> true/false, int64 -> number,
// double -> shortest round-trip number (NaN, +-Inf -> null), string -> string,
// bytes -> base64 string, timestamp -> ISO-8601 UTC string with microseconds,
// JSON -> embedded as a value (validated, on one line), decimal -> string (exact; a JSON
// number would pass through a double in most readers).
#ifndef FERRY_PLUGINS_ELASTICSEARCH_DOCUMENT_H_
#define FERRY_PLUGINS_ELASTICSEARCH_DOCUMENT_H_

#include <ferry/plugin.hpp>
#include <optional>
#include <string>
#include <vector>

#include "options.h"

namespace ferry_es {

// Elasticsearch refuses longer ids for the whole request.
constexpr size_t kMaxIdBytes = 512;

// Valid for one batch (it keeps a view of it).
class DocumentEncoder {
 public:
  DocumentEncoder(const ferry::BatchView& batch, const Options& opts);

  // The document _id of `row` into `id` (empty: let Elasticsearch generate
  // one). Returns false with `error` set when the row cannot be written.
  bool id_of(size_t row, std::string& id, std::string& error) const;

  // Appends the row's NDJSON lines to `out`. Returns false with `error` set
  // (and `out` unchanged) when a value cannot be encoded.
  bool append(size_t row, const std::string& id, std::string& out, std::string& error) const;

 private:
  bool append_source(size_t row, std::string& out, std::string& error) const;

  ferry::BatchView batch_;
  Action action_;
  std::optional<size_t> id_field_;  // batch field whose value is the _id
  std::vector<std::string> keys_;   // "\"name\":" per field, or empty if the name is not UTF-8
};

}  // namespace ferry_es

#endif  // FERRY_PLUGINS_ELASTICSEARCH_DOCUMENT_H_
