#include "redact.h"

namespace ferry_webhook {

ferry::SecretScrubber make_redactor(const Options& opts) {
  ferry::SecretScrubber scrub;
  scrub.add(opts.auth_header, 1);  // always, whatever its length
  // "Bearer <token>": a server echoing the token alone must not leak it either.
  const size_t space = opts.auth_header.rfind(' ');
  if (space != std::string::npos) scrub.add(std::string_view(opts.auth_header).substr(space + 1));
  for (const auto& header : opts.headers) scrub.add(header.second);
  scrub.add_url_userinfo(opts.url);
  scrub.add(ferry::url_path_and_query(opts.url), 8);  // "/services/T0/B0/xyz"
  return scrub;
}

}  // namespace ferry_webhook
