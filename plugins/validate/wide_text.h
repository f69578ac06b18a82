// UTF-8 text as code points, for the pattern rule: a std::wregex matches
// characters (wchar_t is UTF-32 here), where a std::regex over UTF-8 would
// match bytes ("." one byte of an emoji, "[é]" two alternatives).
#ifndef FERRY_PLUGINS_VALIDATE_WIDE_TEXT_H_
#define FERRY_PLUGINS_VALIDATE_WIDE_TEXT_H_

#include <locale>
#include <string>
#include <string_view>

namespace ferry_validate {

static_assert(sizeof(wchar_t) == 4, "patterns match code points: wchar_t must hold one");

// Replaces `out` with the code points of `utf8`; false at the first byte
// that is not well-formed UTF-8 (`out` then holds what came before).
bool to_code_points(std::string_view utf8, std::wstring& out);

// The locale patterns classify characters in (\w, [[:alpha:]], case-
// insensitive classes): C.UTF-8, which knows every script's letters, or
// the classic one where the system lacks it.
const std::locale& pattern_locale();

}  // namespace ferry_validate

#endif  // FERRY_PLUGINS_VALIDATE_WIDE_TEXT_H_
