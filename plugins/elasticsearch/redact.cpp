#include "redact.h"

namespace ferry_es {

ferry::SecretScrubber make_redactor(const Options& opts, const std::vector<std::string>& extra) {
  ferry::SecretScrubber scrub;
  scrub.add(opts.password);
  scrub.add(opts.api_key);
  scrub.add(opts.bearer_token);
  for (const std::string& s : extra) scrub.add(s);
  scrub.add_url_userinfo(opts.url);
  return scrub;
}

}  // namespace ferry_es
