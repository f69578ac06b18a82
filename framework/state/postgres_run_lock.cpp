#include "state/postgres_run_lock.h"

#include "state/postgres_leases.h"

#include <mutex>
#include <utility>

namespace ferry::core::pg_state {
namespace {

class SessionLock final : public PipelineLock {
 public:
  SessionLock(std::unique_ptr<Connection> c, std::string pipeline)
      : c_(std::move(c)), pipeline_(std::move(pipeline)), backend_(backend_pid(*c_)) {}

  // A session-level advisory lock is held for as long as its session lives,
  // so the question is whether the lock's session is still the one that
  // took it (a session made again holds nothing): its backend's pid, which
  // is cheaper to ask than pg_locks. Asked often, it also keeps the session
  // from looking idle to idle_session_timeout while batches flow.
  void check_held() override {
    std::lock_guard<std::mutex> hold(mu_);
    bool held = false;
    std::string why;
    try {
      held = backend_pid(*c_) == backend_;
    } catch (const std::exception& e) {
      why = std::string(" (") + e.what() + ")";
    }
    if (!held)
      throw Error("the run lock of pipeline '" + pipeline_ +
                  "' was lost with its session on the state database" + why +
                  ": stopping before the next commit, so that no other run writes alongside this one; "
                  "run it again to resume from the last checkpoint");
  }
  bool may_be_lost() const override { return true; }
  ~SessionLock() override {
    // Released at once, not when the server gets round to ending the
    // session (which it also does if this process dies).
    try {
      c_->exec("SELECT pg_advisory_unlock($1::int, hashtext($2))", Params().text(kRunLockClass).text(pipeline_));
    } catch (const std::exception&) {
    }
  }

 private:
  std::mutex mu_;  // workers of one run ask from their own threads
  std::unique_ptr<Connection> c_;
  std::string pipeline_;
  const int64_t backend_;  // the session that took the lock
};

}  // namespace

int64_t backend_pid(Connection& c) { return c.exec("SELECT pg_backend_pid()").integer(0, 0); }

std::unique_ptr<PipelineLock> lock_run(const std::string& dsn, const std::string& pipeline, const LockHolder& me) {
  auto session = std::make_unique<Connection>(dsn);
  auto got = session->exec("SELECT pg_try_advisory_lock($1::int, hashtext($2))",
                           Params().text(kRunLockClass).text(pipeline));
  if (got.text(0, 0) != "t") {
    std::optional<LockHolder> holder = run_lock_holder(*session, pipeline);
    throw PipelineBusyError(pipeline, holder.value_or(LockHolder{}));
  }
  session->exec(
      "INSERT INTO run_locks (pipeline, holder) VALUES ($1, $2) "
      "ON CONFLICT (pipeline) DO UPDATE SET holder = excluded.holder",
      Params().text(pipeline).text(holder_json(me)));
  return std::make_unique<SessionLock>(std::move(session), pipeline);
}

std::optional<LockHolder> run_lock_holder(Connection& c, const std::string& pipeline) {
  auto held = c.exec(
      "SELECT mode FROM pg_locks WHERE locktype = 'advisory' AND granted AND classid = $1::int::oid "
      "AND objid = hashtext($2)::oid AND objsubid = 2 "
      "AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
      Params().text(kRunLockClass).text(pipeline));
  if (held.count() == 0) return std::nullopt;
  if (held.text(0, 0) == "ShareLock") {
    // Workers share it: name the newest, and say how many there are.
    const std::vector<WorkerInfo> workers = list_workers(c, pipeline);
    if (workers.empty()) return LockHolder{};
    LockHolder h = workers.back().holder;
    h.command += " (worker " + std::to_string(workers.back().id) + ", " + std::to_string(workers.size()) +
                 " worker(s) sharing the pipeline)";
    return h;
  }
  auto r = c.exec("SELECT holder FROM run_locks WHERE pipeline = $1", Params().text(pipeline));
  if (r.count() == 0) return LockHolder{};
  return parse_holder_json(r.text(0, 0)).value_or(LockHolder{});
}

}  // namespace ferry::core::pg_state
