// The checkpoint of the mariadb-cdc partition, as JSON text:
//   {"snapshot_gtid":"0-1-10","after":["42"]}  copy phase: the rows up to
//       primary key `after` are copied; changes then stream from the
//       transactions after snapshot_gtid (the copy's consistent point)
//   {"gtid":"0-1-42"}  stream phase: every transaction up to this GTID
//       position is applied
#ifndef FERRY_PLUGINS_MARIADB_CDC_CDC_POSITION_H_
#define FERRY_PLUGINS_MARIADB_CDC_CDC_POSITION_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gtid.h"

namespace ferry_maria_cdc {

struct CdcPosition {
  bool snapshot = false;
  GtidState gtid;
  std::optional<std::vector<std::string>> after;  // copy phase: last key copied; none yet
};

std::string position_text(const CdcPosition& p);
// Throws ferry::Error (FERRY_ERROR_CONFIG) naming the text when it is no
// position of this source.
CdcPosition parse_position(std::string_view text);

}  // namespace ferry_maria_cdc

#endif  // FERRY_PLUGINS_MARIADB_CDC_CDC_POSITION_H_
