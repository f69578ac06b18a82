// The binary log, read as a replica reads it: MariaDB Connector/C's
// replication client (mariadb_rpl_open / mariadb_rpl_fetch) on its own
// connection, from a GTID position, with heartbeats while the server has
// nothing to send so that a quiet stream still answers.
//
// Thread safety: none; one owner at a time.
#ifndef FERRY_PLUGINS_MARIADB_CDC_BINLOG_STREAM_H_
#define FERRY_PLUGINS_MARIADB_CDC_BINLOG_STREAM_H_

#include <mysql.h>
#include <mariadb_rpl.h>

#include <chrono>
#include <memory>

#include "gtid.h"
#include "maria_link.h"
#include "options.h"

namespace ferry_maria_cdc {

struct EventFree {
  void operator()(MARIADB_RPL_EVENT* e) const { mariadb_free_rpl_event(e); }
};
using Event = std::unique_ptr<MARIADB_RPL_EVENT, EventFree>;
struct RplClose {
  void operator()(MARIADB_RPL* r) const { mariadb_rpl_close(r); }
};

class BinlogStream {
 public:
  // Opens the stream after `from`: the server sends every transaction not
  // in it. Throws ferry::Error: CONFIG when the binlog no longer holds them
  // (purged), RETRY when the server cannot be reached.
  BinlogStream(const Options& opts, const GtidState& from, std::chrono::milliseconds heartbeat);
  BinlogStream(const BinlogStream&) = delete;
  BinlogStream& operator=(const BinlogStream&) = delete;

  // The next event; waits at most about one heartbeat period (a heartbeat
  // is an event too).
  Event next();
  // Whether the next event has arrived already (a batch waits for it).
  bool more_waiting();

 private:
  [[noreturn]] void fail(const std::string& what);

  std::unique_ptr<MariaLink> link_;
  std::unique_ptr<MARIADB_RPL, RplClose> rpl_;
  std::string from_;
};

}  // namespace ferry_maria_cdc

#endif  // FERRY_PLUGINS_MARIADB_CDC_BINLOG_STREAM_H_
