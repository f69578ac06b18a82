#include "state/postgres_leases.h"

#include <algorithm>
#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>
#include <utility>

#include "common/log.h"
#include "state/pipeline_lock.h"
#include "state/postgres_run_lock.h"
#include "state/state_clock.h"

namespace ferry::core::pg_state {
namespace {

// Where workers say that a partition was finished or given back, so that
// one waiting for the round's end or for a partition hears it at once (the
// payload names the pipeline; a worker woken for another only looks again).
constexpr const char* kChannel = "ferry_leases";

// First half of a worker's liveness lock key; the second is its id.
#define FERRY_WORKER_LOCK_CLASS "1718773090"

// Whether worker `id_sql` (an SQL expression) still has its session: its
// liveness lock is granted in this database.
std::string alive(const std::string& id_sql) {
  return "EXISTS (SELECT 1 FROM pg_locks l WHERE l.locktype = 'advisory' AND l.granted "
         "AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database()) "
         "AND l.classid = " FERRY_WORKER_LOCK_CLASS "::oid AND l.objid = (" +
         id_sql + ")::int::oid AND l.objsubid = 2)";
}

class PgWorkerLeases final : public WorkerLeases {
 public:
  PgWorkerLeases(const std::string& dsn, std::string pipeline, const LockHolder& me, std::chrono::milliseconds ttl)
      : c_(dsn), pipeline_(std::move(pipeline)), ttl_(ttl) {
    const Rows shared = c_.exec("SELECT pg_try_advisory_lock_shared($1::int, hashtext($2))",
                                Params().text(kRunLockClass).text(pipeline_));
    if (shared.text(0, 0) != "t") throw PipelineBusyError(pipeline_, run_lock_holder(c_, pipeline_).value_or(LockHolder{}));
    // Rows of workers long gone say nothing any more.
    c_.exec("DELETE FROM workers WHERE pipeline = $1 AND heartbeat_at < clock_timestamp() - interval '1 day' AND NOT " +
                alive("workers.id"),
            Params().text(pipeline_));
    id_ = c_.exec("INSERT INTO workers (pipeline, holder, joined_at_ms) VALUES ($1, $2, $3) RETURNING id",
                  Params().text(pipeline_).text(holder_json(me)).integer(state_now_ms()))
              .integer(0, 0);
    c_.exec("SELECT pg_advisory_lock(" FERRY_WORKER_LOCK_CLASS "::int, $1::int)", Params().integer(id_));
    backend_ = backend_pid(c_);
    c_.session().listen(kChannel);
    heartbeat_ = std::thread([this] { beat(); });
  }

  ~PgWorkerLeases() override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stopping_ = true;
    }
    wake_.notify_all();
    heartbeat_.join();
    std::lock_guard<std::mutex> lock(mu_);
    try {
      // Unfinished partitions are free at once; the session's end releases
      // both advisory locks.
      c_.exec("UPDATE partition_leases SET owner = NULL, expires_at = NULL WHERE owner = $1 AND NOT done",
              Params().integer(id_));
      c_.exec("UPDATE workers SET left_at_ms = $1 WHERE id = $2", Params().integer(state_now_ms()).integer(id_));
      notify();
    } catch (const std::exception& e) {
      log_warn(std::string("worker ") + std::to_string(id_) + " could not record that it left: " + e.what());
    }
  }

  int64_t worker_id() const override { return id_; }

  // Both of the worker's locks live as long as the session that took them:
  // the question is whether the lease connection's session is still that
  // one (a session made again holds neither).
  void check_held() override {
    std::lock_guard<std::mutex> lock(mu_);
    bool held = false;
    std::string why;
    try {
      held = backend_pid(c_) == backend_;
    } catch (const std::exception& e) {
      why = std::string(" (") + e.what() + ")";
    }
    if (!held)
      throw Error("worker " + std::to_string(id_) + " of pipeline '" + pipeline_ +
                  "' lost its session on the state database, and with it its share of the run lock" + why +
                  ": stopping before the next commit, so that no other run writes alongside this one; "
                  "run it again to resume from the last checkpoint");
  }

  std::vector<std::string> join_round(const std::function<std::vector<std::string>()>& plan) override {
    std::lock_guard<std::mutex> lock(mu_);
    live();
    Transaction tx(c_);
    c_.exec("INSERT INTO work_rounds (pipeline, scope, round) VALUES ($1, '', 0) ON CONFLICT DO NOTHING",
            Params().text(pipeline_));
    // Held until the commit: a second worker starting now waits here, then
    // joins the round this one starts.
    const int64_t current =
        c_.exec("SELECT round FROM work_rounds WHERE pipeline = $1 AND scope = '' FOR UPDATE", Params().text(pipeline_))
            .integer(0, 0);
    const int64_t open = c_.exec("SELECT count(*) FROM partition_leases WHERE pipeline = $1 AND scope = '' "
                                 "AND round = $2 AND NOT done",
                                 Params().text(pipeline_).integer(current))
                             .integer(0, 0);
    std::vector<std::string> names;
    if (open > 0) {
      const Rows r = c_.exec("SELECT partition FROM partition_leases WHERE pipeline = $1 AND scope = '' "
                             "AND round = $2 ORDER BY seq",
                             Params().text(pipeline_).integer(current));
      for (int i = 0; i < r.count(); ++i) names.push_back(r.text(i, 0));
      tx.commit();
      round_ = current;
      started_ = false;
      return names;
    }
    names = plan();
    const int64_t next = current + 1;
    c_.exec("UPDATE work_rounds SET round = $2 WHERE pipeline = $1 AND scope = ''",
            Params().text(pipeline_).integer(next));
    for (size_t i = 0; i < names.size(); ++i)
      c_.exec("INSERT INTO partition_leases (pipeline, scope, partition, seq, round) VALUES ($1, '', $2, $3, $4) "
              "ON CONFLICT (pipeline, scope, partition) DO UPDATE SET seq = excluded.seq, round = excluded.round, "
              "done = FALSE, owner = NULL, expires_at = NULL, takeovers = 0",
              Params().text(pipeline_).text(names[i]).integer(static_cast<int64_t>(i)).integer(next));
    tx.commit();
    round_ = next;
    started_ = true;
    return names;
  }

  bool started_round() const override { return started_; }

  std::optional<Lease> claim() override {
    std::lock_guard<std::mutex> lock(mu_);
    live();
    const Rows r = c_.exec(
        "WITH pick AS (SELECT partition, owner FROM partition_leases WHERE pipeline = $1 AND scope = '' "
        "AND round = $2 AND NOT done AND (owner IS NULL OR expires_at < clock_timestamp() OR NOT " +
            alive("owner") +
            ") ORDER BY seq LIMIT 1 FOR UPDATE SKIP LOCKED) "
            "UPDATE partition_leases p SET owner = $3, token = nextval('fence_tokens'), "
            "expires_at = clock_timestamp() + $4 * interval '1 millisecond', ttl_ms = $4, "
            "takeovers = p.takeovers + CASE WHEN pick.owner IS NULL THEN 0 ELSE 1 END "
            "FROM pick WHERE p.pipeline = $1 AND p.scope = '' AND p.partition = pick.partition "
            "RETURNING p.partition, p.token, pick.owner",
        Params().text(pipeline_).integer(round_).integer(id_).integer(ttl_.count()));
    if (r.count() == 0) return std::nullopt;
    Lease lease;
    lease.partition = r.text(0, 0);
    lease.token = r.integer(0, 1);
    if (!r.text(0, 2).empty()) lease.from = r.integer(0, 2);
    held_[lease.partition] = lease.token;
    return lease;
  }

  bool holds(const Lease& lease) override {
    std::lock_guard<std::mutex> lock(mu_);
    live();
    return c_.exec("SELECT 1 FROM partition_leases WHERE pipeline = $1 AND scope = '' AND partition = $2 "
                   "AND token = $3 AND owner = $4",
                   Params().text(pipeline_).text(lease.partition).integer(lease.token).integer(id_))
               .count() > 0;
  }

  bool finish(const Lease& lease) override {
    std::lock_guard<std::mutex> lock(mu_);
    forget(lease);
    live();
    const bool mine = c_.exec("UPDATE partition_leases SET done = TRUE, owner = NULL, expires_at = NULL "
                              "WHERE pipeline = $1 AND scope = '' AND partition = $2 AND token = $3",
                              Params().text(pipeline_).text(lease.partition).integer(lease.token))
                          .affected() > 0;
    notify();
    return mine;
  }

  void release(const Lease& lease) noexcept override {
    std::lock_guard<std::mutex> lock(mu_);
    forget(lease);
    try {
      live();
      c_.exec("UPDATE partition_leases SET owner = NULL, expires_at = NULL "
              "WHERE pipeline = $1 AND scope = '' AND partition = $2 AND token = $3",
              Params().text(pipeline_).text(lease.partition).integer(lease.token));
      notify();
    } catch (const std::exception& e) {
      // It expires, or goes with this session.
      log_warn("could not give back the lease of partition '" + lease.partition + "': " + e.what());
    }
  }

  bool lost(const Lease& lease) const override {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = lost_.find(lease.partition);
    return it != lost_.end() && it->second == lease.token;
  }

  Round round_state() override {
    std::lock_guard<std::mutex> lock(mu_);
    live();
    const Rows r = c_.exec(
        // Besides what this worker holds: partitions free to take, or held
        // by others, alive (wait for them to finish or expire) or not.
        "SELECT count(*) FILTER (WHERE NOT done), "
        "count(*) FILTER (WHERE NOT done AND (owner IS NULL OR owner <> $3 OR expires_at < clock_timestamp())) "
        "FROM partition_leases WHERE pipeline = $1 AND scope = '' AND round = $2",
        Params().text(pipeline_).integer(round_).integer(id_));
    if (r.integer(0, 0) == 0) return Round::kDone;
    return r.integer(0, 1) > 0 ? Round::kOthers : Round::kOwn;
  }

  void wait_for_change(std::chrono::milliseconds ms) override {
    std::lock_guard<std::mutex> lock(mu_);
    live();
    c_.session().wait_notification(ms.count());
  }

  int64_t fail_dead_runs(const std::string& message) override {
    std::lock_guard<std::mutex> lock(mu_);
    live();
    return c_
        .exec("UPDATE runs SET status = 'failed', ended_at_ms = $1, message = $2 WHERE pipeline = $3 "
              "AND status = 'running' AND id NOT IN (SELECT run_id FROM workers w WHERE w.pipeline = $3 "
              "AND w.left_at_ms IS NULL AND " +
                  alive("w.id") + ")",
              Params().integer(state_now_ms()).text(message).text(pipeline_))
        .affected();
  }

  void set_run(const std::string& run_id) override {
    std::lock_guard<std::mutex> lock(mu_);
    live();
    c_.exec("UPDATE workers SET run_id = $1 WHERE id = $2", Params().text(run_id).integer(id_));
  }

 private:
  // Renews every lease this worker holds a third of the TTL apart; a lease
  // not renewed was taken by another worker (this one was too slow).
  void beat() {
    const auto every = std::max<std::chrono::milliseconds>(std::chrono::milliseconds(50), ttl_ / 3);
    std::unique_lock<std::mutex> lock(mu_);
    while (!wake_.wait_for(lock, every, [&] { return stopping_; })) {
      try {
        live();
        c_.exec("UPDATE workers SET heartbeat_at = clock_timestamp() WHERE id = $1", Params().integer(id_));
        const Rows r = c_.exec(
            "UPDATE partition_leases SET expires_at = clock_timestamp() + ttl_ms * interval '1 millisecond' "
            "WHERE pipeline = $1 AND owner = $2 AND NOT done RETURNING partition, token",
            Params().text(pipeline_).integer(id_));
        std::map<std::string, int64_t> renewed;
        for (int i = 0; i < r.count(); ++i) renewed[r.text(i, 0)] = r.integer(i, 1);
        for (const auto& [partition, token] : held_) {
          auto it = renewed.find(partition);
          if (it == renewed.end() || it->second != token) lost_[partition] = token;
        }
      } catch (const std::exception& e) {
        if (c_.session().connected()) {
          // A statement failed (a timeout, a deadlock): the next beat tries
          // again, well within the lease.
          log_warn("worker " + std::to_string(id_) + ": heartbeat failed, trying again: " + e.what());
          continue;
        }
        broken_ = std::string("worker ") + std::to_string(id_) + " lost its session with the state store: " + e.what();
        log_warn(broken_);
        for (const auto& [partition, token] : held_) lost_[partition] = token;
        return;
      }
    }
  }

  // The session holds this worker's locks: it is never re-established
  // behind its back (a new session would hold neither, and other workers
  // would take this one for dead while it still writes).
  void live() {
    if (broken_.empty() && !c_.session().connected())
      broken_ = "worker " + std::to_string(id_) + " lost its session with the state store";
    if (!broken_.empty()) throw Error(broken_ + "; its partitions are free for the other workers");
  }

  // Under mu_.
  void notify() { c_.exec("SELECT pg_notify($1, $2)", Params().text(kChannel).text(pipeline_)); }

  // Under mu_. Only the grant this lease was: the same worker may hold the
  // partition again with a newer token.
  void forget(const Lease& lease) {
    auto it = held_.find(lease.partition);
    if (it != held_.end() && it->second == lease.token) held_.erase(it);
  }

  Connection c_;
  const std::string pipeline_;
  const std::chrono::milliseconds ttl_;
  int64_t id_ = 0;
  int64_t backend_ = 0;  // the session that holds the worker's locks
  int64_t round_ = 0;
  bool started_ = false;
  mutable std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::string broken_;
  std::map<std::string, int64_t> held_;  // partition -> token
  std::map<std::string, int64_t> lost_;
  std::thread heartbeat_;
};

}  // namespace

std::unique_ptr<WorkerLeases> join_workers(const std::string& dsn, const std::string& pipeline, const LockHolder& me,
                                           std::chrono::milliseconds ttl) {
  return std::make_unique<PgWorkerLeases>(dsn, pipeline, me, ttl);
}

std::vector<WorkerInfo> list_workers(Connection& c, const std::string& pipeline) {
  const Rows r = c.exec("SELECT id, holder, run_id, (extract(epoch FROM clock_timestamp() - heartbeat_at) * 1000)::bigint "
                        "FROM workers WHERE pipeline = $1 AND left_at_ms IS NULL AND " +
                            alive("workers.id") + " ORDER BY id",
                        Params().text(pipeline));
  std::vector<WorkerInfo> out;
  for (int i = 0; i < r.count(); ++i) {
    WorkerInfo w;
    w.id = r.integer(i, 0);
    w.holder = parse_holder_json(r.text(i, 1)).value_or(LockHolder{});
    w.run_id = r.text(i, 2);
    w.alive = true;
    w.heartbeat_age_ms = r.integer(i, 3);
    out.push_back(std::move(w));
  }
  return out;
}

std::vector<LeaseInfo> list_leases(Connection& c, const std::string& pipeline) {
  const Rows r = c.exec(
      "SELECT l.partition, l.round, l.done, l.owner, l.token, "
      "(extract(epoch FROM l.expires_at - clock_timestamp()) * 1000)::bigint, l.takeovers "
      "FROM partition_leases l JOIN work_rounds w ON w.pipeline = l.pipeline AND w.scope = l.scope "
      "AND w.round = l.round WHERE l.pipeline = $1 AND l.scope = '' ORDER BY l.seq",
      Params().text(pipeline));
  std::vector<LeaseInfo> out;
  for (int i = 0; i < r.count(); ++i) {
    LeaseInfo l;
    l.partition = r.text(i, 0);
    l.round = r.integer(i, 1);
    l.done = r.text(i, 2) == "t";
    if (!r.text(i, 3).empty()) l.owner = r.integer(i, 3);
    l.token = r.integer(i, 4);
    l.expires_in_ms = r.integer(i, 5);
    l.takeovers = r.integer(i, 6);
    out.push_back(std::move(l));
  }
  return out;
}

void forget_rounds(Connection& c, const std::string& pipeline) {
  c.exec("DELETE FROM partition_leases WHERE pipeline = $1", Params().text(pipeline));
  c.exec("DELETE FROM work_rounds WHERE pipeline = $1", Params().text(pipeline));
}

}  // namespace ferry::core::pg_state
