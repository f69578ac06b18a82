// The logical replication protocol on a replication connection: the slot
// commands, and the change stream (COPY BOTH) with its keepalives and the
// standby status updates that tell the server what it may discard.
//
// The flush position sent is only ever one the caller confirmed (what every
// sink acknowledged): PostgreSQL then keeps exactly the WAL Ferry may still
// need, and a restart at that position repeats nothing that committed.
#ifndef FERRY_PLUGINS_POSTGRES_CDC_REPLICATION_STREAM_H_
#define FERRY_PLUGINS_POSTGRES_CDC_REPLICATION_STREAM_H_

#include <chrono>
#include <optional>
#include <string>

#include "lsn.h"
#include "pg_link.h"

namespace ferry_pg_cdc {

class ReplicationStream {
 public:
  explicit ReplicationStream(PgLink& link) : link_(link) {}

  struct CreatedSlot {
    Lsn consistent_point = 0;
    std::string snapshot;  // valid while the connection runs no other command
  };
  // CREATE_REPLICATION_SLOT ... LOGICAL pgoutput, exporting its snapshot.
  CreatedSlot create_slot(const std::string& slot);

  // START_REPLICATION from `from` (the server sends what commits after
  // it), telling the server that `confirmed` (at most `from`: what every
  // sink holds) is all it must keep.
  void start(const std::string& slot, const std::string& publication, Lsn from, Lsn confirmed);

  // The next pgoutput message, or nothing after `wait` without one.
  // Keepalives are answered on the way.
  std::optional<std::string> next(std::chrono::milliseconds wait);

  // How far the server has sent WAL: every transaction that committed
  // before it has been received.
  Lsn server_sent() const { return sent_; }
  // Asks the server to report how far it got (a keepalive comes back).
  void ask_progress() { send_status(true); }

  // Lets the server discard WAL before `flush` and advance the slot there.
  void confirm(Lsn flush);

 private:
  void send_status(bool reply_requested);
  void wait_readable(std::chrono::steady_clock::time_point deadline);

  PgLink& link_;
  Lsn confirmed_ = 0;
  Lsn sent_ = 0;
  std::chrono::steady_clock::time_point last_status_{};
};

}  // namespace ferry_pg_cdc

#endif  // FERRY_PLUGINS_POSTGRES_CDC_REPLICATION_STREAM_H_
