#include "payload.h"

#include <algorithm>
#include <boost/json.hpp>
#include <ferry/json_text.hpp>
#include <ferry/plugin.hpp>

#include "codec/base64.h"

namespace ferry_webhook {
namespace {

namespace json = boost::json;

// Keys and positions are opaque bytes. Text stays a JSON string; anything
// that is not UTF-8 becomes {"base64": "..."} rather than a lossy or
// ambiguous string, so a receiver can always tell the two apart.
json::value opaque(FerryBytes b) {
  const std::string_view s = ferry::view(b);
  if (ferry::is_valid_utf8(s)) return json::string(s);
  return json::object{{"base64", ferry::support::base64_encode(s)}};
}

// Messages are for people: invalid bytes are replaced, never encoded.
json::string text(FerryBytes b) {
  const std::string_view s = ferry::view(b);
  if (ferry::is_valid_utf8(s)) return json::string(s);
  std::string out;
  for (char c : s) out += static_cast<unsigned char>(c) < 0x80 ? c : '?';
  return json::string(out);
}

}  // namespace

std::string class_name(FerryStatus status) {
  // A class this build does not know is kept distinct rather than folded
  // into internal_error: worth seeing as such.
  const char* name = ferry::status_name(status);
  return name != nullptr ? name : "status_" + std::to_string(status);
}

std::string commit_payload(const FerryCheckpointEvent& e, size_t max_records) {
  const size_t n = e.batch ? e.batch->n_rows : 0;
  json::array keys;
  for (size_t r = 0; r < std::min(n, max_records); ++r) keys.push_back(opaque(e.batch->records[r].key));
  json::object body{
      {"event", "commit"},
      {"pipeline", text(e.pipeline)},
      {"run_id", text(e.run_id)},
      {"sink", text(e.sink)},
      {"partition", opaque(e.partition)},
      {"position", opaque(e.position)},
      {"records", n},
      {"keys", std::move(keys)},
  };
  return json::serialize(body);
}

std::string failure_payload(const FerryBacklogEvent& e, size_t max_records) {
  const size_t n = e.batch ? e.batch->n_rows : 0;
  json::array records;
  for (size_t r = 0; r < std::min(n, max_records); ++r) {
    const FerryRecordMeta& meta = e.batch->records[r];
    // A row without its own message failed for the event's reason.
    const FerryBytes msg =
        e.outcomes != nullptr && e.outcomes[r].message.size > 0 ? e.outcomes[r].message : e.message;
    records.push_back(json::object{
        {"key", opaque(meta.key)}, {"position", opaque(meta.position)}, {"message", text(msg)}});
  }
  json::object body{
      {"event", "failure"},
      {"pipeline", text(e.pipeline)},
      {"run_id", text(e.run_id)},
      {"sink", text(e.sink)},
      {"partition", opaque(e.partition)},
      {"error_class", class_name(e.error_class)},
      {"message", text(e.message)},
      {"attempts", e.attempts},
      {"failed_records", n},
      {"records", std::move(records)},
  };
  return json::serialize(body);
}

}  // namespace ferry_webhook
