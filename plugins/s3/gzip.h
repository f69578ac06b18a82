// Whole-object gzip (RFC 1952) with zlib. Deterministic: the header's mtime
// is 0 and no file name is stored, so the same rows always give the same
// bytes, and a replayed batch overwrites its object with identical content.
#ifndef FERRY_PLUGINS_S3_GZIP_H_
#define FERRY_PLUGINS_S3_GZIP_H_

#include <string>
#include <string_view>

namespace ferry_s3 {

// Throws ferry::Error(FERRY_ERROR_INTERNAL) if zlib fails (out of memory).
std::string gzip(std::string_view data);

}  // namespace ferry_s3

#endif  // FERRY_PLUGINS_S3_GZIP_H_
