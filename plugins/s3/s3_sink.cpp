#include "s3_sink.h"

#include "codec/gzip.h"
#include "row_format.h"
#include "text/json_row.h"
#include "time/timestamp_parse.h"
#include "upload_pool.h"

namespace ferry_s3 {
namespace {

std::string schema_of(const ferry::BatchView& batch) {
  std::string s;
  for (size_t f = 0; f < batch.fields(); ++f) {
    s += batch.field_name(f);
    s += '\0';
  }
  return s;
}

const char* extension(const Options& o) {
  if (o.format == Format::kCsv) return o.gzip ? "csv.gz" : "csv";
  return o.gzip ? "jsonl.gz" : "jsonl";
}

// A source's positions may repeat from one backfill window to the next:
// keys that do not tell the windows apart would have one window's objects
// replace another's. {data_date} does for windows of a day or longer.
void check_backfill_keys(const KeyTemplate& keys, const ferry::Context& ctx) {
  if (ctx.window_start().empty() || keys.names_window_start()) return;
  const std::optional<int64_t> start = ferry::support::parse_iso_timestamp(ctx.window_start());
  const std::optional<int64_t> end = ferry::support::parse_iso_timestamp(ctx.window_end());
  const bool a_day_or_more = start && end && *end - *start >= int64_t{86400} * 1000000;
  if (keys.names_data_date() && a_day_or_more) return;
  throw ferry::Error(FERRY_ERROR_CONFIG,
                     std::string("s3: option 'key_template' does not tell this backfill's windows apart (") +
                         (keys.names_data_date() ? "windows shorter than a day share their {data_date}"
                                                 : "it has neither {data_date} nor {window_start}") +
                         "): a source's positions may repeat from one window to the next, and one window's "
                         "objects would replace another's. Add {window_start} to the template");
}

}  // namespace

void S3Sink::check_config(const ferry::Context& ctx) {
  const Options o = parse_options(ctx);
  check_backfill_keys(KeyTemplate(o.key_template, o.prefix, ctx.pipeline(), extension(o)), ctx);
}

S3Sink::S3Sink(const ferry::Context& ctx)
    : host_(ctx.host()),
      options_(parse_options(ctx)),
      data_date_(ctx.data_date()),
      window_start_(ctx.window_start()) {
  keys_ = std::make_unique<KeyTemplate>(options_.key_template, options_.prefix, ctx.pipeline(),
                                        extension(options_));
  check_backfill_keys(*keys_, ctx);
  client_ = std::make_unique<S3Client>(options_.client);
  uploader_ = std::make_unique<Uploader>(*client_, options_.upload, &host_);
  if (!options_.abort_leftovers) return;
  const LeftoverReport r = uploader_->abort_leftovers(*keys_);
  if (r.aborted > 0)
    host_.info("s3: aborted " + std::to_string(r.aborted) +
               " multipart upload(s) left under s3://" + options_.client.bucket + "/" +
               keys_->fixed_prefix() + " by an interrupted run");
}

S3Sink::PendingObject& S3Sink::pending_for(const ferry::BatchView& batch) {
  std::string schema = schema_of(batch);
  if (!pending_.empty() && pending_.back().partition == batch.partition() &&
      pending_.back().schema == schema)
    return pending_.back();
  PendingObject o;
  o.partition = std::string(batch.partition());
  o.schema = std::move(schema);
  o.first_position = std::string(batch.position(0));
  if (!spares_.empty()) {
    o.body.swap(spares_.back());
    spares_.pop_back();
  }
  o.body.clear();
  if (options_.format == Format::kCsv) append_csv_header(o.body, batch, options_.op_field);
  pending_.push_back(std::move(o));
  return pending_.back();
}

void S3Sink::write(const ferry::BatchView& batch, ferry::Outcomes& outcomes) {
  if (batch.rows() == 0) return;
  if (std::optional<std::string> clash = ferry::support::op_field_clash(batch, options_.op_field)) {
    for (size_t row = 0; row < batch.rows(); ++row) outcomes.reject(row, "s3 sink: " + *clash, FERRY_INVALID_DATA);
    return;
  }
  const size_t objects_before = pending_.size();
  PendingObject& o = pending_for(batch);
  const size_t size_before = o.body.size();
  std::vector<RefusedRow> refused;
  try {
    if (options_.format == Format::kCsv) append_csv_rows(o.body, batch, options_.op_field, refused);
    else append_jsonl_rows(o.body, batch, options_.op_field, refused);
  } catch (...) {
    // Nothing of a failed write may stay staged (plugin.h, sink contract).
    if (pending_.size() > objects_before) pending_.pop_back();
    else o.body.resize(size_before);
    throw;
  }
  for (RefusedRow& r : refused) outcomes.reject(r.row, "s3 sink: " + std::move(r.why), FERRY_INVALID_DATA);
  // A source without per-row positions still gives the batch's end.
  std::string_view last = batch.position(batch.rows() - 1);
  o.last_position = std::string(last.empty() ? batch.end_position() : last);
}

void S3Sink::commit(const FerryCheckpoint* /*checkpoint*/) {
  // Objects that made it before a failure are simply PUT again on the retry
  // (same key, same bytes); the host re-writes everything after abort().
  for (const PendingObject& o : pending_) {
    const std::string key = keys_->render(
        BatchFields{o.partition, data_date_, o.first_position, o.last_position, window_start_});
    if (options_.gzip) {
      const std::string packed = ferry::support::gzip(o.body, ferry::support::kGzipDefaultLevel, "s3");
      uploader_->put(key, packed, content_type(options_));
      host_.count("s3_bytes", static_cast<int64_t>(packed.size()));
    } else {
      uploader_->put(key, o.body, content_type(options_));
      host_.count("s3_bytes", static_cast<int64_t>(o.body.size()));
    }
    host_.count("s3_objects", 1);
  }
  recycle();
}

bool S3Sink::begin_commit(const FerryCheckpoint* checkpoint) {
  if (options_.upload_concurrency == 0) {
    commit(checkpoint);
    return false;
  }
  // Started at the first commit the host lets finish later: a replay, or a
  // pipeline that never defers, runs no upload threads.
  if (!pool_) pool_ = std::make_unique<UploadPool>(options_, static_cast<size_t>(options_.upload_concurrency));
  std::vector<UploadObject> objects;
  for (PendingObject& o : pending_)
    objects.push_back(
        {keys_->render(BatchFields{o.partition, data_date_, o.first_position, o.last_position, window_start_}), std::move(o.body)});
  pending_.clear();
  pool_->submit(std::move(objects));
  return true;
}

void S3Sink::await_commit() {
  if (!pool_) throw ferry::Error(FERRY_ERROR_INTERNAL, "s3 sink: await_commit with no commit pending");
  UploadOutcome out = pool_->await_oldest();
  for (const auto& [level, message] : out.log) host_.log(level, message);
  host_.count("s3_bytes", out.bytes);
  host_.count("s3_objects", out.objects);
  for (std::string& b : out.buffers) keep_spare(std::move(b));
  if (out.error) std::rethrow_exception(out.error);
}

void S3Sink::abort() { recycle(); }

void S3Sink::recycle() {
  for (PendingObject& o : pending_) keep_spare(std::move(o.body));
  pending_.clear();
}

void S3Sink::keep_spare(std::string body) {
  // As many as are in use at once (the objects uploading and the one being
  // formatted), so that a steady stream of batches allocates nothing.
  if (spares_.size() >= kMaxSpares || body.capacity() == 0) return;
  body.clear();
  spares_.push_back(std::move(body));
}

}  // namespace ferry_s3
