#include "cdc/cdc_lag.h"

#include <algorithm>

namespace ferry::support {

void CdcLag::add(Clock::time_point committed) {
  if (!building_) building_ = committed;
}

void CdcLag::handed(std::string position) {
  if (building_) pending_.push_back(Pending{std::move(position), *building_});
  building_.reset();
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
