// Scrubbing secrets out of text before it reaches a log line or an error
// message: connection strings (libpq keyword/value and URIs), URL userinfo
// and literal secret values (SecretScrubber). Header-only, for plugins and
// hosts alike.
#ifndef FERRY_REDACT_HPP_
#define FERRY_REDACT_HPP_

#include <algorithm>
#include <cctype>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ferry {
namespace redact_detail {

inline constexpr std::string_view kMask = "***";

inline bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

inline char lower(char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); }

inline bool starts_with_ci(std::string_view s, size_t at, std::string_view word) {
  if (s.size() - at < word.size()) return false;
  for (size_t i = 0; i < word.size(); ++i)
    if (lower(s[at + i]) != word[i]) return false;
  return true;
}

// End of a conninfo value starting at `i`: a single-quoted value with
// backslash escapes, or up to whitespace / '&' (URI parameters) / quote.
inline size_t value_end(std::string_view s, size_t i) {
  if (i < s.size() && s[i] == '\'') {
    ++i;
    while (i < s.size() && s[i] != '\'') i += s[i] == '\\' ? 2 : 1;
    return i < s.size() ? i + 1 : s.size();
  }
  while (i < s.size() && !is_space(s[i]) && s[i] != '&' && s[i] != '"' && s[i] != '\'') ++i;
  return i;
}

// `password = value` pairs, whatever the spacing.
inline std::string mask_password_pairs(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  size_t i = 0;
  while (i < s.size()) {
    const bool word_start = i == 0 || !(std::isalnum(static_cast<unsigned char>(s[i - 1])) ||
                                        s[i - 1] == '_');
    if (word_start && starts_with_ci(s, i, "password")) {
      size_t j = i + 8;
      while (j < s.size() && is_space(s[j])) ++j;
      if (j < s.size() && s[j] == '=') {
        ++j;
        while (j < s.size() && is_space(s[j])) ++j;
        out.append(s.substr(i, j - i));
        out.append(kMask);
        i = value_end(s, j);
        continue;
      }
    }
    out += s[i++];
  }
  return out;
}

// scheme://user:secret@host -> scheme://user:***@host
inline std::string mask_uri_userinfo(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  size_t i = 0;
  while (i < s.size()) {
    const size_t scheme = s.find("://", i);
    if (scheme == std::string_view::npos) break;
    size_t start = scheme + 3;
    out.append(s.substr(i, start - i));
    // Userinfo ends at '@' before any '/', '?', or whitespace.
    size_t end = start;
    while (end < s.size() && s[end] != '@' && s[end] != '/' && s[end] != '?' && !is_space(s[end]))
      ++end;
    if (end < s.size() && s[end] == '@') {
      const std::string_view userinfo = s.substr(start, end - start);
      const size_t colon = userinfo.find(':');
      if (colon != std::string_view::npos) {
        out.append(userinfo.substr(0, colon + 1));
        out.append(kMask);
      } else {
        out.append(userinfo);
      }
      i = end;
    } else {
      i = start;
    }
  }
  out.append(s.substr(i));
  return out;
}

// [begin, end) of the authority (userinfo@host:port) of the URL whose "://"
// starts at `sep`, ending at the first of `stops`.
inline std::pair<size_t, size_t> authority(std::string_view s, size_t sep, std::string_view stops) {
  const size_t begin = sep + 3;
  const size_t end = s.find_first_of(stops, begin);
  return {begin, end == std::string_view::npos ? s.size() : end};
}

// "%40" -> "@", as an HTTP client decodes userinfo before using it.
inline std::string percent_decoded(std::string_view s) {
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    c = lower(c);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
  };
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && hex(s[i + 1]) >= 0 && hex(s[i + 2]) >= 0) {
      out += static_cast<char>(hex(s[i + 1]) * 16 + hex(s[i + 2]));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

// The credential of "Authorization: Basic ..." for `user_pass`: what a
// server that echoes request headers quotes back.
inline std::string basic_credential(std::string_view user_pass) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 2 < user_pass.size(); i += 3) {
    const unsigned n = (static_cast<unsigned char>(user_pass[i]) << 16) |
                       (static_cast<unsigned char>(user_pass[i + 1]) << 8) | static_cast<unsigned char>(user_pass[i + 2]);
    for (int shift : {18, 12, 6, 0}) out += kAlphabet[(n >> shift) & 63];
  }
  if (i < user_pass.size()) {
    unsigned n = static_cast<unsigned char>(user_pass[i]) << 16;
    if (i + 1 < user_pass.size()) n |= static_cast<unsigned char>(user_pass[i + 1]) << 8;
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += i + 1 < user_pass.size() ? kAlphabet[(n >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

inline constexpr std::string_view kAuthorityEnd = "/?#";
inline constexpr std::string_view kTextUrlEnd = "/?# \t\r\n\"'<>";

}  // namespace redact_detail

// scheme://host[:port] of `url`, without userinfo, path or query: what a
// message may say a request went to. "<url>" when it is not a URL.
inline std::string display_url(std::string_view url) {
  const size_t sep = url.find("://");
  if (sep == std::string_view::npos) return "<url>";
  auto [begin, end] = redact_detail::authority(url, sep, redact_detail::kAuthorityEnd);
  std::string_view host = url.substr(begin, end - begin);
  const size_t at = host.rfind('@');
  if (at != std::string_view::npos) host.remove_prefix(at + 1);
  return std::string(url.substr(0, sep + 3)) + std::string(host);
}

// What follows the authority of `url` (path, query, fragment); empty when
// it is not a URL.
inline std::string_view url_path_and_query(std::string_view url) {
  const size_t sep = url.find("://");
  if (sep == std::string_view::npos) return {};
  return url.substr(redact_detail::authority(url, sep, redact_detail::kAuthorityEnd).second);
}

// The secrets of one plugin instance (passwords, tokens, URL userinfo),
// scrubbed from any text before it becomes a message.
class SecretScrubber {
 public:
  // Remembers `secret` when it has at least `min_size` characters: shorter
  // ones would shred ordinary words and protect nothing.
  void add(std::string_view secret, size_t min_size = 4) {
    if (secret.empty() || secret.size() < min_size) return;
    // Longest first, so a secret that contains another is replaced whole.
    auto at = std::find_if(secrets_.begin(), secrets_.end(),
                           [&](const std::string& s) { return s.size() < secret.size(); });
    secrets_.emplace(at, secret);
  }
  // Remembers the userinfo of `url` ("user:pass") and its password part.
  void add_url_userinfo(std::string_view url) {
    const size_t sep = url.find("://");
    if (sep == std::string_view::npos) return;
    auto [begin, end] = redact_detail::authority(url, sep, redact_detail::kAuthorityEnd);
    const std::string_view auth = url.substr(begin, end - begin);
    const size_t at = auth.rfind('@');
    if (at == std::string_view::npos) return;
    const std::string_view userinfo = auth.substr(0, at);
    add(userinfo);
    const size_t colon = userinfo.find(':');
    if (colon != std::string_view::npos) add(userinfo.substr(colon + 1));
    // An HTTP client sends these credentials as Basic authentication, and
    // a server may quote that header back.
    const std::string decoded = redact_detail::percent_decoded(userinfo);
    add(decoded);
    add(redact_detail::basic_credential(decoded));
  }
  // What add() and add_url_userinfo() kept, longest first.
  const std::vector<std::string>& secrets() const { return secrets_; }
  // `text` with the userinfo of every URL in it ("user:pass@" after "://")
  // and every remembered secret replaced by ***.
  std::string operator()(std::string text) const {
    for (size_t sep = text.find("://"); sep != std::string::npos; sep = text.find("://", sep + 3)) {
      auto [begin, end] = redact_detail::authority(text, sep, redact_detail::kTextUrlEnd);
      const size_t at = std::string_view(text).substr(begin, end - begin).rfind('@');
      if (at != std::string_view::npos) text.replace(begin, at, redact_detail::kMask);
    }
    for (const std::string& s : secrets_)
      for (size_t at = text.find(s); at != std::string::npos; at = text.find(s, at + redact_detail::kMask.size()))
        text.replace(at, s.size(), redact_detail::kMask);
    return text;
  }

 private:
  std::vector<std::string> secrets_;  // longest first
};

// Replaces the value of every `password=...` (keyword/value conninfo, quoted
// or not, and URI query parameters) and the password of URI userinfo
// (`postgresql://user:secret@host`) with "***".
inline std::string redact_dsn(std::string_view text) {
  return redact_detail::mask_uri_userinfo(redact_detail::mask_password_pairs(text));
}

// redact_dsn, and also every literal occurrence of `secret` (when it is at
// least 4 characters: shorter ones would mangle ordinary words).
inline std::string redact(std::string_view text, std::string_view secret) {
  std::string out = redact_dsn(text);
  if (secret.size() < 4) return out;
  for (size_t at = out.find(secret); at != std::string::npos;
       at = out.find(secret, at + redact_detail::kMask.size()))
    out.replace(at, secret.size(), redact_detail::kMask);
  return out;
}

}  // namespace ferry

#endif  // FERRY_REDACT_HPP_
