#include "cdc/cdc_checkpoint.h"

#include <ferry/plugin.hpp>

#include <boost/json.hpp>

namespace ferry::support {

std::string checkpoint_text(const CdcCheckpointFormat& format, const CdcCheckpoint& c) {
  boost::json::object o;
  if (!c.snapshot) {
    o[format.stream_field] = c.at;
    return boost::json::serialize(o);
  }
  o[format.snapshot_field] = c.at;
  if (c.after) {
    boost::json::array key;
    for (const std::string& k : *c.after) key.emplace_back(k);
    o["after"] = std::move(key);
  }
  return boost::json::serialize(o);
}

void foreign_checkpoint(const CdcCheckpointFormat& format, std::string_view text) {
  throw ferry::Error(FERRY_ERROR_CONFIG, std::string(format.who) + ": position '" + std::string(text) +
                                             "' is not a checkpoint of this source (was the source changed?)");
}

CdcCheckpoint parse_checkpoint(const CdcCheckpointFormat& format, std::string_view text) {
  boost::system::error_code ec;
  const boost::json::value v = boost::json::parse(text, ec);
  if (ec || !v.is_object()) foreign_checkpoint(format, text);
  const boost::json::object& o = v.get_object();
  CdcCheckpoint c;
  const boost::json::value* at = o.if_contains(format.stream_field);
  if (at == nullptr) {
    at = o.if_contains(format.snapshot_field);
    c.snapshot = true;
  }
  if (at == nullptr || !at->is_string()) foreign_checkpoint(format, text);
  c.at = std::string(at->get_string());
  if (const boost::json::value* after = o.if_contains("after")) {
    if (!c.snapshot || !after->is_array()) foreign_checkpoint(format, text);
    c.after.emplace();
    for (const boost::json::value& k : after->get_array()) {
      if (!k.is_string()) foreign_checkpoint(format, text);
      c.after->emplace_back(k.get_string());
    }
  }
  return c;
}

}  // namespace ferry::support
