#include "naming.h"

#include "text/safe_name.h"

namespace ferry_file {

using ferry::support::fnv1a32;
using ferry::support::hex8;

namespace {

// Keeps the whole name well under NAME_MAX (255) with prefix and hashes.
constexpr size_t kMaxPartition = 80;
constexpr size_t kMaxPosition = 48;
constexpr size_t kMaxWindow = 24;

std::string component(std::string_view raw, size_t max, bool always_hash) {
  std::string s = sanitize(raw);
  const bool lossy = s != raw || s.size() > max;
  if (s.size() > max) s.resize(max);
  if (s.empty()) s = "none";
  if (always_hash || lossy) s += "_" + hex8(fnv1a32(raw));
  return s;
}

}  // namespace

std::string sanitize(std::string_view s) { return ferry::support::safe_name(s); }

std::string batch_file_name(std::string_view prefix, std::string_view partition,
                            std::string_view first_position, std::string_view last_position,
                            std::string_view window_start) {
  std::string name = sanitize(prefix);
  name += '-';
  if (!window_start.empty()) {
    name += component(ferry::support::compact_time(window_start), kMaxWindow, false);
    name += '-';
  }
  name += component(partition, kMaxPartition, true);
  name += '-';
  name += component(first_position, kMaxPosition, false);
  name += '-';
  name += component(last_position, kMaxPosition, false);
  name += ".jsonl";
  return name;
}

}  // namespace ferry_file
