// The checkpoint of a change-data-capture source, as JSON text: while the
// table is copied, {"<snapshot field>":"<at>","after":[key...]} (the primary
// key of the last row copied, none before the first page); once it streams,
// {"<stream field>":"<at>"}. `at` is the source's own position text (an
// LSN, a GTID list), which the source parses itself.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ferry::support {

struct CdcCheckpoint {
  bool snapshot = false;
  std::string at;
  std::optional<std::vector<std::string>> after;  // copy phase only
};

struct CdcCheckpointFormat {
  const char* stream_field;    // "lsn"
  const char* snapshot_field;  // "snapshot_lsn"
  const char* who;             // starts a failure's message: "postgres-cdc"
};

std::string checkpoint_text(const CdcCheckpointFormat& format, const CdcCheckpoint& c);
// Throws ferry::Error (FERRY_ERROR_CONFIG) quoting `text` when it is no
// checkpoint of this shape.
CdcCheckpoint parse_checkpoint(const CdcCheckpointFormat& format, std::string_view text);
// The error parse_checkpoint throws, for an `at` the source cannot read.
[[noreturn]] void foreign_checkpoint(const CdcCheckpointFormat& format, std::string_view text);

}  // namespace ferry::support
