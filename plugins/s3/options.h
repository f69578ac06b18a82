// Options of the s3 sink, from the typed options the host checked, with
// credentials falling back to the standard AWS environment variables.
#ifndef FERRY_PLUGINS_S3_OPTIONS_H_
#define FERRY_PLUGINS_S3_OPTIONS_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "row_format.h"
#include "s3_client.h"
#include "uploader.h"

namespace ferry {
class Context;
}

namespace ferry_s3 {

struct Options {
  ClientConfig client;  // endpoint, region, bucket, path_style, credentials, timeout
  std::string prefix;   // validated: [A-Za-z0-9._-/], no empty or dot segments
  std::string key_template;
  Format format = Format::kJsonl;
  std::string op_field;  // records as change events under this field; empty: rows
  bool gzip = false;
  UploadSettings upload;
  bool abort_leftovers = true;
  int64_t upload_concurrency = 2;  // upload threads for deferred commits; 0: upload inside commit
};

// Throws ferry::Error(FERRY_ERROR_CONFIG) naming the option; never quotes a
// secret. `getenv` is injectable for tests.
Options parse_options(const ferry::Context& ctx, const char* (*getenv)(const char*) = nullptr);

inline constexpr uint64_t kMinPartSize = 5u << 20;       // S3's minimum part
inline constexpr uint64_t kMaxPartSize = 5ull << 30;     // and maximum
inline constexpr uint64_t kMaxParts = 10000;

}  // namespace ferry_s3

#endif  // FERRY_PLUGINS_S3_OPTIONS_H_
