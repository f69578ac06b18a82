// The text of a value: what a template inserts and what a cast to string yields.
#ifndef FERRY_PLUGINS_MAP_VALUE_TEXT_H_
#define FERRY_PLUGINS_MAP_VALUE_TEXT_H_

#include <ferry/plugin.h>

#include <ferry/plugin.hpp>

#include <string>
#include <string_view>

#include "text/value_text.h"

namespace ferry_map {

// Writes the text of a non-null value to `out`. Returns an empty string, or
// why there is no text (bytes that are not UTF-8).
std::string text_of(const FerryValue& v, std::string& out);

// Shortest text that reads back as the same double (support/text).
using ferry::support::double_text;

// How a value reads in a rejection message (support/text).
inline std::string display(const FerryValue& v) { return ferry::support::display_value(v); }

// "int64", "string", ... ; "null" for nulls (SDK).
using ferry::type_name;

}  // namespace ferry_map

#endif  // FERRY_PLUGINS_MAP_VALUE_TEXT_H_
