#include "engine/plugin_instances.h"

#include "common/log.h"

namespace ferry::core {

FerryOpenArgs InstanceBase::open_args(const OpenParams& p, FerryKind kind) {
  FerryOpenArgs a{};
  a.struct_size = sizeof a;
  a.host = host_->host();
  a.config_json = as_bytes(p.config_json);
  a.pipeline = as_bytes(p.pipeline);
  a.name = as_bytes(p.name);
  a.run_id = as_bytes(p.run_id);
  a.base_dir = as_bytes(p.base_dir);
  a.max_batch_records = p.max_batch_records;
  a.max_batch_bytes = p.max_batch_bytes;
  a.data_date = as_bytes(p.data_date);
  a.window_start = as_bytes(p.window_start);
  a.window_end = as_bytes(p.window_end);
  options_ = std::make_unique<OptionValues>(plugin_.kind_spec(kind), p.config_json);
  options_->fill(a);
  return a;
}

CallResult InstanceBase::result(FerryStatus st) const {
  CallResult r;
  r.status = st;
  if (st != FERRY_OK && st != FERRY_END_OF_STREAM) {
    r.message = host_->error().empty() ? status_text(st) : host_->error();
    r.retry_after_ms = host_->retry_after_ms();
  }
  return r;
}

void InstanceBase::check(FerryStatus st, const char* call,
                         std::initializer_list<FerryStatus> allowed) const {
  if (st == FERRY_OK) return;
  for (FerryStatus a : allowed)
    if (st == a) return;
  std::string msg = host_->error().empty() ? status_text(st) : host_->error();
  throw PluginCallError(st, stage() + " (plugin '" + plugin_.name() + "') " + call + " failed [" +
                                status_text(st) + "]: " + msg);
}

PluginCallError InstanceBase::escaped(const char* call, const std::string& what) const {
  return PluginCallError(FERRY_ERROR_INTERNAL, stage() + " (plugin '" + plugin_.name() + "') " + call +
                                                   ": an exception escaped the plugin, which must return a "
                                                   "status instead: " + what);
}

void InstanceBase::close_quietly(void (*close)(FerryInstance)) {
  if (!handle_) return;
  try {
    call("close", [&] { close(handle_); });
  } catch (const PluginCallError& e) {
    log_error(e.what(), LogFields{});
  }
  handle_ = nullptr;
}

// --- source ---------------------------------------------------------------

SourceInstance::SourceInstance(const LoadedPlugin& plugin, std::unique_ptr<HostContext> host,
                               const OpenParams& p)
    : InstanceBase(plugin, std::move(host)), api_(plugin.source()) {
  FerryOpenArgs args = open_args(p, FERRY_KIND_SOURCE);
  check(call("open", [&] { return api_->open(&args, &handle_); }), "open");
}

SourceInstance::~SourceInstance() {
  if (handle_) close_quietly(api_->close);
}

std::vector<std::string> SourceInstance::partitions() {
  const FerryBytes* names = nullptr;
  size_t count = 0;
  check(call("partitions", [&] { return api_->partitions(handle_, &names, &count); }), "partitions");
  std::vector<std::string> out;
  for (size_t i = 0; i < count; ++i) out.push_back(to_string(names[i]));
  return out;
}

void SourceInstance::start(const std::string& partition, const std::optional<std::string>& position) {
  host_->set_partition(partition);
  FerryBytes pos = position ? as_bytes(*position) : FerryBytes{nullptr, 0};
  check(call("start", [&] { return api_->start(handle_, as_bytes(partition), position ? &pos : nullptr); }),
        "start");
}

std::optional<std::vector<PlannedPartition>> SourceInstance::describe() {
  if (!plugin_.source_has_descriptors()) return std::nullopt;
  const FerryBytes* names = nullptr;
  const FerryBytes* descriptors = nullptr;
  size_t count = 0;
  const FerryStatus st = call("describe", [&] { return api_->describe(handle_, &names, &descriptors, &count); });
  if (st == FERRY_NOT_IMPLEMENTED) return std::nullopt;
  check(st, "describe");
  std::vector<PlannedPartition> out;
  for (size_t i = 0; i < count; ++i) out.push_back({to_string(names[i]), to_string(descriptors[i])});
  return out;
}

void SourceInstance::start(const std::string& partition, const std::string& descriptor,
                           const std::optional<std::string>& position) {
  host_->set_partition(partition);
  FerryBytes pos = position ? as_bytes(*position) : FerryBytes{nullptr, 0};
  check(call("start_described",
             [&] {
               return api_->start_described(handle_, as_bytes(partition), as_bytes(descriptor),
                                            position ? &pos : nullptr);
             }),
        "start_described");
}

namespace {

// A struct the plugin fills starts empty, with its size: the plugin writes
// no further (ABI convention 6).
void prepare_for_plugin(FerryBatch* out) {
  *out = FerryBatch{};
  out->struct_size = sizeof *out;
}

}  // namespace

CallResult SourceInstance::next(FerryBatch* out) {
  prepare_for_plugin(out);
  const FerryStatus st = call("next", [&] { return api_->next(handle_, out); });
  check(st, "next", {FERRY_END_OF_STREAM, FERRY_RETRY});
  return result(st);
}

bool SourceInstance::takes_acknowledgements() const { return plugin_.source_takes_acknowledgements(); }

CallResult SourceInstance::acknowledged(const std::string& partition, const std::string& position) {
  if (!takes_acknowledgements()) return result(FERRY_OK);
  return result(
      call("acknowledged", [&] { return api_->acknowledged(handle_, as_bytes(partition), as_bytes(position)); }));
}

std::optional<std::pair<uint64_t, uint64_t>> SourceInstance::estimate(const std::string& partition) {
  if (!plugin_.source_has_estimate()) return std::nullopt;
  uint64_t records = UINT64_MAX, bytes = UINT64_MAX;
  if (call("estimate", [&] { return api_->estimate(handle_, as_bytes(partition), &records, &bytes); }) != FERRY_OK)
    return std::nullopt;
  return std::make_pair(records, bytes);
}

// --- transform ------------------------------------------------------------

TransformInstance::TransformInstance(const LoadedPlugin& plugin, std::unique_ptr<HostContext> host,
                                     const OpenParams& p)
    : InstanceBase(plugin, std::move(host)), api_(plugin.transform()) {
  FerryOpenArgs args = open_args(p, FERRY_KIND_TRANSFORM);
  check(call("open", [&] { return api_->open(&args, &handle_); }), "open");
}

TransformInstance::~TransformInstance() {
  if (handle_) close_quietly(api_->close);
}

void TransformInstance::apply(const FerryBatch* in, FerryBatch* out, FerryRecordOutcome* outcomes) {
  prepare_for_plugin(out);
  check(call("apply", [&] { return api_->apply(handle_, in, out, outcomes); }), "apply");
}

// --- sink -----------------------------------------------------------------

SinkInstance::SinkInstance(const LoadedPlugin& plugin, std::unique_ptr<HostContext> host,
                           const OpenParams& p)
    : InstanceBase(plugin, std::move(host)), api_(plugin.sink()) {
  FerryOpenArgs args = open_args(p, FERRY_KIND_SINK);
  check(call("open", [&] { return api_->open(&args, &handle_); }), "open");
}

SinkInstance::~SinkInstance() {
  if (handle_) close_quietly(api_->close);
}

bool SinkInstance::transactional() const {
  return plugin_.has_capability(FERRY_KIND_SINK, FERRY_CAP_TRANSACTIONAL);
}

CallResult SinkInstance::write(const FerryBatch* batch, FerryRecordOutcome* outcomes) {
  host_->set_partition(to_string(batch->partition));
  const FerryStatus st = call("write", [&] { return api_->write(handle_, batch, outcomes); });
  check(st, "write", {FERRY_RETRY, FERRY_INVALID_DATA});
  return result(st);
}

CallResult SinkInstance::commit(const FerryCheckpoint* checkpoint) {
  const FerryStatus st = call("commit", [&] { return api_->commit(handle_, checkpoint); });
  if (st == FERRY_PENDING && checkpoint && checkpoint->struct_size >= offsetof(FerryCheckpoint, flags) + sizeof checkpoint->flags &&
      (checkpoint->flags & FERRY_COMMIT_MAY_DEFER))
    return result(st);
  check(st, "commit", {FERRY_RETRY, FERRY_FENCED});
  return result(st);
}

CallResult SinkInstance::await_commit() {
  const FerryStatus st = call("await_commit", [&] { return api_->await_commit(handle_); });
  check(st, "await_commit", {FERRY_RETRY, FERRY_FENCED});
  return result(st);
}

bool SinkInstance::defers_commits() const { return plugin_.sink_defers_commits(); }

bool SinkInstance::named_by_batch() const { return plugin_.sink_named_by_batch(); }

bool SinkInstance::can_fence() const { return plugin_.sink_can_fence(); }

void SinkInstance::fence(const std::string& partition, uint64_t token) {
  check(call("fence", [&] { return api_->fence(handle_, as_bytes(partition), token); }), "fence");
}

void SinkInstance::abort() {
  check(call("abort", [&] { return api_->abort(handle_); }), "abort");
}

std::optional<std::string> SinkInstance::held_checkpoint(const std::string& partition) {
  if (!transactional()) return std::nullopt;
  FerryBytes pos{nullptr, 0};
  int32_t found = 0;
  check(call("checkpoint", [&] { return api_->checkpoint(handle_, as_bytes(partition), &pos, &found); }),
        "checkpoint");
  if (!found) return std::nullopt;
  return to_string(pos);
}

// --- hooks ----------------------------------------------------------------

CheckpointHookInstance::CheckpointHookInstance(const LoadedPlugin& plugin,
                                               std::unique_ptr<HostContext> host, const OpenParams& p)
    : InstanceBase(plugin, std::move(host)), api_(plugin.checkpoint_hook()) {
  FerryOpenArgs args = open_args(p, FERRY_KIND_CHECKPOINT_HOOK);
  check(call("open", [&] { return api_->open(&args, &handle_); }), "open");
}

CheckpointHookInstance::~CheckpointHookInstance() {
  if (handle_) close_quietly(api_->close);
}

CallResult CheckpointHookInstance::on_commit(const FerryCheckpointEvent& event) {
  return result(call("on_commit", [&] { return api_->on_commit(handle_, &event); }));
}

BacklogHookInstance::BacklogHookInstance(const LoadedPlugin& plugin,
                                         std::unique_ptr<HostContext> host, const OpenParams& p)
    : InstanceBase(plugin, std::move(host)), api_(plugin.backlog_hook()) {
  FerryOpenArgs args = open_args(p, FERRY_KIND_BACKLOG_HOOK);
  check(call("open", [&] { return api_->open(&args, &handle_); }), "open");
}

BacklogHookInstance::~BacklogHookInstance() {
  if (handle_) close_quietly(api_->close);
}

CallResult BacklogHookInstance::on_failure(const FerryBacklogEvent& event) {
  return result(call("on_failure", [&] { return api_->on_failure(handle_, &event); }));
}

// --- orchestrator ---------------------------------------------------------

OrchestratorInstance::OrchestratorInstance(const LoadedPlugin& plugin, std::unique_ptr<HostContext> host,
                                           const OpenParams& p)
    : InstanceBase(plugin, std::move(host)), api_(plugin.orchestrator()) {
  if (!api_) throw PluginCallError(FERRY_ERROR_CONFIG, "plugin '" + plugin.name() + "' is not an orchestrator");
  FerryOpenArgs args = open_args(p, FERRY_KIND_ORCHESTRATOR);
  check(call("open", [&] { return api_->open(&args, &handle_); }), "open");
}

OrchestratorInstance::~OrchestratorInstance() {
  if (handle_) close_quietly(api_->close);
}

std::pair<uint32_t, std::vector<uint32_t>> OrchestratorInstance::plan(
    const FerryMachineFacts& machine, const std::vector<FerryPartitionInfo>& partitions) {
  FerryPlan out{};
  out.struct_size = sizeof out;
  check(call("plan", [&] { return api_->plan(handle_, &machine, partitions.data(), partitions.size(), &out); }),
        "plan");
  std::vector<uint32_t> groups;
  if (out.groups) groups.assign(out.groups, out.groups + partitions.size());
  return {out.workers, std::move(groups)};
}

}  // namespace ferry::core
