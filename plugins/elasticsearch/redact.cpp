#include "redact.h"

#include <algorithm>

namespace ferry_es {
namespace {

// Shorter values would shred ordinary words in messages and protect nothing.
constexpr size_t kMinSecret = 4;
constexpr std::string_view kAuthorityEnd = "/?#";
constexpr std::string_view kTextUrlEnd = "/?# \t\r\n\"'<>";

std::pair<size_t, size_t> authority(std::string_view s, size_t sep, std::string_view stops) {
  const size_t begin = sep + 3;
  const size_t end = s.find_first_of(stops, begin);
  return {begin, end == std::string_view::npos ? s.size() : end};
}

void replace_all(std::string& text, std::string_view what, std::string_view with) {
  if (what.empty()) return;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + with.size()))
    text.replace(at, what.size(), with);
}

std::string strip_userinfo(std::string text) {
  for (size_t sep = text.find("://"); sep != std::string::npos; sep = text.find("://", sep + 3)) {
    auto [begin, end] = authority(text, sep, kTextUrlEnd);
    const size_t at = std::string_view(text).substr(begin, end - begin).rfind('@');
    if (at == std::string_view::npos) continue;
    text.replace(begin, at, "***");
  }
  return text;
}

}  // namespace

std::string display_url(std::string_view url) {
  const size_t sep = url.find("://");
  if (sep == std::string_view::npos) return "<url>";
  auto [begin, end] = authority(url, sep, kAuthorityEnd);
  std::string_view host = url.substr(begin, end - begin);
  const size_t at = host.rfind('@');
  if (at != std::string_view::npos) host.remove_prefix(at + 1);
  return std::string(url.substr(0, sep + 3)) + std::string(host);
}

Redactor::Redactor(const Options& opts, const std::vector<std::string>& extra) {
  auto add = [this](std::string_view s) {
    if (s.size() >= kMinSecret) secrets_.emplace_back(s);
  };
  add(opts.password);
  add(opts.api_key);
  add(opts.bearer_token);
  for (const std::string& s : extra) add(s);
  const std::string_view url = opts.url;
  const size_t sep = url.find("://");
  if (sep != std::string_view::npos) {
    auto [begin, end] = authority(url, sep, kAuthorityEnd);
    const std::string_view auth = url.substr(begin, end - begin);
    const size_t at = auth.rfind('@');
    if (at != std::string_view::npos) {
      const std::string_view userinfo = auth.substr(0, at);
      add(userinfo);
      const size_t colon = userinfo.find(':');
      if (colon != std::string_view::npos) add(userinfo.substr(colon + 1));
    }
  }
  std::sort(secrets_.begin(), secrets_.end(),
            [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
}

std::string Redactor::operator()(std::string text) const {
  text = strip_userinfo(std::move(text));
  for (const std::string& s : secrets_) replace_all(text, s, "***");
  return text;
}

}  // namespace ferry_es
