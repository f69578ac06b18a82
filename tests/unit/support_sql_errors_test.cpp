// What a PostgreSQL or MySQL/MariaDB error means for Ferry, decided once for
// the SQL plugins and the SQL hooks (support/sql/*_errors.h).
#include <gtest/gtest.h>

#include "sql/mysql_errors.h"
#include "sql/pg_errors.h"

namespace ferry::support {
namespace {

TEST(PgErrors, EachSqlstateClassHasOneMeaning) {
  EXPECT_EQ(status_of_sqlstate("08006", false), FERRY_RETRY);  // connection failure
  EXPECT_EQ(status_of_sqlstate("40001", false), FERRY_RETRY);  // serialization failure
  EXPECT_EQ(status_of_sqlstate("40P01", false), FERRY_RETRY);  // deadlock
  EXPECT_EQ(status_of_sqlstate("55P03", false), FERRY_RETRY);  // lock not available
  EXPECT_EQ(status_of_sqlstate("26000", false), FERRY_RETRY);  // a prepared statement the session lost
  EXPECT_EQ(status_of_sqlstate("57P01", false), FERRY_RETRY);  // admin shutdown
  EXPECT_EQ(status_of_sqlstate("57014", false), FERRY_RETRY);  // statement timeout
  EXPECT_EQ(status_of_sqlstate("53300", false), FERRY_RETRY);  // too many connections
  // The data: the SQL hooks called these I/O errors before they shared this table.
  EXPECT_EQ(status_of_sqlstate("23505", false), FERRY_INVALID_DATA);
  EXPECT_EQ(status_of_sqlstate("22001", false), FERRY_INVALID_DATA);
  EXPECT_EQ(status_of_sqlstate("21000", false), FERRY_INVALID_DATA);
  EXPECT_EQ(status_of_sqlstate("28P01", false), FERRY_ERROR_AUTH);
  EXPECT_EQ(status_of_sqlstate("42501", false), FERRY_ERROR_AUTH);
  EXPECT_EQ(status_of_sqlstate("42P01", false), FERRY_ERROR_CONFIG);
  EXPECT_EQ(status_of_sqlstate("3D000", false), FERRY_ERROR_CONFIG);
  EXPECT_EQ(status_of_sqlstate("0A000", false), FERRY_ERROR_CONFIG);
  EXPECT_EQ(status_of_sqlstate("XX000", false), FERRY_ERROR_INTERNAL);
  // A full disk is not cured by retrying at once (the hooks retried it).
  EXPECT_EQ(status_of_sqlstate("53100", false), FERRY_ERROR_IO);
  EXPECT_EQ(status_of_sqlstate("", false), FERRY_ERROR_IO);
  // A lost connection may be retried whatever the server said.
  EXPECT_EQ(status_of_sqlstate("42P01", true), FERRY_RETRY);
  EXPECT_EQ(status_of_sqlstate("", true), FERRY_RETRY);
}

TEST(MysqlErrors, EachCodeHasOneMeaning) {
  for (int lost : {2002, 2003, 2006, 2013, 1053, 1927, 4031}) {
    EXPECT_TRUE(is_mysql_connection_loss(lost)) << lost;
    EXPECT_TRUE(mysql_error_loses_transaction(lost)) << lost;
    EXPECT_EQ(status_of_mysql_error(lost), FERRY_RETRY) << lost;
  }
  EXPECT_TRUE(mysql_error_loses_transaction(1213));  // deadlock: the server rolled back
  EXPECT_FALSE(mysql_error_loses_transaction(1205));  // lock wait timeout: only the statement
  EXPECT_EQ(status_of_mysql_error(1205), FERRY_RETRY);
  EXPECT_EQ(status_of_mysql_error(1062), FERRY_INVALID_DATA);
  EXPECT_EQ(status_of_mysql_error(1366), FERRY_INVALID_DATA);
  EXPECT_EQ(status_of_mysql_error(4025), FERRY_INVALID_DATA);
  EXPECT_EQ(status_of_mysql_error(4078), FERRY_INVALID_DATA);  // an integer into INET6 / UUID
  // A field that maps onto a column the server computes, or a change a
  // system-versioned table refuses: the pipeline's shape, not a row's value.
  EXPECT_EQ(status_of_mysql_error(1906), FERRY_ERROR_CONFIG);
  EXPECT_EQ(status_of_mysql_error(4119), FERRY_ERROR_CONFIG);
  EXPECT_EQ(status_of_mysql_error(1045), FERRY_ERROR_AUTH);
  // The SQL hooks did not know this one before they shared the table.
  EXPECT_EQ(status_of_mysql_error(1227), FERRY_ERROR_AUTH);
  EXPECT_EQ(status_of_mysql_error(1146), FERRY_ERROR_CONFIG);
  EXPECT_EQ(status_of_mysql_error(1064), FERRY_ERROR_CONFIG);
  EXPECT_EQ(status_of_mysql_error(1030), FERRY_ERROR_IO);
}

}  // namespace
}  // namespace ferry::support
