// The map transform: adds, casts, renames, drops and selects fields.
#ifndef FERRY_PLUGINS_MAP_MAP_TRANSFORM_H_
#define FERRY_PLUGINS_MAP_MAP_TRANSFORM_H_

#include <ferry/plugin.hpp>

#include "options.h"

namespace ferry_map {

class MapTransform : public ferry::Transform {
 public:
  explicit MapTransform(const ferry::Context& ctx);
  // The configuration as the constructor reads it, without connecting (ABI 1.3).
  static void check_config(const ferry::Context& ctx);
  void apply(const ferry::BatchView& in, FerryBatch* out, ferry::Outcomes& outcomes) override;

 private:
  Options opts_;
};

}  // namespace ferry_map

#endif  // FERRY_PLUGINS_MAP_MAP_TRANSFORM_H_
