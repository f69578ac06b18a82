// The wall clock the state stores stamp rows with (unix milliseconds).
#pragma once

#include <chrono>
#include <cstdint>

namespace ferry::core {

inline int64_t state_now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

}  // namespace ferry::core
