// Finding a key that a JSON object repeats. Boost.JSON (1.81) keeps one of
// the two values without a word, so the parsed document then holds fewer
// object members than its text spells keys.
#ifndef FERRY_PLUGINS_FILE_JSON_KEYS_H_
#define FERRY_PLUGINS_FILE_JSON_KEYS_H_

#include <boost/json/value.hpp>

#include <cstddef>
#include <string_view>

namespace ferry_file {

// The keys `json` spells, in objects at any depth. `json` must be valid
// JSON (what the parser accepted); keys spelled with escapes count once each.
size_t keys_in_text(std::string_view json);

// The members of the objects in `v`, at any depth.
size_t members_in(const boost::json::value& v);

}  // namespace ferry_file

#endif  // FERRY_PLUGINS_FILE_JSON_KEYS_H_
