#include "cdc_position.h"

#include <cdc/cdc_checkpoint.h>

namespace ferry_pg_cdc {
namespace {

const ferry::support::CdcCheckpointFormat kFormat{"lsn", "snapshot_lsn", "postgres-cdc"};

}  // namespace

std::string position_text(const CdcPosition& p) {
  return ferry::support::checkpoint_text(kFormat, {p.snapshot, lsn_text(p.lsn), p.after});
}

CdcPosition parse_position(std::string_view text) {
  ferry::support::CdcCheckpoint c = ferry::support::parse_checkpoint(kFormat, text);
  const auto lsn = parse_lsn(c.at);
  if (!lsn) ferry::support::foreign_checkpoint(kFormat, text);
  return CdcPosition{c.snapshot, *lsn, std::move(c.after)};
}

}  // namespace ferry_pg_cdc
