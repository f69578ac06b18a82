#include "connection.h"

#include "pg/libpq_open.h"
#include "sql/pg_errors.h"
#include "redact.h"

namespace ferry_pg {

using ferry::support::pg::one_line;

Connection::Connection(const std::string& dsn, std::string who, const ferry::Host* host) : who_(std::move(who)) {
  if (host != nullptr) host_ = *host;
  try {
    conn_ = ferry::support::pg::open_libpq(dsn, who_, target_, {{"connect_timeout", "10"}, {"application_name", "ferry"}});
  } catch (const ferry::Error& e) {
    throw PgError(e.status(), e.what(), "", e.status() == FERRY_RETRY);
  }
  // libpq prints NOTICEs ("table ... does not exist, skipping") on stderr,
  // outside the host's log format; they are debug detail, not news.
  PQsetNoticeProcessor(
      conn_,
      [](void* self, const char* text) {
        const auto* c = static_cast<const Connection*>(self);
        if (c->host_) c->host_->log(FERRY_LOG_DEBUG, c->who_ + ": server notice: " + c->redact(one_line(text)));
      },
      this);
  // Text results must parse the same way on every server: UTC timestamps,
  // ISO dates, floats that round-trip, hex bytea.
  exec("SET TimeZone = 'UTC'; SET DateStyle = 'ISO, YMD'; SET IntervalStyle = 'postgres'; "
       "SET extra_float_digits = 3; SET bytea_output = 'hex'; SET client_encoding = 'UTF8'",
       "setting up the session");
}

Connection::~Connection() {
  if (conn_) PQfinish(conn_);
}

std::string Connection::redact(std::string_view text) const { return target_.redact(text); }

std::string Connection::message(std::string_view what, std::string_view detail) const {
  // Where, once: the sink's own descriptions name the endpoint already.
  std::string msg = who_ + ": " + std::string(what);
  if (what.find(target_.endpoint) == std::string_view::npos) msg += " (" + target_.endpoint + ")";
  msg += ": " + std::string(detail);
  return redact(msg);
}

void Connection::fail(const PGresult* r, std::string_view what, bool held) {
  const char* state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : nullptr;
  std::string detail = r ? PQresultErrorMessage(r) : "";
  if (detail.empty()) detail = PQerrorMessage(conn_);
  detail = one_line(detail);
  const bool lost = broken();
  const std::string sqlstate = state ? state : "";
  if (!sqlstate.empty()) detail += " [SQLSTATE " + sqlstate + "]";
  if (lost) detail += " (connection lost)";
  throw PgError(ferry::support::status_of_sqlstate(sqlstate, lost), message(what, detail), sqlstate, lost, held);
}

Result Connection::check(Result r, std::string_view what) {
  const ExecStatusType st = r ? PQresultStatus(r.get()) : PGRES_FATAL_ERROR;
  if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK || st == PGRES_COPY_IN) return r;
  fail(r.get(), what);
}

Result Connection::exec(const std::string& sql, std::string_view what) {
  if (!held_.empty()) return exec_with_held(sql, what);
  return check(Result(PQexec(conn_, sql.c_str())), what);
}

Result Connection::exec(const std::string& sql, const Params& p, std::string_view what,
                        int result_format) {
  if (!held_.empty() || p.prepared) return pipeline_with_held(&sql, &p, what, result_format);
  return check(Result(PQexecParams(conn_, sql.c_str(), static_cast<int>(p.values.size()), nullptr,
                                   p.values.data(), p.lengths.data(), p.formats.data(),
                                   result_format)),
               what);
}

void Connection::hold(std::string sql, std::string what) { held_.push_back(Held{std::move(sql), std::move(what), {}, {}}); }

void Connection::hold(std::string sql, const Params& p, std::string what) {
  Held h{std::move(sql), std::move(what), {}, p.formats, p.prepared};
  for (size_t i = 0; i < p.values.size(); ++i)
    h.values.emplace_back(p.values[i], static_cast<size_t>(p.lengths[i]));
  held_.push_back(std::move(h));
}

void Connection::note_lost_statements(const PGresult* r) {
  const char* state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
  if (state == nullptr || std::string_view(state) != "26000") return;
  // A prepared statement the session does not have: a pooler that hands
  // out other sessions. Preparing again would meet the same on the next
  // switch, so statements go unnamed from now on.
  prepared_.clear();
  keep_prepared_ = false;
}

std::string Connection::prepared_name(const std::string& sql) const {
  auto it = prepared_.find(sql);
  return it == prepared_.end() ? std::string() : it->second;
}

Result Connection::exec_with_held(const std::string& sql, std::string_view what) {
  // A held statement with parameters needs the extended protocol, which
  // takes one statement at a time, and `sql` may be several.
  for (const Held& h : held_)
    if (!h.values.empty() || h.prepared) {
      pipeline_with_held(nullptr, nullptr, what, 0);
      return exec(sql, what);
    }
  std::vector<Held> held = std::move(held_);
  held_.clear();
  std::string text;
  for (const Held& h : held) text += h.sql + ";\n";
  text += sql;
  if (PQsendQuery(conn_, text.c_str()) != 1) fail(nullptr, what, true);
  // One result per statement, in order; the server stops at the first
  // failure. COPY FROM STDIN at the end leaves its COPY_IN result for last.
  Result answer, failure;
  size_t index = 0, failed_at = 0;
  while (PGresult* r = PQgetResult(conn_)) {
    Result next(r);
    const ExecStatusType st = PQresultStatus(r);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK && st != PGRES_COPY_IN && !failure) {
      failure = std::move(next);
      failed_at = index;
    } else if (!failure) {
      answer = std::move(next);
    }
    ++index;
    if (st == PGRES_COPY_IN || broken()) break;
  }
  // A lost connection is this call's loss, whichever statement saw it.
  if (failure && failed_at < held.size() && !broken()) fail(failure.get(), held[failed_at].what, true);
  if (failure) fail(failure.get(), what);
  return check(std::move(answer), what);
}

Result Connection::pipeline_with_held(const std::string* sql, const Params* p, std::string_view what,
                                      int result_format) {
  std::vector<Held> held = std::move(held_);
  held_.clear();
  // Each statement is one query of the pipeline, after its PREPARE when it
  // is to be kept prepared and is not yet.
  struct Step {
    size_t statement;  // index into `held`; held.size() is `sql`
    std::string prepare;  // the name it is being prepared under; empty: it runs
  };
  std::vector<Step> steps;
  const auto what_of = [&](size_t i) { return i < held.size() ? std::string_view(held[i].what) : what; };
  const auto sql_of = [&](size_t i) -> const std::string& { return i < held.size() ? held[i].sql : *sql; };
  bool sent = PQenterPipelineMode(conn_) == 1;
  const size_t statements = held.size() + (sql ? 1 : 0);
  for (size_t i = 0; i < statements && sent; ++i) {
    std::vector<const char*> values;
    std::vector<int> lengths;
    const int* formats = nullptr;
    bool prepared = false;
    if (i < held.size()) {
      for (const std::string& v : held[i].values) {
        values.push_back(v.data());
        lengths.push_back(static_cast<int>(v.size()));
      }
      formats = held[i].formats.data();
      prepared = held[i].prepared;
    } else {
      values = p->values;
      lengths = p->lengths;
      formats = p->formats.data();
      prepared = p->prepared;
    }
    prepared = prepared && keep_prepared_;
    const int n = static_cast<int>(values.size());
    const int format = i < held.size() ? 0 : result_format;
    if (!prepared) {
      sent = PQsendQueryParams(conn_, sql_of(i).c_str(), n, nullptr, values.data(), lengths.data(), formats, format) == 1;
      steps.push_back({i, {}});
      continue;
    }
    std::string name = prepared_name(sql_of(i));
    if (name.empty()) {
      name = "ferry_" + std::to_string(next_statement_++);
      sent = PQsendPrepare(conn_, name.c_str(), sql_of(i).c_str(), n, nullptr) == 1;
      steps.push_back({i, name});
    }
    sent = sent && PQsendQueryPrepared(conn_, name.c_str(), n, values.data(), lengths.data(), formats, format) == 1;
    steps.push_back({i, {}});
  }
  sent = sent && PQpipelineSync(conn_) == 1;
  // Each step's results end with a NULL; after a failure the steps left
  // answer PIPELINE_ABORTED; the sync ends the pipeline.
  Result answer, failure;
  size_t step = 0, failed_at = 0;
  bool synced = false;
  while (sent && !synced && step <= steps.size()) {
    PGresult* r = PQgetResult(conn_);
    if (r == nullptr) {
      ++step;
      if (broken()) break;
      continue;
    }
    Result next(r);
    const ExecStatusType st = PQresultStatus(r);
    if (st == PGRES_PIPELINE_SYNC) {
      synced = true;
    } else if (st == PGRES_PIPELINE_ABORTED || step >= steps.size()) {
      continue;
    } else if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
      if (!failure) {
        failure = std::move(next);
        failed_at = steps[step].statement;
      }
    } else if (!steps[step].prepare.empty()) {
      prepared_[sql_of(steps[step].statement)] = steps[step].prepare;
    } else if (sql && steps[step].statement == held.size()) {
      answer = std::move(next);
    }
  }
  const bool idle = synced && PQexitPipelineMode(conn_) == 1;
  // A connection left inside a pipeline serves nothing more: as good as lost.
  if (!idle) poisoned_ = true;
  if (failure) {
    note_lost_statements(failure.get());
    const bool lost = broken();
    fail(failure.get(), lost ? what : what_of(failed_at), !lost && failed_at < held.size());
  }
  if (!idle) {
    const std::string detail = one_line(PQerrorMessage(conn_));
    throw PgError(FERRY_RETRY, message(what, detail + " (connection lost)"), "", true);
  }
  if (!sql) return Result();
  return check(std::move(answer), what);
}

bool Connection::send(const std::string& sql, const Params& p, int result_format) {
  if (!held_.empty()) return false;
  const int n = static_cast<int>(p.values.size());
  if (!p.prepared || !keep_prepared_)
    return PQsendQueryParams(conn_, sql.c_str(), n, nullptr, p.values.data(), p.lengths.data(), p.formats.data(),
                             result_format) == 1;
  std::string name = prepared_name(sql);
  if (name.empty()) {
    // Once per connection: a page query planned on every page costs the
    // server more than reading the page.
    name = "ferry_" + std::to_string(next_statement_++);
    const Result r(PQprepare(conn_, name.c_str(), sql.c_str(), n, nullptr));
    if (PQresultStatus(r.get()) != PGRES_COMMAND_OK) return false;  // the caller asks again, and learns why
    prepared_[sql] = name;
  }
  return PQsendQueryPrepared(conn_, name.c_str(), n, p.values.data(), p.lengths.data(), p.formats.data(),
                             result_format) == 1;
}

Result Connection::collect(std::string_view what) {
  // Every result until NULL, so the connection is idle again; the first
  // failure, else the last result, is the answer.
  Result answer;
  bool failed = false;
  while (PGresult* r = PQgetResult(conn_)) {
    Result next(r);
    if (!failed) {
      const ExecStatusType st = PQresultStatus(r);
      failed = st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK;
      answer = std::move(next);
    }
    if (broken()) break;
  }
  if (failed) note_lost_statements(answer.get());
  return check(std::move(answer), what);
}

void Connection::copy_start(const std::string& sql, std::string_view what) {
  Result r = exec(sql, what);
  if (PQresultStatus(r.get()) != PGRES_COPY_IN)
    throw PgError(FERRY_ERROR_INTERNAL, message(what, "the server did not enter COPY IN"), "", false);
}

void Connection::copy_put(const std::string& data, std::string_view what) {
  if (data.empty()) return;
  // Blocking connection: 1 means queued; -1 is a dead connection, and the
  // real error is collected by copy_end.
  if (PQputCopyData(conn_, data.data(), static_cast<int>(data.size())) != 1) copy_end(what);
}

Result Connection::copy_results() {
  // Every result, so that libpq is idle again; the first that is not a
  // plain success is the one that matters. Still in COPY IN because the end
  // did not go out (libpq answers PGRES_COPY_IN for ever then): nothing can
  // follow.
  Result first;
  while (PGresult* r = PQgetResult(conn_)) {
    if (PQresultStatus(r) == PGRES_COPY_IN) {
      PQclear(r);
      poisoned_ = true;
      break;
    }
    if (!first || PQresultStatus(first.get()) == PGRES_COMMAND_OK) first.reset(r);
    else PQclear(r);
    if (broken()) break;
  }
  return first;
}

void Connection::copy_end(std::string_view what) {
  if (PQputCopyEnd(conn_, nullptr) != 1 && broken()) fail(nullptr, what);
  Result first = copy_results();
  if (!first) fail(nullptr, what);
  check(std::move(first), what);
}

void Connection::copy_abort(const std::string& why, std::string_view what) {
  if (PQputCopyEnd(conn_, why.c_str()) != 1 && broken()) fail(nullptr, what);
  // The answer is the error asked for: 57014 with `why` ending its message
  // (the server may translate the words before it). Anything else, even a
  // 57014 of a statement_timeout, means the COPY had failed before, and
  // that error is the call's own.
  Result first = copy_results();
  if (broken()) fail(first.get(), what);
  if (!first) return;
  const char* state = PQresultErrorField(first.get(), PG_DIAG_SQLSTATE);
  const char* primary = PQresultErrorField(first.get(), PG_DIAG_MESSAGE_PRIMARY);
  const std::string_view message = primary ? primary : "";
  const bool ours = state != nullptr && std::string_view(state) == "57014" && message.size() >= why.size() &&
                    message.substr(message.size() - why.size()) == why;
  if (!ours) fail(first.get(), what);
}

}  // namespace ferry_pg
