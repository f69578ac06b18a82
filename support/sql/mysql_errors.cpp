#include "sql/mysql_errors.h"

namespace ferry::support {

bool is_mysql_connection_loss(int code) {
  switch (code) {
    case 2002:  // can't connect through socket
    case 2003:  // can't connect (refused)
    case 2005:  // unknown host (DNS may be back soon)
    case 2006:  // server has gone away
    case 2013:  // lost connection during query
    case 2055:  // lost connection at '%s'
    case 1053:  // server shutdown in progress
    case 1927:  // MariaDB: connection was killed
    case 4031:  // MariaDB: disconnected for inactivity
      return true;
    default:
      return false;
  }
}

bool mysql_error_loses_transaction(int code) { return code == 1213 || is_mysql_connection_loss(code); }

FerryStatus status_of_mysql_error(int code) {
  if (is_mysql_connection_loss(code)) return FERRY_RETRY;
  switch (code) {
    case 1040:  // too many connections
    case 1203:  // user has too many connections
    case 1205:  // lock wait timeout
    case 1213:  // deadlock
    case 1317:  // query interrupted
      return FERRY_RETRY;

    case 1048:  // column cannot be null
    case 1062:  // duplicate entry (append into a keyed table)
    case 1263:  // NULL supplied to NOT NULL column
    case 1264:  // out of range
    case 1265:  // data truncated
    case 1292:  // incorrect / truncated datetime or number
    case 1300:  // invalid character string
    case 1366:  // incorrect string / integer value
    case 1367:  // illegal double value
    case 1406:  // data too long
    case 1411:  // incorrect value for function
    case 1416:  // cannot get geometry object
    case 1451:  // FK: a child row refers to it
    case 1452:  // FK: no parent row
    case 1586:  // duplicate entry for key
    case 1690:  // value out of range
    case 3140:  // MySQL: invalid JSON text
    case 3819:  // MySQL: check constraint violated
    case 4025:  // MariaDB: CONSTRAINT failed (CHECK, JSON validity)
    case 4078:  // MariaDB: a value's type the column cannot take (an integer
                // into INET6 or UUID: "Cannot cast 'bigint' as 'inet6'")
    case 4079:  // MariaDB: a type an operation cannot take
      return FERRY_INVALID_DATA;

    case 1044:  // access denied to database
    case 1045:  // access denied for user (password)
    case 1142:  // command denied on table
    case 1143:  // column access denied
    case 1227:  // needs a privilege (SUPER, ...)
    case 1698:  // access denied (no password)
      return FERRY_ERROR_AUTH;

    case 1049:  // unknown database
    case 1054:  // unknown column
    case 1064:  // syntax error (a bad `query`)
    case 1071:  // key too long
    case 1072:  // key column does not exist
    case 1146:  // table does not exist
    case 1170:  // BLOB/TEXT key without length
    case 1364:  // NOT NULL column without default that the batch lacks
    case 1906:  // a value for a generated column (the field maps onto one)
    case 4119:  // not allowed for a system-versioned table (ADD COLUMN for a
                // field named like its hidden row_start/row_end)
      return FERRY_ERROR_CONFIG;

    default:
      return FERRY_ERROR_IO;
  }
}

}  // namespace ferry::support
