#include "failure_summary.h"

#include <ferry/plugin.hpp>

namespace ferry_failure_stats {

std::string class_name(FerryStatus status) {
  // A class this build does not know is kept distinct rather than folded
  // into internal_error: worth seeing as such.
  const char* name = ferry::status_name(status);
  return name != nullptr ? name : "status_" + std::to_string(status);
}

std::vector<ClassCount> summarize(const FerryBacklogEvent& event) {
  std::vector<ClassCount> out;
  auto slot = [&out](const std::string& name) -> ClassCount& {
    for (ClassCount& c : out)
      if (c.error_class == name) return c;
    out.push_back(ClassCount{name, 0, {}});
    return out.back();
  };
  const std::string event_class = class_name(event.error_class);
  const std::string_view event_message = ferry::view(event.message);

  const size_t rows = event.batch ? event.batch->n_rows : 0;
  for (size_t r = 0; r < rows; ++r) {
    const FerryRecordOutcome* o = event.outcomes ? &event.outcomes[r] : nullptr;
    const bool own_class = o != nullptr && o->status != FERRY_OK;
    ClassCount& c = slot(own_class ? class_name(o->status) : event_class);
    ++c.failures;
    const std::string_view msg = o != nullptr && o->message.size > 0 ? ferry::view(o->message)
                                                                     : event_message;
    c.last_message.assign(msg.data() ? msg.data() : "", msg.size());
  }
  if (out.empty()) slot(event_class).last_message = std::string(event_message);
  return out;
}

}  // namespace ferry_failure_stats
