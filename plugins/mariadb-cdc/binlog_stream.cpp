#include "binlog_stream.h"

#include <ferry/plugin.hpp>

#include <poll.h>

namespace ferry_maria_cdc {

BinlogStream::BinlogStream(const Options& opts, const GtidState& from, std::chrono::milliseconds heartbeat)
    : link_(std::make_unique<MariaLink>(opts)), from_(from.text()) {
  // The replica's side of MariaDB's GTID protocol: the server sends what
  // follows this position, with checksums verified by the library, and a
  // heartbeat whenever it has been quiet for the period.
  link_->exec("SET @slave_connect_state = " + MariaLink::literal(from_, false), "setting the GTID position");
  link_->exec("SET @slave_gtid_strict_mode = 1, @slave_gtid_ignore_duplicates = 0", "setting the GTID mode");
  link_->exec("SET @mariadb_slave_capability = 4", "announcing GTID support");
  link_->exec("SET @master_binlog_checksum = @@global.binlog_checksum", "agreeing on checksums");
  link_->exec("SET @master_heartbeat_period = " + std::to_string(heartbeat.count() * 1000000), "setting heartbeats");
  rpl_.reset(mariadb_rpl_init(link_->handle()));
  if (!rpl_) throw ferry::Error(FERRY_ERROR_IO, "mariadb-cdc source: out of memory");
  mariadb_rpl_optionsv(rpl_.get(), MARIADB_RPL_SERVER_ID, opts.server_id);
  mariadb_rpl_optionsv(rpl_.get(), MARIADB_RPL_START, 4UL);
  mariadb_rpl_optionsv(rpl_.get(), MARIADB_RPL_FLAGS, 0U);
  // The library checks each event's CRC32 only when asked.
  mariadb_rpl_optionsv(rpl_.get(), MARIADB_RPL_VERIFY_CHECKSUM, 1U);
  if (mariadb_rpl_open(rpl_.get()) != 0) fail("opening the binlog after GTID '" + from_ + "'");
}

void BinlogStream::fail(const std::string& what) {
  unsigned code = mysql_errno(link_->handle());
  std::string message = mysql_error(link_->handle());
  if (code == 0) {
    code = mariadb_rpl_errno(rpl_.get());
    message = mariadb_rpl_error(rpl_.get());
  }
  // 1236: the server cannot send from this position, most often because
  // the binlog files that held it are purged. Reading on would skip
  // changes, so the run stops with the way out.
  if (code == 1236)
    throw ferry::Error(FERRY_ERROR_CONFIG,
                       "mariadb-cdc source: the server cannot send the changes after GTID '" + from_ +
                           "': " + message +
                           ". If the binary logs holding them were purged, those changes are gone; reset the "
                           "pipeline's checkpoints to copy the table again");
  // A dump that ends without a code has lost its connection.
  if (code == 0) {
    code = 2013;
    message = "the server closed the binlog stream";
  }
  fail_mysql(code, message, what, link_->where());
}

Event BinlogStream::next() {
  Event e(mariadb_rpl_fetch(rpl_.get(), nullptr));
  if (!e) fail("reading the binlog");
  return e;
}

bool BinlogStream::more_waiting() {
  // Whatever the library has read already counts too: a packet it holds
  // leaves the socket quiet.
  if (link_->handle()->net.read_pos != nullptr && link_->handle()->net.remain_in_buf > 0) return true;
  pollfd p{static_cast<int>(mysql_get_socket(link_->handle())), POLLIN, 0};
  return poll(&p, 1, 0) > 0;
}

}  // namespace ferry_maria_cdc
