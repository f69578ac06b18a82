// A PostgreSQL connection string that is malformed in the way people write
// passwords (a '/', an '@' or a space in it) never puts any part of the
// password in what `ferry` prints, wherever the DSN is used: the postgres
// sink, a SQL hook, the PostgreSQL state store. And what it prints is one
// line per event. No server is needed: these fail before or at connecting.
#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "support/ports.h"
#include "support/subprocess.h"
#include "support/temp_dir.h"

namespace {

using ferry::test::TempDir;

struct Case {
  std::string dsn;
  std::vector<std::string> secret_parts;  // none may be printed
  std::string status;                     // the error class printed, or "" for any
};

std::string pipeline(const std::string& where, const std::string& dsn) {
  const std::string source = R"("source": {"plugin": "generator", "config": {"count": 1}}, )";
  if (where == "sink")
    return R"({"name": "dsn", "state": {"type": "sqlite", "path": "state.db"}, )" + source +
           R"("sinks": [{"name": "pg", "plugin": "postgres", "config": {"dsn": ")" + dsn +
           R"(", "table": "t"}, "retry": {"max_attempts": 1}}]})";
  if (where == "hook")
    return R"({"name": "dsn", "state": {"type": "sqlite", "path": "state.db"}, )" + source +
           R"("sinks": [{"name": "n", "plugin": "null"}], "hooks": {"checkpoint": [{"name": "a",
           "plugin": "audit-sql", "config": {"driver": "postgres", "dsn": ")" + dsn + R"("}}]}})";
  return R"({"name": "dsn", "state": {"type": "postgres", "dsn": ")" + dsn + R"("}, )" + source +
         R"("sinks": [{"name": "n", "plugin": "null"}]})";
}

TEST(PgDsnMessages, NoPartOfAPasswordIsPrintedFromAMalformedDsn) {
  const ferry::test::RefusedPort refused;
  const std::string port = std::to_string(refused.port());
  const std::vector<Case> cases = {
      // libpq stops a URI's userinfo at '/': "ab" would become the port, the rest the database.
      {"postgresql://ferry:ab/zzSlashPw@127.0.0.1:" + port + "/etl", {"zzSlashPw", "\"ab\""}, "config_error"},
      // ... at the first '@': the rest would become the host.
      {"postgresql://ferry:zzAtPw@Qq9x@127.0.0.1:" + port + "/etl", {"zzAtPw", "Qq9x"}, "config_error"},
      {"postgresql://ferry:abcdef@ghijkl/mnopqr@127.0.0.1:" + port + "/etl", {"abcdef", "ghijkl", "mnopqr"},
       "config_error"},
      // ... at '?' and at a space.
      {"postgresql://ferry:Secr3tpw?x/yzzzz@127.0.0.1:" + port + "/etl", {"Secr3tpw", "yzzzz"}, "config_error"},
      {"postgresql://ferry:abcd efgh/ijkl@127.0.0.1:" + port + "/etl", {"abcd", "efgh", "ijkl"}, "config_error"},
      // A query parameter's password stops at '&'.
      {"postgresql://127.0.0.1:" + port + "/etl?user=ferry&password=ab&cdefgPw&sslmode=disable", {"cdefgPw"},
       "config_error"},
      // A space: libpq reads a keyword "zzSpacePw" and quotes it.
      {"host=127.0.0.1 port=" + port + " user=ferry password=abc zzSpacePw dbname=x", {"zzSpacePw"}, "config_error"},
      {"host=127.0.0.1 port=" + port + " user=ferry password=my pass=wordPw dbname=x", {"wordPw", "\"pass\""},
       "config_error"},
      {"host=127.0.0.1 port=" + port + " user=ferry password='abc'defghij dbname=x", {"defghij"}, "config_error"},
      // A bad value for another option: the DSN cannot work.
      {"host=127.0.0.1 port=" + port + " user=ferry password=zzBadModePw sslmode=bogus", {"zzBadModePw"},
       "config_error"},
      // Well-formed, percent-encoded, and the server is not there.
      {"postgresql://ferry:zz%2FEncPw@127.0.0.1:" + port + "/etl", {"zz/EncPw", "zz%2FEncPw", "EncPw"}, "retry"},
  };
  // A password that holds the user name masks the password, not every
  // mention of the user.
  {
    TempDir dir;
    ferry::test::write_file(dir.file("p.json"),
                            pipeline("sink", "host=127.0.0.1 port=" + port + " user=ferry password=ferry-pw-2024 dbname=etl"));
    const auto r = ferry::test::ferry({"run", "--no-progress", dir.file("p.json")});
    EXPECT_NE((r.out + r.err).find("as user \"ferry\""), std::string::npos) << r.err;
    EXPECT_EQ((r.out + r.err).find("ferry-pw-2024"), std::string::npos) << r.err;
  }
  // Well-formed DSNs with an '@' or "password=" where libpq reads them
  // right are used, not refused: the refused port answers.
  for (const std::string& dsn :
       {"postgresql://ferry:pw@127.0.0.1:" + port + "/etl?application_name=etl@prod",
        "postgresql://ferry:pw@127.0.0.1:" + port + "/my@db",
        "host=127.0.0.1 port=" + port + " user=ferry options='-c app.password=x' password=pw dbname=x"}) {
    TempDir dir;
    ferry::test::write_file(dir.file("p.json"), pipeline("sink", dsn));
    const auto r = ferry::test::ferry({"run", "--no-progress", dir.file("p.json")});
    EXPECT_NE(r.err.find("[retry]"), std::string::npos) << dsn << "\n" << r.err;
    EXPECT_NE(r.err.find("Connection refused"), std::string::npos) << dsn << "\n" << r.err;
  }
  for (const std::string where : {"sink", "hook", "state"}) {
    for (const Case& c : cases) {
      TempDir dir;
      ferry::test::write_file(dir.file("p.json"), pipeline(where, c.dsn));
      const auto r = ferry::test::ferry({"run", "--no-progress", dir.file("p.json")});
      const std::string out = r.out + r.err;
      EXPECT_NE(r.exit_code, 0) << where << " " << c.dsn << "\n" << out;
      for (const std::string& part : c.secret_parts) {
        EXPECT_EQ(out.find(part), std::string::npos) << where << ": '" << part << "' printed for " << c.dsn << "\n"
                                                     << out;
      }
      // The state store is opened before any plugin: its failure has no class.
      if (!c.status.empty() && where != "state") {
        EXPECT_NE(out.find("[" + c.status + "]"), std::string::npos) << where << " " << c.dsn << "\n" << out;
      }
      std::istringstream lines(out);
      for (std::string line; std::getline(lines, line);) {
        EXPECT_TRUE(!line.empty() && line[0] != '\t' && line[0] != ' ') << where << ": a continued line: " << line;
      }
    }
  }
}

}  // namespace
