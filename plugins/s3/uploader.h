// Puts whole objects: one PutObject below the multipart threshold, else
// CreateMultipartUpload, UploadPart x N, CompleteMultipartUpload. Every body
// and part carries its checksum (Content-MD5 or x-amz-checksum-sha256) and
// its SHA-256 payload hash, so S3 refuses anything corrupted in flight (and
// the refusal is a RETRY). A multipart upload that fails at any step is
// aborted before the error is reported, so no parts are left behind; parts
// left by a crashed process are removed at open (abort_leftovers).
//
// Returns only when S3 has acknowledged the whole object; throws
// ferry::Error classified by s3_errors.h otherwise.
#ifndef FERRY_PLUGINS_S3_UPLOADER_H_
#define FERRY_PLUGINS_S3_UPLOADER_H_

#include <ferry/plugin.hpp>

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "key_template.h"
#include "s3_client.h"
#include "s3_errors.h"

namespace ferry_s3 {

enum class Checksum { kMd5, kSha256 };

struct UploadSettings {
  uint64_t multipart_threshold = 16u << 20;
  uint64_t part_size = 8u << 20;  // >= 5 MiB, S3's minimum but for the last part
  Checksum checksum = Checksum::kMd5;
};

struct LeftoverReport {
  size_t aborted = 0;
  size_t skipped = 0;  // uploads under the prefix that this pipeline did not make
};

class Uploader {
 public:
  // Where log lines go: the host (on the instance's thread), a job's record
  // (on an upload thread, which may not call the host), or nowhere (empty).
  using Log = std::function<void(FerryLogLevel, const std::string&)>;
  // `host` may be null (the probe tool); then nothing is logged.
  Uploader(S3Client& client, UploadSettings settings, const ferry::Host* host);
  Uploader(S3Client& client, UploadSettings settings, Log log);

  void put(const std::string& key, std::string_view body, std::string_view content_type);

  // Lists multipart uploads under keys.fixed_prefix() and aborts those
  // `keys` could have produced: parts of a run that died mid-upload. Throws
  // FERRY_ERROR_CONFIG for a missing bucket, FERRY_ERROR_AUTH when the
  // credentials are refused outright; a server that cannot list uploads
  // (501, 405) is logged and skipped.
  LeftoverReport abort_leftovers(const KeyTemplate& keys);

 private:
  void put_single(const std::string& key, std::string_view body, std::string_view content_type);
  void put_multipart(const std::string& key, std::string_view body, std::string_view content_type);
  std::string upload_part(const std::string& key, const std::string& upload_id, int number,
                          std::string_view part, std::string* checksum_out);
  void complete(const std::string& key, const std::string& upload_id, const std::string& xml);
  // Best effort: a failure is logged, the original error is what matters.
  void abort_upload(const std::string& key, const std::string& upload_id);
  // Sets the payload hash and the checksum header of `request`.
  void hash(S3Request& request, std::string_view body, std::string* checksum_out) const;
  void warn(const std::string& message) const;

  S3Client& client_;
  UploadSettings settings_;
  Log log_;
  Redactor redact_;
};

}  // namespace ferry_s3

#endif  // FERRY_PLUGINS_S3_UPLOADER_H_
