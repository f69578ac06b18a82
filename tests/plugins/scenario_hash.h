// The one function that decides which records and calls the scenario
// plugins fail: shared with the scenario checker, which predicts from it
// which records the source reports as unparseable.
#pragma once

#include <cstdint>
#include <string_view>

namespace ferry::scenario {

inline uint64_t mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

inline uint64_t hash_of(uint64_t seed, std::string_view s, uint64_t salt = 0) {
  uint64_t h = mix(seed ^ mix(salt));
  for (unsigned char c : s) h = mix(h ^ c);
  return h;
}

// True for about one in `mod` of the keys (never when mod is 0).
inline bool picked(uint64_t seed, std::string_view key, int64_t mod, uint64_t salt) {
  return mod > 0 && hash_of(seed, key, salt) % static_cast<uint64_t>(mod) == 0;
}

// The salt the source uses for "this record cannot be parsed".
constexpr uint64_t kErrantSalt = 7;

}  // namespace ferry::scenario
