// The checkpoint of a CDC partition, as JSON text:
//   {"snapshot_lsn":"0/1A2B3C","after":["42"]}  snapshot phase: the rows up
//       to primary key `after` are copied; changes then stream from
//       snapshot_lsn (the slot's consistent point)
//   {"lsn":"0/1A2B3C"}  stream phase: every transaction that ended at or
//       before lsn is applied
#ifndef FERRY_PLUGINS_POSTGRES_CDC_CDC_POSITION_H_
#define FERRY_PLUGINS_POSTGRES_CDC_CDC_POSITION_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lsn.h"

namespace ferry_pg_cdc {

struct CdcPosition {
  bool snapshot = false;
  Lsn lsn = 0;
  std::optional<std::vector<std::string>> after;  // snapshot phase: last key copied; none yet
};

std::string position_text(const CdcPosition& p);
// Throws ferry::Error (FERRY_ERROR_CONFIG) naming the text when it is no
// position of this source.
CdcPosition parse_position(std::string_view text);

}  // namespace ferry_pg_cdc

#endif  // FERRY_PLUGINS_POSTGRES_CDC_CDC_POSITION_H_
