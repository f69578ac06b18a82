#include "collation.h"

#include <cppconn/resultset.h>
#include <cppconn/statement.h>

#include <algorithm>
#include <cctype>
#include <memory>

namespace ferry_mysql {
namespace {

bool plain_name(const std::string& name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), [](unsigned char c) {
    return std::isalnum(c) != 0 || c == '_';
  });
}

}  // namespace

std::string exact_collation(Session& session) {
  const std::string what = "looking up the server's collations";
  std::unique_ptr<sql::PreparedStatement> find = session.prepare(
      "SELECT COLLATION_NAME FROM information_schema.COLLATIONS "
      "WHERE COLLATION_NAME IN ('utf8mb4_nopad_bin', 'utf8mb4_0900_bin') ORDER BY COLLATION_NAME DESC",
      what);
  try {
    std::unique_ptr<sql::ResultSet> rs(find->executeQuery());
    if (rs->next()) return rs->getString(1).asStdString();
  } catch (const sql::SQLException& e) {
    session.fail(e, what);
  }
  return "utf8mb4_bin";
}

bool ignores_trailing_spaces(Session& session, const std::string& charset, const std::string& collation) {
  if (!plain_name(charset) || !plain_name(collation)) return true;
  const std::string what = "asking how collation " + collation + " compares";
  const std::string a = "CONVERT('a' USING " + charset + ") COLLATE " + collation;
  const std::string b = "CONVERT('a ' USING " + charset + ") COLLATE " + collation;
  std::unique_ptr<sql::PreparedStatement> ask = session.prepare("SELECT " + a + " = " + b, what);
  try {
    std::unique_ptr<sql::ResultSet> rs(ask->executeQuery());
    return rs->next() && rs->getInt(1) == 1;
  } catch (const sql::SQLException& e) {
    session.fail(e, what);
  }
}

}  // namespace ferry_mysql
