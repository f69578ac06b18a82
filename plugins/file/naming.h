// Deterministic file names for the sink's batches. Pure C++.
#ifndef FERRY_PLUGINS_FILE_NAMING_H_
#define FERRY_PLUGINS_FILE_NAMING_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "text/safe_name.h"

namespace ferry_file {

using ferry::support::fnv1a32;  // the hash a lossy name component carries
// Replaces every byte outside [A-Za-z0-9._-] with '_'.
std::string sanitize(std::string_view s);

// "<prefix>-<partition>_<hash>-<first>-<last>.jsonl", and in a backfill
// "<prefix>-<window>-<partition>...", the window's start without its '-'
// and ':' (20260101T000000Z): positions may repeat from window to window.
// The partition always carries the hash of its raw name, so "a/b" and "a_b"
// never collide; a position carries one only when sanitizing changed it or
// it was cut to keep the name under NAME_MAX. The same batch always gets the
// same name, so a replayed batch overwrites its own file.
std::string batch_file_name(std::string_view prefix, std::string_view partition,
                            std::string_view first_position, std::string_view last_position,
                            std::string_view window_start = {});

}  // namespace ferry_file

#endif  // FERRY_PLUGINS_FILE_NAMING_H_
