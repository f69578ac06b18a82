#include "uploader.h"

#include <algorithm>
#include <exception>
#include <thread>

#include "digest.h"
#include "xml_text.h"

namespace ferry_s3 {
namespace {

// Below this a second thread costs more than it saves.
constexpr size_t kParallelHashBytes = 256 << 10;

}  // namespace

Uploader::Uploader(S3Client& client, UploadSettings settings, const ferry::Host* host)
    : Uploader(client, settings, host ? Log([host](FerryLogLevel level, const std::string& m) { host->log(level, m); })
                                      : Log()) {}

Uploader::Uploader(S3Client& client, UploadSettings settings, Log log)
    : client_(client), settings_(settings), log_(std::move(log)), redact_(client.config().credentials) {}

void Uploader::warn(const std::string& message) const {
  if (log_) log_(FERRY_LOG_WARN, redact_(message));
}

void Uploader::hash(S3Request& request, std::string_view body, std::string* checksum_out) const {
  if (settings_.checksum == Checksum::kMd5 && body.size() < kParallelHashBytes) {
    request.payload_sha256 = hex(sha256(body));
    request.headers.emplace_back("Content-MD5", base64(md5(body)));
    return;
  }
  if (settings_.checksum == Checksum::kMd5) {
    // Two digests of the same bytes, on the two cores a host usually has:
    // this is on the critical path of every commit.
    Md5 digest{};
    std::exception_ptr failed;
    std::thread md5_thread([&] {
      try {
        digest = md5(body);
      } catch (...) {
        failed = std::current_exception();
      }
    });
    try {
      request.payload_sha256 = hex(sha256(body));
    } catch (...) {
      md5_thread.join();
      throw;
    }
    md5_thread.join();
    if (failed) std::rethrow_exception(failed);
    request.headers.emplace_back("Content-MD5", base64(digest));
    return;
  }
  // The payload hash is already SHA-256: its base64 is the checksum.
  const Sha256 digest = sha256(body);
  request.payload_sha256 = hex(digest);
  std::string b64 = base64(digest);
  if (checksum_out) *checksum_out = b64;
  request.headers.emplace_back("x-amz-checksum-sha256", std::move(b64));
}

void Uploader::put(const std::string& key, std::string_view body, std::string_view content_type) {
  if (body.size() >= settings_.multipart_threshold && body.size() > settings_.part_size)
    put_multipart(key, body, content_type);
  else
    put_single(key, body, content_type);
}

void Uploader::put_single(const std::string& key, std::string_view body,
                          std::string_view content_type) {
  S3Request r;
  r.method = Method::kPut;
  r.key = key;
  r.body = body;
  r.headers.emplace_back("Content-Type", std::string(content_type));
  hash(r, body, nullptr);
  const S3Response resp = client_.send(r);
  if (!resp.ok()) throw s3_error(resp, "PutObject", client_, key, redact_);
}

void Uploader::put_multipart(const std::string& key, std::string_view body,
                             std::string_view content_type) {
  S3Request create;
  create.method = Method::kPost;
  create.key = key;
  create.query = {{"uploads", ""}};
  create.headers.emplace_back("Content-Type", std::string(content_type));
  if (settings_.checksum == Checksum::kSha256)
    create.headers.emplace_back("x-amz-checksum-algorithm", "SHA256");
  const S3Response created = client_.send(create);
  if (!created.ok()) throw s3_error(created, "CreateMultipartUpload", client_, key, redact_);
  const std::string upload_id = xml_text(created.body, "UploadId").value_or("");
  if (upload_id.empty())
    throw ferry::Error(FERRY_RETRY, redact_("s3: CreateMultipartUpload s3://" +
                                            client_.config().bucket + "/" + key +
                                            " answered without an UploadId"));

  // S3 takes at most 10,000 parts: a huge object gets bigger parts.
  const size_t part_size = std::max<size_t>(settings_.part_size, (body.size() + 9999) / 10000);
  try {
    std::string xml = "<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">";
    int number = 1;
    for (size_t at = 0; at < body.size(); at += part_size, ++number) {
      const std::string_view part = body.substr(at, part_size);
      std::string checksum;
      const std::string etag = upload_part(key, upload_id, number, part, &checksum);
      xml += "<Part><PartNumber>" + std::to_string(number) + "</PartNumber><ETag>" +
             xml_escape(etag) + "</ETag>";
      if (!checksum.empty()) xml += "<ChecksumSHA256>" + checksum + "</ChecksumSHA256>";
      xml += "</Part>";
    }
    xml += "</CompleteMultipartUpload>";
    complete(key, upload_id, xml);
    if (log_)
      log_(FERRY_LOG_DEBUG, "s3: s3://" + client_.config().bucket + "/" + key + ": " +
                                      std::to_string(number - 1) + "-part multipart upload of " +
                                      std::to_string(body.size()) + " bytes completed");
  } catch (...) {
    abort_upload(key, upload_id);
    throw;
  }
}

std::string Uploader::upload_part(const std::string& key, const std::string& upload_id, int number,
                                  std::string_view part, std::string* checksum_out) {
  S3Request r;
  r.method = Method::kPut;
  r.key = key;
  r.query = {{"partNumber", std::to_string(number)}, {"uploadId", upload_id}};
  r.body = part;
  r.headers.emplace_back("Content-Type", "application/octet-stream");
  hash(r, part, checksum_out);
  const S3Response resp = client_.send(r);
  if (!resp.ok()) throw s3_error(resp, "UploadPart", client_, key, redact_);
  if (resp.etag.empty())
    throw ferry::Error(FERRY_RETRY, "s3: UploadPart " + std::to_string(number) + " of s3://" +
                                        client_.config().bucket + "/" + key +
                                        " answered without an ETag");
  return resp.etag;
}

void Uploader::complete(const std::string& key, const std::string& upload_id,
                        const std::string& xml) {
  S3Request r;
  r.method = Method::kPost;
  r.key = key;
  r.query = {{"uploadId", upload_id}};
  r.body = xml;
  r.headers.emplace_back("Content-Type", "application/xml");
  r.headers.emplace_back("Content-MD5", base64(md5(xml)));
  S3Response resp = client_.send(r);
  // S3 may answer 200 and still fail: the error is then in the body.
  if (resp.ok() && xml_text(resp.body, "Code") && !xml_text(resp.body, "ETag"))
    resp.status = 500;
  if (!resp.ok()) throw s3_error(resp, "CompleteMultipartUpload", client_, key, redact_);
}

void Uploader::abort_upload(const std::string& key, const std::string& upload_id) {
  S3Request r;
  r.method = Method::kDelete;
  r.key = key;
  r.query = {{"uploadId", upload_id}};
  try {
    const S3Response resp = client_.send(r);
    if (resp.ok() || resp.status == 404) return;  // gone already
    warn(s3_error(resp, "AbortMultipartUpload", client_, key, redact_).what() +
         std::string("; the parts stay until a later run's cleanup (or a bucket lifecycle "
                     "rule) removes them"));
  } catch (const std::exception& e) {
    warn(std::string("s3: AbortMultipartUpload failed: ") + e.what());
  }
}

LeftoverReport Uploader::abort_leftovers(const KeyTemplate& keys) {
  LeftoverReport report;
  std::string key_marker, id_marker;
  for (;;) {
    S3Request list;
    list.method = Method::kGet;
    list.query = {{"uploads", ""}, {"prefix", keys.fixed_prefix()}};
    if (!key_marker.empty()) {
      list.query.emplace_back("key-marker", key_marker);
      list.query.emplace_back("upload-id-marker", id_marker);
    }
    const S3Response resp = client_.send(list);
    if (!resp.ok()) {
      const FerryStatus st = classify(resp);
      const ferry::Error e = s3_error(resp, "ListMultipartUploads", client_, keys.fixed_prefix(), redact_);
      if (st == FERRY_ERROR_CONFIG && resp.status == 404) throw e;  // no such bucket
      if (resp.status == 403 && xml_text(resp.body, "Code").value_or("") != "AccessDenied") throw e;
      // Not allowed to list (a key limited to PutObject), not implemented by
      // this server, or not reachable right now: the upload path still
      // aborts its own failures, so go on without the sweep.
      warn(std::string(e.what()) + "; leftover multipart uploads of crashed runs were not "
                                   "cleaned up");
      return report;
    }
    for (std::string_view upload : xml_blocks(resp.body, "Upload")) {
      const std::string key = xml_text(upload, "Key").value_or("");
      const std::string id = xml_text(upload, "UploadId").value_or("");
      if (id.empty() || !keys.could_produce(key)) {
        ++report.skipped;
        continue;
      }
      abort_upload(key, id);
      ++report.aborted;
    }
    if (xml_text(resp.body, "IsTruncated").value_or("false") != "true") return report;
    key_marker = xml_text(resp.body, "NextKeyMarker").value_or("");
    id_marker = xml_text(resp.body, "NextUploadIdMarker").value_or("");
    if (key_marker.empty()) return report;
  }
}

}  // namespace ferry_s3
