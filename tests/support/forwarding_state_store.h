// A state store that hands every call to another one: derive from it and
// override the calls a test wants to fail or watch.
#pragma once

#include <memory>

#include "state/state_store.h"

namespace ferry::test {

class ForwardingStateStore : public core::StateStore {
 public:
  explicit ForwardingStateStore(std::unique_ptr<core::StateStore> inner) : inner_(std::move(inner)) {}
  core::StateStore& inner() { return *inner_; }

  std::optional<core::Checkpoint> load_checkpoint(const std::string& p, const std::string& q) override {
    return inner_->load_checkpoint(p, q);
  }
  std::vector<core::Checkpoint> list_checkpoints(const std::string& p) override { return inner_->list_checkpoints(p); }
  void save_checkpoint(const core::Checkpoint& c, int64_t r, const std::vector<std::string>& s) override {
    inner_->save_checkpoint(c, r, s);
  }
  int64_t reset_checkpoints(const std::string& p, const std::optional<std::string>& q) override {
    return inner_->reset_checkpoints(p, q);
  }
  bool was_reset(const std::string& p, const std::string& q) override { return inner_->was_reset(p, q); }
  std::vector<core::SinkAck> list_sink_acks(const std::string& p) override { return inner_->list_sink_acks(p); }
  std::vector<core::PlannedPartition> load_partition_plan(const std::string& p, const std::string& s) override {
    return inner_->load_partition_plan(p, s);
  }
  void save_partition_plan(const std::string& p, const std::string& s,
                           const std::vector<core::PlannedPartition>& plan) override {
    inner_->save_partition_plan(p, s, plan);
  }
  using core::StateStore::save_intent;
  void save_intent(const std::string& p, const std::string& q, const std::string& b,
                   const std::optional<core::Fence>& f) override {
    inner_->save_intent(p, q, b, f);
  }
  std::optional<std::string> load_intent(const std::string& p, const std::string& q) override {
    return inner_->load_intent(p, q);
  }
  void save_cuts(const std::string& p, const std::string& q, const std::string& b,
                 const std::optional<core::Fence>& f) override {
    inner_->save_cuts(p, q, b, f);
  }
  std::optional<std::string> load_cuts(const std::string& p, const std::string& q) override {
    return inner_->load_cuts(p, q);
  }
  void finish_commit(const core::CommitRecord& r) override { inner_->finish_commit(r); }
  void save_waiting_commits() override { inner_->save_waiting_commits(); }
  bool commits_waiting(const std::string& p, const std::string& q) override { return inner_->commits_waiting(p, q); }
  void sync() override { inner_->sync(); }
  std::vector<int64_t> add_dlq(const std::vector<core::DlqEntry>& e) override { return inner_->add_dlq(e); }
  std::vector<core::DlqEntry> list_dlq(const core::DlqFilter& f) override { return inner_->list_dlq(f); }
  std::optional<core::DlqEntry> get_dlq(const std::string& p, int64_t id) override { return inner_->get_dlq(p, id); }
  int64_t last_dlq_id(const std::string& p) override { return inner_->last_dlq_id(p); }
  void update_dlq(const std::string& p, int64_t id, core::DlqStatus s, const std::optional<std::string>& m,
                  const std::optional<int64_t>& a) override {
    inner_->update_dlq(p, id, s, m, a);
  }
  std::vector<std::pair<core::DlqStatus, int64_t>> count_dlq(const std::string& p) override {
    return inner_->count_dlq(p);
  }
  void begin_run(const core::Run& r) override { inner_->begin_run(r); }
  void end_run(const std::string& id, core::RunStatus s, const core::RunCounts& c, const std::string& m) override {
    inner_->end_run(id, s, c, m);
  }
  std::vector<core::Run> list_runs(const std::string& p, int64_t l) override { return inner_->list_runs(p, l); }
  int64_t fail_unfinished_runs(const std::string& p, const std::string& m) override {
    return inner_->fail_unfinished_runs(p, m);
  }
  std::unique_ptr<core::PipelineLock> lock_pipeline(const std::string& p, const core::LockHolder& me) override {
    return inner_->lock_pipeline(p, me);
  }
  std::optional<core::LockHolder> lock_holder(const std::string& p) override { return inner_->lock_holder(p); }
  std::unique_ptr<core::WorkerLeases> join_workers(const std::string& p, const core::LockHolder& me,
                                                   std::chrono::milliseconds ttl) override {
    return inner_->join_workers(p, me, ttl);
  }
  std::vector<core::WorkerInfo> list_workers(const std::string& p) override { return inner_->list_workers(p); }
  std::vector<core::LeaseInfo> list_leases(const std::string& p) override { return inner_->list_leases(p); }
  bool record_schema_version(const core::SchemaVersion& v) override { return inner_->record_schema_version(v); }
  std::vector<core::SchemaVersion> list_schema_versions(const std::string& p) override {
    return inner_->list_schema_versions(p);
  }
  void save_window(const core::BackfillWindow& w) override { inner_->save_window(w); }
  std::vector<core::BackfillWindow> list_windows(const std::string& p) override { return inner_->list_windows(p); }

 private:
  std::unique_ptr<core::StateStore> inner_;
};

}  // namespace ferry::test
