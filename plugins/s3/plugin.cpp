// The bundled `s3` plugin: descriptor and entry point.
#include <ferry/plugin.hpp>

#include "s3_sink.h"

namespace {

const FerryOptionSpec kOptions[] = {
    {"bucket", FERRY_OPTION_STRING, FERRY_OPTION_REQUIRED | FERRY_OPTION_DESTINATION, nullptr, "Bucket to write to."},
    {"endpoint", FERRY_OPTION_STRING, FERRY_OPTION_DESTINATION, nullptr,
     "scheme://host[:port] of an S3-compatible service, e.g. http://127.0.0.1:4568. Default: "
     "https://s3.<region>.amazonaws.com."},
    {"region", FERRY_OPTION_STRING, 0, "\"us-east-1\"", "Region the requests are signed for."},
    {"path_style", FERRY_OPTION_BOOL, 0, nullptr,
     "true: <endpoint>/<bucket>/<key>; false: <bucket>.<host>/<key>. Default: true when "
     "'endpoint' is set, false for AWS."},
    {"access_key_id", FERRY_OPTION_STRING, 0, nullptr,
     "Access key id. Default: $AWS_ACCESS_KEY_ID (with the secret and token from the "
     "environment too)."},
    {"secret_access_key", FERRY_OPTION_STRING, FERRY_OPTION_SECRET, nullptr,
     "Secret access key, e.g. \"${S3_SECRET}\". Default: $AWS_SECRET_ACCESS_KEY."},
    {"session_token", FERRY_OPTION_STRING, FERRY_OPTION_SECRET, nullptr,
     "Session token of temporary credentials (sent as x-amz-security-token). Default: "
     "$AWS_SESSION_TOKEN."},
    {"prefix", FERRY_OPTION_STRING, FERRY_OPTION_DESTINATION, "\"\"",
     "Key prefix, A-Z a-z 0-9 . _ - = and '/', for {prefix} in key_template."},
    {"key_template", FERRY_OPTION_STRING, FERRY_OPTION_DESTINATION,
     "\"{prefix}/{pipeline}/{partition}/{data_date}/{first_position}-{last_position}.{ext}\"",
     "Object key of a batch. Fields: {prefix} {pipeline} {partition} {data_date} {window_start} "
     "{first_position} {last_position} {ext}; {partition} and {first_position} are required. "
     "Clock or random fields ({now}, {uuid}, ...) are refused: keys must be deterministic so a "
     "replayed batch overwrites its own object."},
    {"format", FERRY_OPTION_STRING, FERRY_OPTION_DESTINATION, "\"jsonl\"",
     "\"jsonl\" (one JSON object per line) or \"csv\" (RFC 4180, header row)."},
    {"op_field", FERRY_OPTION_STRING, 0, nullptr,
     "Write each record as a change event: this field (the first JSON field, or the first CSV column) "
     "names its operation (\"insert\", \"update\", \"delete\"), e.g. \"_op\". Without it, rows are written "
     "as they are and a delete is refused (DLQ): a row cannot say that it is gone."},
    {"gzip", FERRY_OPTION_BOOL, FERRY_OPTION_DESTINATION, "false",
     "Store gzip-compressed objects (extension .jsonl.gz / .csv.gz, Content-Type "
     "application/gzip)."},
    {"checksum", FERRY_OPTION_STRING, 0, "\"md5\"",
     "Integrity check S3 verifies on every PUT and part: \"md5\" (Content-MD5) or \"sha256\" "
     "(x-amz-checksum-sha256). The SHA-256 payload hash is always signed as well."},
    {"multipart_threshold", FERRY_OPTION_INT, 0, "16777216",
     "Objects of this many bytes or more go up as multipart uploads."},
    {"part_size", FERRY_OPTION_INT, 0, "8388608",
     "Part size of multipart uploads, 5 MiB to 5 GiB."},
    {"timeout_ms", FERRY_OPTION_INT, 0, "120000", "Time limit of one HTTP request."},
    {"abort_stale_uploads", FERRY_OPTION_BOOL, 0, "true",
     "At open, abort multipart uploads this pipeline's key template could have started (parts "
     "left by a run that was killed mid-upload)."},
    {"upload_concurrency", FERRY_OPTION_INT, 0, "2",
     "Objects uploaded at once in the background while the next batches are encoded (0 to 16). Each "
     "batch is still checkpointed only after S3 answered 200 for its object, in batch order. 0 uploads "
     "each object inside its batch's commit."},
};

const FerryKindSpec kKinds[] = {
    {FERRY_KIND_SINK, FERRY_CAP_IDEMPOTENT | FERRY_CAP_DEFERRED_COMMIT | FERRY_CAP_NAMED_BY_BATCH,
     "Writes each batch as one S3 object (JSONL or CSV, optionally gzip) under a deterministic "
     "key, so a replayed batch overwrites its own object. Acknowledges only after S3 answered "
     "200 for the whole object; uploads overlap with encoding the next batches.",
     kOptions, FERRY_COUNT_OF(kOptions)},
};

}  // namespace

FERRY_PLUGIN_DESCRIPTOR("s3", "1.0.0", "Amazon S3 and S3-compatible object stores: sink", kKinds)
FERRY_PLUGIN(ferry_s3::S3Sink)
