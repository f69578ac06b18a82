#include "cdc_position.h"

#include <cdc/cdc_checkpoint.h>

namespace ferry_maria_cdc {
namespace {

const ferry::support::CdcCheckpointFormat kFormat{"gtid", "snapshot_gtid", "mariadb-cdc source"};

}  // namespace

std::string position_text(const CdcPosition& p) {
  return ferry::support::checkpoint_text(kFormat, {p.snapshot, p.gtid.text(), p.after});
}

CdcPosition parse_position(std::string_view text) {
  ferry::support::CdcCheckpoint c = ferry::support::parse_checkpoint(kFormat, text);
  const auto gtid = GtidState::parse(c.at);
  if (!gtid) ferry::support::foreign_checkpoint(kFormat, text);
  return CdcPosition{c.snapshot, *gtid, std::move(c.after)};
}

}  // namespace ferry_maria_cdc
