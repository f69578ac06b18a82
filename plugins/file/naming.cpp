#include "naming.h"

namespace ferry_file {
namespace {

// Keeps the whole name well under NAME_MAX (255) with prefix and hashes.
constexpr size_t kMaxPartition = 80;
constexpr size_t kMaxPosition = 48;

bool allowed(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == '-';
}

std::string hex8(uint32_t v) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(8, '0');
  for (int i = 7; i >= 0; --i, v >>= 4) out[static_cast<size_t>(i)] = kHex[v & 0xF];
  return out;
}

std::string component(std::string_view raw, size_t max, bool always_hash) {
  std::string s = sanitize(raw);
  const bool lossy = s != raw || s.size() > max;
  if (s.size() > max) s.resize(max);
  if (s.empty()) s = "none";
  if (always_hash || lossy) s += "_" + hex8(fnv1a32(raw));
  return s;
}

}  // namespace

uint32_t fnv1a32(std::string_view s) {
  uint32_t h = 2166136261u;
  for (char c : s) {
    h ^= static_cast<unsigned char>(c);
    h *= 16777619u;
  }
  return h;
}

std::string sanitize(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (!allowed(c)) c = '_';
  return out;
}

std::string batch_file_name(std::string_view prefix, std::string_view partition,
                            std::string_view first_position, std::string_view last_position) {
  std::string name = sanitize(prefix);
  name += '-';
  name += component(partition, kMaxPartition, true);
  name += '-';
  name += component(first_position, kMaxPosition, false);
  name += '-';
  name += component(last_position, kMaxPosition, false);
  name += ".jsonl";
  return name;
}

}  // namespace ferry_file
