#include "cdc_position.h"

#include <ferry/plugin.hpp>

#include <boost/json.hpp>

namespace ferry_maria_cdc {

std::string position_text(const CdcPosition& p) {
  boost::json::object o;
  if (!p.snapshot) {
    o["gtid"] = p.gtid.text();
    return boost::json::serialize(o);
  }
  o["snapshot_gtid"] = p.gtid.text();
  if (p.after) {
    boost::json::array key;
    for (const std::string& k : *p.after) key.emplace_back(k);
    o["after"] = std::move(key);
  }
  return boost::json::serialize(o);
}

CdcPosition parse_position(std::string_view text) {
  const auto bad = [&]() {
    return ferry::Error(FERRY_ERROR_CONFIG, "mariadb-cdc source: position '" + std::string(text) +
                                                "' is not a checkpoint of this source (was the source changed?)");
  };
  boost::system::error_code ec;
  const boost::json::value v = boost::json::parse(text, ec);
  if (ec || !v.is_object()) throw bad();
  const boost::json::object& o = v.get_object();
  CdcPosition p;
  const boost::json::value* gtid = o.if_contains("gtid");
  if (gtid == nullptr) {
    gtid = o.if_contains("snapshot_gtid");
    p.snapshot = true;
  }
  if (gtid == nullptr || !gtid->is_string()) throw bad();
  const auto parsed = GtidState::parse(gtid->get_string());
  if (!parsed) throw bad();
  p.gtid = *parsed;
  if (const boost::json::value* after = o.if_contains("after")) {
    if (!p.snapshot || !after->is_array()) throw bad();
    p.after.emplace();
    for (const boost::json::value& k : after->get_array()) {
      if (!k.is_string()) throw bad();
      p.after->emplace_back(k.get_string());
    }
  }
  return p;
}

}  // namespace ferry_maria_cdc
