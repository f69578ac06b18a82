#include "key_template.h"

#include <ferry/plugin.hpp>

#include "text/safe_name.h"

namespace ferry_s3 {
namespace {

// S3 keys may be 1024 bytes; these keep a default-template key well under it.
constexpr size_t kMaxName = 100;
constexpr size_t kMaxPosition = 64;
constexpr char kWildcard = '\x01';

constexpr std::string_view kWhy =
    "object names must be deterministic, so that a batch replayed after a crash or retry "
    "overwrites its own object instead of writing a duplicate next to it";

// Drops empty path segments: "//" -> "/", and any leading '/'.
std::string collapse_slashes(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    if (c == '/' && (out.empty() || out.back() == '/')) continue;
    out += c;
  }
  return out;
}

bool is_clock_or_random(std::string_view name) {
  static constexpr std::string_view kNames[] = {
      "now",  "date",   "time",      "datetime", "timestamp", "ts",     "today", "year",
      "month", "day",   "hour",      "minute",   "second",    "epoch",  "uuid",  "guid",
      "random", "rand", "nonce",     "run_id",   "run",       "pid",    "host",  "hostname",
      "counter", "seq", "sequence",  "attempt"};
  for (std::string_view n : kNames)
    if (n == name) return true;
  return false;
}

[[noreturn]] void refuse(const std::string& message) {
  throw ferry::Error(FERRY_ERROR_CONFIG, "s3: option 'key_template': " + message);
}

// Glob match of `key` against `pattern`, where kWildcard stands for one or
// more key-safe bytes (a batch field never holds '/').
bool matches(std::string_view pattern, std::string_view key) {
  if (pattern.empty()) return key.empty();
  if (pattern[0] != kWildcard) {
    return !key.empty() && key[0] == pattern[0] && matches(pattern.substr(1), key.substr(1));
  }
  for (size_t n = 1; n <= key.size() && ferry::support::is_safe_name_char(key[n - 1]); ++n)
    if (matches(pattern.substr(1), key.substr(n))) return true;
  return false;
}

std::string window_component(std::string_view window_start) {
  return key_component(ferry::support::compact_time(window_start), kMaxName);
}

}  // namespace

std::string key_component(std::string_view raw, size_t max) {
  std::string s(raw);
  for (char& c : s)
    if (!ferry::support::is_safe_name_char(c)) c = '_';
  // "." and ".." are path tricks to some tools that mirror keys to files.
  const bool dots = s == "." || s == "..";
  const bool lossy = s != raw || s.size() > max || s.empty() || dots;
  if (s.size() > max) s.resize(max);
  if (s.empty() || dots) s = "none";
  if (lossy) s += "_" + ferry::support::hex8(ferry::support::fnv1a32(raw));
  return s;
}

KeyTemplate::KeyTemplate(std::string_view text, std::string prefix, std::string_view pipeline,
                         std::string ext) {
  if (text.empty()) refuse("must not be empty");
  bool has_partition = false;
  bool has_first = false;
  std::string literal;
  auto flush = [&] {
    if (!literal.empty()) segments_.push_back({Field::kLiteral, literal});
    literal.clear();
  };
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '}') refuse("unmatched '}' at offset " + std::to_string(i));
    if (text[i] != '{') {
      literal += text[i];
      continue;
    }
    const size_t close = text.find('}', i);
    if (close == std::string_view::npos) refuse("unmatched '{' at offset " + std::to_string(i));
    const std::string name(text.substr(i + 1, close - i - 1));
    i = close;
    if (name == "prefix") {
      literal += prefix;
    } else if (name == "pipeline") {
      literal += key_component(pipeline, kMaxName);
    } else if (name == "ext") {
      literal += ext;
    } else if (name == "partition" || name == "data_date" || name == "window_start" || name == "first_position" ||
               name == "last_position") {
      flush();
      Field f = Field::kPartition;
      if (name == "data_date") f = Field::kDataDate;
      if (name == "window_start") f = Field::kWindowStart;
      has_data_date_ |= f == Field::kDataDate;
      has_window_start_ |= f == Field::kWindowStart;
      if (name == "first_position") f = Field::kFirstPosition;
      if (name == "last_position") f = Field::kLastPosition;
      has_partition |= f == Field::kPartition;
      has_first |= f == Field::kFirstPosition;
      segments_.push_back({f, {}});
    } else if (is_clock_or_random(name)) {
      refuse("{" + name + "} is not allowed: it changes from run to run, and " +
             std::string(kWhy) + ". Use {data_date} for the date being processed.");
    } else {
      refuse("unknown field {" + name + "}; the fields are {prefix}, {pipeline}, {partition}, "
             "{data_date}, {window_start}, {first_position}, {last_position} and {ext}, all deterministic "
             "because " +
             std::string(kWhy));
    }
  }
  flush();
  // Without both, two batches of a run could get one key, and the second
  // would silently replace the first.
  if (!has_partition || !has_first)
    refuse("must contain {partition} and {first_position}: they make the key unique per batch "
           "(and " + std::string(kWhy) + ")");

  std::string pattern;
  for (const Segment& s : segments_) pattern += s.field == Field::kLiteral ? s.text : std::string(1, kWildcard);
  pattern_ = collapse_slashes(pattern);
  fixed_prefix_ = pattern_.substr(0, pattern_.find(kWildcard));
}

std::string KeyTemplate::render(const BatchFields& f) const {
  std::string key;
  for (const Segment& s : segments_) {
    switch (s.field) {
      case Field::kLiteral: key += s.text; break;
      case Field::kPartition: key += key_component(f.partition, kMaxName); break;
      case Field::kDataDate:
        key += f.data_date.empty() ? std::string("undated") : key_component(f.data_date, kMaxName);
        break;
      case Field::kWindowStart:
        key += f.window_start.empty() ? std::string("unwindowed") : window_component(f.window_start);
        break;
      case Field::kFirstPosition: key += key_component(f.first_position, kMaxPosition); break;
      case Field::kLastPosition: key += key_component(f.last_position, kMaxPosition); break;
    }
  }
  return collapse_slashes(key);
}

bool KeyTemplate::could_produce(std::string_view key) const { return matches(pattern_, key); }

}  // namespace ferry_s3
