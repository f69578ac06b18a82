// Schema versions and lineage fields: what the host adds on top of the rows.
#include <chrono>

#include <ferry/plugin.hpp>

#include "common/log.h"
#include "engine/pipeline_run.h"
#include "engine/schema_fingerprint.h"

namespace ferry::core {

void PipelineRun::track_schema(const FerryBatch& batch, const std::string& partition) {
  if (batch.n_rows == 0 && batch.schema.n_fields == 0) return;  // an all-rejected batch says nothing
  const std::string version = schema_fingerprint(batch.schema);
  if (version == schema_version_) return;
  const bool first = schema_version_.empty();
  schema_version_ = version;
  if (options_.dry_run) return;
  SchemaVersion v;
  v.pipeline = def_.name;
  v.partition = checkpoint_key(partition);
  v.version = version;
  v.fields_json = schema_json(batch.schema);
  v.began_after = last_end_position_;
  if (!state_.record_schema_version(v) || first) return;
  // A version not seen before in this partition, after another one.
  if (options_.metrics) options_.metrics->add("ferry_schema_changes_total", labels({{"partition", v.partition}}));
  log_info("schema changed to version " + version + " " + v.fields_json + " after position '" +
               last_end_position_ + "'",
           LogFields{def_.name, run_id_, partition, {}});
}

void PipelineRun::add_lineage(std::vector<FerryBatch>& batches, const std::string& partition) {
  const FerryBatch& in = batches.back();
  ferry::BatchBuilder b;
  for (size_t f = 0; f < in.schema.n_fields; ++f) {
    const FerryField& field = in.schema.fields[f];
    b.add_field(std::string_view(field.name.data, field.name.size), field.type, field.flags);
  }
  const size_t n = in.schema.n_fields;
  const size_t f_pipeline = b.add_field("ferry_pipeline", FERRY_TYPE_STRING, 0);
  const size_t f_run = b.add_field("ferry_run_id", FERRY_TYPE_STRING, 0);
  const size_t f_batch = b.add_field("ferry_batch_id", FERRY_TYPE_STRING, 0);
  const size_t f_position = b.add_field("ferry_position", FERRY_TYPE_STRING, 0);
  const size_t f_schema = b.add_field("ferry_schema_version", FERRY_TYPE_STRING, 0);
  const size_t f_time = b.add_field("ferry_ingested_at", FERRY_TYPE_TIMESTAMP, 0);
  const std::string batch_id = run_id_ + "-" + std::to_string(++batch_seq_);
  // Ingestion time is the one wall-clock value Ferry writes: it says when,
  // not what, and is left out unless lineage is asked for.
  const int64_t now_us = std::chrono::duration_cast<std::chrono::microseconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
  b.reserve(in.n_rows);
  for (size_t r = 0; r < in.n_rows; ++r) {
    const FerryRecordMeta& m = in.records[r];
    size_t row = b.add_row(std::string_view(m.key.data, m.key.size), std::string_view(m.position.data, m.position.size),
                           m.op);
    for (size_t f = 0; f < n; ++f) b.set_value(row, f, in.values[r * n + f]);
    b.set_string(row, f_pipeline, def_.name);
    b.set_string(row, f_run, run_id_);
    b.set_string(row, f_batch, batch_id);
    b.set_string(row, f_position, std::string_view(m.position.data, m.position.size));
    b.set_string(row, f_schema, schema_version_);
    b.set_timestamp(row, f_time, now_us);
  }
  FerryBatch out{};
  b.finish(&out, std::string_view(in.partition.data, in.partition.size),
           std::string_view(in.end_position.data, in.end_position.size));
  (void)partition;
  batches.push_back(out);
}

}  // namespace ferry::core
