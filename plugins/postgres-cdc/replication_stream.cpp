#include "replication_stream.h"

#include <poll.h>

#include <cstring>

namespace ferry_pg_cdc {
namespace {

using Clock = std::chrono::steady_clock;

// The status update keeps the server from dropping a quiet client
// (wal_sender_timeout, 60 s by default).
constexpr auto kStatusEvery = std::chrono::seconds(10);
// PostgreSQL's epoch for protocol timestamps: 2000-01-01.
constexpr int64_t kPgEpochMicros = 946684800000000;

uint64_t get_u64(const char* p) {
  uint64_t v = 0;
  for (int k = 0; k < 8; ++k) v = (v << 8) | static_cast<unsigned char>(p[k]);
  return v;
}

void put_u64(std::string& out, uint64_t v) {
  for (int k = 7; k >= 0; --k) out += static_cast<char>((v >> (8 * k)) & 0xFF);
}

}  // namespace

ReplicationStream::CreatedSlot ReplicationStream::create_slot(const std::string& slot) {
  Result r = link_.query("CREATE_REPLICATION_SLOT " + link_.quote_ident(slot) + " LOGICAL pgoutput EXPORT_SNAPSHOT",
                         "creating replication slot '" + slot + "'");
  CreatedSlot out;
  const auto lsn = parse_lsn(PQgetvalue(r.get(), 0, 1));
  if (!lsn) link_.fail(nullptr, "reading the consistent point of the new slot");
  out.consistent_point = *lsn;
  out.snapshot = PQgetvalue(r.get(), 0, 2);
  return out;
}

void ReplicationStream::start(const std::string& slot, const std::string& publication, Lsn from, Lsn confirmed) {
  confirmed_ = confirmed;
  sent_ = from;
  link_.query("START_REPLICATION SLOT " + link_.quote_ident(slot) + " LOGICAL " + lsn_text(from) +
                  " (proto_version '1', publication_names " + link_.quote_literal(link_.quote_ident(publication)) +
                  ")",
              "starting replication from slot '" + slot + "'");
  send_status(false);
}

void ReplicationStream::wait_readable(Clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
  if (left <= 0) return;
  pollfd p{PQsocket(link_.raw()), POLLIN, 0};
  if (poll(&p, 1, static_cast<int>(left)) < 0 && errno != EINTR) link_.fail(nullptr, "waiting for the change stream");
}

std::optional<std::string> ReplicationStream::next(std::chrono::milliseconds wait) {
  const auto deadline = Clock::now() + wait;
  for (;;) {
    if (Clock::now() - last_status_ >= kStatusEvery) send_status(false);
    char* buf = nullptr;
    const int n = PQgetCopyData(link_.raw(), &buf, 1);
    if (n == 0) {
      if (Clock::now() >= deadline) return std::nullopt;
      wait_readable(deadline);
      if (PQconsumeInput(link_.raw()) == 0) link_.fail(nullptr, "reading the change stream");
      continue;
    }
    if (n == -1) {
      Result end(PQgetResult(link_.raw()));
      if (end && PQresultStatus(end.get()) == PGRES_COMMAND_OK)
        throw ferry::Error(FERRY_RETRY, link_.who() + ": the server ended the change stream (shutting down?)", 1000);
      link_.fail(end.get(), "reading the change stream (the server ended it)");
    }
    if (n < 0) link_.fail(nullptr, "reading the change stream");
    std::string msg(buf, static_cast<size_t>(n));
    PQfreemem(buf);
    if (msg[0] == 'k' && msg.size() >= 18) {
      sent_ = std::max<Lsn>(sent_, get_u64(msg.data() + 1));
      if (msg[17] != 0) send_status(false);
      continue;
    }
    if (msg[0] == 'w' && msg.size() >= 25) {
      sent_ = std::max<Lsn>(sent_, get_u64(msg.data() + 9));
      return msg.substr(25);
    }
    link_.fail(nullptr, "reading the change stream: unknown message '" + std::string(1, msg[0]) + "'");
  }
}

void ReplicationStream::confirm(Lsn flush) {
  if (flush <= confirmed_) return;
  confirmed_ = flush;
  send_status(false);
}

void ReplicationStream::send_status(bool reply_requested) {
  std::string msg = "r";
  put_u64(msg, confirmed_);  // written
  put_u64(msg, confirmed_);  // flushed: what the slot may advance to
  put_u64(msg, confirmed_);  // applied
  const auto now = std::chrono::duration_cast<std::chrono::microseconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  put_u64(msg, static_cast<uint64_t>(now - kPgEpochMicros));
  msg += reply_requested ? '\1' : '\0';
  if (PQputCopyData(link_.raw(), msg.data(), static_cast<int>(msg.size())) != 1 || PQflush(link_.raw()) != 0)
    link_.fail(nullptr, "sending a status update");
  last_status_ = Clock::now();
}

}  // namespace ferry_pg_cdc
