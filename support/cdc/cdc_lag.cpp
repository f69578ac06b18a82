#include "cdc/cdc_lag.h"

#include <algorithm>

namespace ferry::support {

void CdcLag::handed(std::string position, Clock::time_point first_commit) {
  pending_.push_back(Pending{std::move(position), first_commit});
}

void CdcLag::acknowledged(std::string_view position) {
  const auto at = std::find_if(pending_.begin(), pending_.end(),
                               [&](const Pending& p) { return p.position == position; });
  if (at != pending_.end()) pending_.erase(pending_.begin(), at + 1);
}

double CdcLag::seconds(Clock::time_point now) const {
  if (pending_.empty()) return 0;
  const std::chrono::duration<double> age = now - pending_.front().first_commit;
  return std::max(0.0, age.count());
}

}  // namespace ferry::support
