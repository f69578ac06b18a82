// The validate transform: rejects rows that break declarative field rules and
// passes the others through unchanged.
#ifndef FERRY_PLUGINS_VALIDATE_VALIDATE_TRANSFORM_H_
#define FERRY_PLUGINS_VALIDATE_VALIDATE_TRANSFORM_H_

#include <ferry/plugin.hpp>

#include "rules.h"

namespace ferry_validate {

class ValidateTransform : public ferry::Transform {
 public:
  explicit ValidateTransform(const ferry::Context& ctx);
  // The configuration as the constructor reads it, without connecting (ABI 1.3).
  static void check_config(const ferry::Context& ctx);
  void apply(const ferry::BatchView& in, FerryBatch* out, ferry::Outcomes& outcomes) override;

 private:
  Rules rules_;
};

}  // namespace ferry_validate

#endif  // FERRY_PLUGINS_VALIDATE_VALIDATE_TRANSFORM_H_
