#include "pipeline/settings_parse.h"

#include <cctype>

#include "pipeline/json_pointer.h"
#include "pipeline/limits.h"

namespace ferry::core::pipeline_internal {
namespace {

// Upper bounds catch a misplaced digit before it costs memory or a day of
// waiting; they are far above any sensible setting.
using namespace limits;

const char* state_type_name(StateKind kind) {
  switch (kind) {
    case StateKind::Sqlite:
      return "sqlite";
    case StateKind::Memory:
      return "memory";
    case StateKind::Postgres:
      return "postgres";
  }
  return "sqlite";
}

std::optional<StateKind> state_kind(const std::string& s) {
  if (s == "sqlite") {
    return StateKind::Sqlite;
  }
  if (s == "memory") {
    return StateKind::Memory;
  }
  if (s == "postgres") {
    return StateKind::Postgres;
  }
  return std::nullopt;
}

std::filesystem::path beside(const std::filesystem::path& base_dir, const std::filesystem::path& p) {
  if (p.is_absolute()) {
    return p.lexically_normal();
  }
  return (base_dir / p).lexically_normal();
}

}  // namespace

StateDef parse_state(const boost::json::object* state, const std::string& pipeline_name,
                     const std::filesystem::path& base_dir, std::vector<std::string>& secrets,
                     Issues& issues) {
  StateDef out;
  out.path = beside(base_dir, pipeline_name + ".state.db");
  if (state == nullptr) {
    return out;
  }
  const std::string path = "/state";
  check_known_keys(*state, path, {"type", "path", "dsn", "group_commit_ms"}, issues);
  const std::string type = member_string(*state, "type", path, issues).value_or("sqlite");
  const std::optional<StateKind> kind = state_kind(type);
  if (!kind) {
    issues.push_back({path + "/type", "expected one of 'sqlite', 'memory', 'postgres', got '" + type + "'"});
    return out;
  }
  out.kind = *kind;

  // Keys of another store type are mistakes, not harmless extras: a "dsn"
  // under "sqlite" means the user believes the state lives elsewhere.
  const auto only_for = [&](const char* key, StateKind owner) {
    if (state->contains(key) && out.kind != owner) {
      issues.push_back({pointer_append(path, key), std::string("'") + key + "' applies only to state type '" +
                                                       state_type_name(owner) + "'"});
    }
  };
  only_for("path", StateKind::Sqlite);
  only_for("dsn", StateKind::Postgres);
  if (auto ms = member_uint(*state, "group_commit_ms", path, 0, kMaxGroupCommitMs, issues))
    out.group_commit_ms = static_cast<uint32_t>(*ms);

  if (out.kind == StateKind::Sqlite) {
    if (auto p = member_string(*state, "path", path, issues)) {
      if (p->empty()) {
        issues.push_back({path + "/path", "must not be empty"});
      } else {
        out.path = beside(base_dir, *p);
      }
    }
    return out;
  }
  out.path.clear();
  if (out.kind == StateKind::Postgres) {
    if (!state->contains("dsn")) {
      issues.push_back({path + "/dsn", "missing required key 'dsn' for state type 'postgres'"});
    } else if (auto dsn = member_string(*state, "dsn", path, issues)) {
      if (dsn->empty()) {
        issues.push_back({path + "/dsn", "must not be empty"});
      } else {
        out.dsn = *dsn;
        secrets.push_back(*dsn);
      }
    }
  }
  return out;
}

void parse_batch(const boost::json::object& batch, PipelineDef& def, Issues& issues) {
  const std::string path = "/batch";
  check_known_keys(batch, path, {"max_records", "max_bytes", "queue_depth"}, issues);
  if (auto v = member_uint(batch, "max_records", path, 1, kMaxBatchRecords, issues)) {
    def.max_batch_records = *v;
  }
  if (auto v = member_uint(batch, "max_bytes", path, 1, kMaxBatchBytes, issues)) {
    def.max_batch_bytes = *v;
  }
  if (auto v = member_uint(batch, "queue_depth", path, 1, kMaxQueueDepth, issues)) {
    def.queue_depth = static_cast<uint32_t>(*v);
  }
}

RetryPolicy parse_retry(const boost::json::object& retry, const std::string& path, RetryPolicy base,
                        Issues& issues) {
  check_known_keys(retry, path,
                   {"max_attempts", "initial_delay_ms", "max_delay_ms", "multiplier", "max_elapsed_ms",
                    "on_exhausted"},
                   issues);
  RetryPolicy out = base;
  if (auto v = member_uint(retry, "max_attempts", path, 1, kMaxAttempts, issues)) {
    out.max_attempts = static_cast<uint32_t>(*v);
  }
  if (auto v = member_uint(retry, "initial_delay_ms", path, 0, kMaxInitialDelayMs, issues)) {
    out.initial_delay_ms = *v;
  }
  if (auto v = member_uint(retry, "max_delay_ms", path, 0, kMaxDelayMs, issues)) {
    out.max_delay_ms = *v;
  }
  if (auto v = member_number(retry, "multiplier", path, 1.0, kMaxMultiplier, issues)) {
    out.multiplier = *v;
  }
  if (auto v = member_uint(retry, "max_elapsed_ms", path, 1, kMaxElapsedMs, issues)) {
    out.max_elapsed_ms = *v;
  }
  if (auto v = member_string(retry, "on_exhausted", path, issues)) {
    if (*v == "dead_letter") {
      out.on_exhausted = OnExhausted::DeadLetter;
    } else if (*v == "fail") {
      out.on_exhausted = OnExhausted::Fail;
    } else {
      issues.push_back({path + "/on_exhausted", "expected 'dead_letter' or 'fail', got '" + *v + "'"});
    }
  }
  // Checked on the merged policy: a sink that raises only initial_delay_ms
  // may collide with the pipeline's max_delay_ms. Reported where it was set.
  const bool sets_delay = retry.contains("initial_delay_ms") || retry.contains("max_delay_ms");
  if (sets_delay && out.max_delay_ms < out.initial_delay_ms) {
    const char* key = retry.contains("max_delay_ms") ? "max_delay_ms" : "initial_delay_ms";
    issues.push_back({pointer_append(path, key), "max_delay_ms (" + std::to_string(out.max_delay_ms) +
                                                     ") is less than initial_delay_ms (" +
                                                     std::to_string(out.initial_delay_ms) + ")"});
  }
  return out;
}

std::optional<CommitPolicy> parse_commit_policy(const std::string& text, std::string& error) {
  if (text == "all") {
    return CommitPolicy{CommitPolicyKind::All, 0};
  }
  if (text == "required") {
    return CommitPolicy{CommitPolicyKind::Required, 0};
  }
  const std::string prefix = "quorum(";
  const bool shaped = text.size() > prefix.size() + 1 && text.compare(0, prefix.size(), prefix) == 0 &&
                      text.back() == ')';
  const std::string digits = shaped ? text.substr(prefix.size(), text.size() - prefix.size() - 1) : "";
  bool numeric = !digits.empty() && digits.size() <= 9;
  for (char c : digits) {
    numeric = numeric && std::isdigit(static_cast<unsigned char>(c)) != 0;
  }
  if (!numeric) {
    error = "expected 'all', 'required' or 'quorum(N)', got '" + text + "'";
    return std::nullopt;
  }
  return CommitPolicy{CommitPolicyKind::Quorum, static_cast<uint32_t>(std::stoul(digits))};
}

}  // namespace ferry::core::pipeline_internal
