// Finding an object that repeated a key. Boost.JSON (1.81) keeps the last
// value of a repeated key without a word.
#ifndef FERRY_PLUGINS_FILE_JSON_KEYS_H_
#define FERRY_PLUGINS_FILE_JSON_KEYS_H_

#include <boost/json/value.hpp>

namespace ferry_file {

// Whether the parser dropped a member of an object in `v` (at any depth)
// because its key came again. The parser sizes each object it builds for
// the members it read, and a repeat leaves that room unused: capacity then
// exceeds size. Only for values as the parser built them, never changed
// since. (ARepeatedKeyIsRejectedAtAnyDepth in file_parsers_test fails if a
// Boost release builds objects otherwise.)
bool repeated_a_key(const boost::json::value& v);

}  // namespace ferry_file

#endif  // FERRY_PLUGINS_FILE_JSON_KEYS_H_
