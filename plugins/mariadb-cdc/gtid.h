// A MariaDB GTID position: per replication domain, the last transaction
// (domain-server-sequence), as @@gtid_binlog_pos and @slave_connect_state
// write it: "0-1-42,1-2-7".
#ifndef FERRY_PLUGINS_MARIADB_CDC_GTID_H_
#define FERRY_PLUGINS_MARIADB_CDC_GTID_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace ferry_maria_cdc {

struct Gtid {
  uint32_t domain = 0;
  uint32_t server = 0;
  uint64_t sequence = 0;
};

class GtidState {
 public:
  // None when `text` is no GTID list.
  static std::optional<GtidState> parse(std::string_view text);
  std::string text() const;

  // The transaction `g` is read: its domain stands at it.
  void advance(const Gtid& g) { domains_[g.domain] = g; }
  // Whether every domain of `other` is at or past it here.
  bool covers(const GtidState& other) const;
  bool empty() const { return domains_.empty(); }
  bool operator==(const GtidState& o) const { return text() == o.text(); }
  bool operator!=(const GtidState& o) const { return !(*this == o); }

 private:
  std::map<uint32_t, Gtid> domains_;
};

}  // namespace ferry_maria_cdc

#endif  // FERRY_PLUGINS_MARIADB_CDC_GTID_H_
