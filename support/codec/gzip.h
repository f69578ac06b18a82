// gzip (RFC 1952) of a whole buffer with zlib, for request bodies
// (Elasticsearch's Content-Encoding: gzip) and objects (S3 `.gz`).
// Deterministic: the header's mtime is 0 and no file name is stored, so the
// same input and level always give the same bytes (a replayed S3 batch
// overwrites its object with identical content). Inputs over 4 GiB are fed
// to zlib in slices, since its counters are 32-bit.
#pragma once

#include <string>
#include <string_view>

namespace ferry::support {

// zlib's default level (6).
constexpr int kGzipDefaultLevel = -1;

// `level`: zlib's 1 (fastest) to 9 (smallest), or kGzipDefaultLevel.
// Throws ferry::Error(FERRY_ERROR_INTERNAL) if zlib fails (out of memory);
// `who` starts its message ("s3", "elasticsearch sink").
std::string gzip(std::string_view data, int level, std::string_view who);

}  // namespace ferry::support
