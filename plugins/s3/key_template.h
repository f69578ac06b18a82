// Object keys from a template of deterministic fields. The same batch always
// gets the same key, so a batch replayed after a crash overwrites its own
// object instead of adding a second copy: that is what makes this sink
// idempotent. Pure C++.
//
// Fields: {prefix} {pipeline} {partition} {data_date} {window_start}
// {first_position} {last_position} {ext}. Values are made key-safe: bytes outside
// [A-Za-z0-9._-] become '_', long values are cut, and a value that had to
// change carries "_<fnv1a32 of the raw value>" so two raw values never share
// a key. {prefix} is the one field that may hold '/', and may be empty: empty
// path segments left by it are dropped.
#ifndef FERRY_PLUGINS_S3_KEY_TEMPLATE_H_
#define FERRY_PLUGINS_S3_KEY_TEMPLATE_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ferry_s3 {

inline constexpr std::string_view kDefaultKeyTemplate =
    "{prefix}/{pipeline}/{partition}/{data_date}/{first_position}-{last_position}.{ext}";

// What differs from batch to batch.
struct BatchFields {
  std::string_view partition;
  std::string_view data_date;  // empty: "undated"
  std::string_view first_position;
  std::string_view last_position;
  std::string_view window_start = {};  // a backfill window's start; empty: "unwindowed"
};

class KeyTemplate {
 public:
  // Throws ferry::Error(FERRY_ERROR_CONFIG) for an unknown or
  // non-deterministic field, or a template that would give two batches one
  // key. `prefix` must already be validated (options.cpp).
  KeyTemplate(std::string_view text, std::string prefix, std::string_view pipeline,
              std::string ext);

  std::string render(const BatchFields& fields) const;

  // True when this template could have produced `key` for this pipeline,
  // whatever the batch: how leftover multipart uploads of crashed runs are
  // recognised without touching anyone else's.
  bool could_produce(std::string_view key) const;
  // The fixed start of every key: where to list leftovers.
  const std::string& fixed_prefix() const { return fixed_prefix_; }
  // Whether keys name the window a backfill processes: by its start, or by
  // its date (which tells windows of a day or longer apart).
  bool names_window_start() const { return has_window_start_; }
  bool names_data_date() const { return has_data_date_; }

 private:
  enum class Field { kLiteral, kPartition, kDataDate, kWindowStart, kFirstPosition, kLastPosition };
  struct Segment {
    Field field;
    std::string text;  // kLiteral only
  };

  std::vector<Segment> segments_;
  std::string pattern_;  // fixed text with kWildcard where a batch field goes
  std::string fixed_prefix_;
  bool has_data_date_ = false;
  bool has_window_start_ = false;
};

// One key-safe component (see above); `max` bounds its length before the hash.
std::string key_component(std::string_view raw, size_t max);

}  // namespace ferry_s3

#endif  // FERRY_PLUGINS_S3_KEY_TEMPLATE_H_
