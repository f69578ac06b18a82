// Throwaway database servers for integration tests: a real PostgreSQL 15 or
// MariaDB 10.11, in a fresh temporary directory, on a free loopback port,
// stopped (by PID) and removed when the object dies. A server that cannot
// start throws with its log, so the test fails loudly.
#pragma once

#include <arpa/inet.h>
#include <grp.h>
#include <netinet/in.h>
#include <pwd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <thread>

#include "support/subprocess.h"

namespace ferry::test {

// A port nobody listens on right now.
inline int free_port() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = 0;
  bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  int port = ntohs(a.sin_port);
  close(fd);
  return port;
}

inline std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

inline ProcessResult sh(const std::string& command) { return run_process({"/bin/sh", "-c", command}); }

// A directory under /tmp owned by `user`, removed at scope end.
class OwnedTempDir {
 public:
  explicit OwnedTempDir(const std::string& user) {
    std::string tmpl = "/tmp/ferry-server-XXXXXX";
    if (!mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
    path_ = tmpl;
    passwd* pw = getpwnam(user.c_str());
    if (!pw) throw std::runtime_error("no system user '" + user + "': is the server package installed?");
    if (chown(path_.c_str(), pw->pw_uid, pw->pw_gid) != 0) throw std::runtime_error("chown failed");
  }
  ~OwnedTempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

class PgServer {
 public:
  static constexpr const char* kBin = "/usr/lib/postgresql/15/bin";

  PgServer() : dir_("postgres"), port_(free_port()) {
    auto init = sh("runuser -u postgres -- " + std::string(kBin) + "/initdb --no-sync -A trust -U postgres -E UTF8 -D " +
                   shell_quote(data()) + " > " + shell_quote(dir_.path() + "/initdb.log") + " 2>&1");
    if (init.exit_code != 0)
      throw std::runtime_error("initdb failed: " + slurp(dir_.path() + "/initdb.log"));
    start();
  }
  ~PgServer() {
    sh("runuser -u postgres -- " + std::string(kBin) + "/pg_ctl -D " + shell_quote(data()) +
       " -m immediate -w stop > /dev/null 2>&1");
  }
  PgServer(const PgServer&) = delete;
  PgServer& operator=(const PgServer&) = delete;

  void start() {
    auto r = sh("runuser -u postgres -- " + std::string(kBin) + "/pg_ctl -w -t 60 -D " + shell_quote(data()) +
                " -l " + shell_quote(dir_.path() + "/server.log") + " -o " +
                shell_quote("-p " + std::to_string(port_) + " -k " + dir_.path() +
                            " -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=50") +
                " start 2>&1");
    if (r.exit_code != 0)
      throw std::runtime_error("PostgreSQL did not start: " + r.out + slurp(dir_.path() + "/server.log"));
  }
  // Simulates a crash of the server (no checkpoint, connections dropped).
  void stop_immediate() {
    sh("runuser -u postgres -- " + std::string(kBin) + "/pg_ctl -D " + shell_quote(data()) +
       " -m immediate -w stop > /dev/null 2>&1");
  }
  int port() const { return port_; }
  const std::string& socket_dir() const { return dir_.path(); }
  // libpq connection string over TCP.
  std::string dsn(const std::string& db = "postgres") const {
    return "host=127.0.0.1 port=" + std::to_string(port_) + " user=postgres dbname=" + db;
  }
  // Runs SQL with psql; throws on error.
  std::string psql(const std::string& sql, const std::string& db = "postgres") const {
    auto r = run_process({std::string(kBin) + "/psql", "-X", "-q",
                          "-v", "ON_ERROR_STOP=1", "-At", "-h", "127.0.0.1", "-p", std::to_string(port_), "-U",
                          "postgres", "-d", db, "-c", sql});
    if (r.exit_code != 0) throw std::runtime_error("psql failed: " + r.err + " for: " + sql);
    return r.out;
  }

 private:
  std::string data() const { return dir_.path() + "/data"; }
  OwnedTempDir dir_;
  int port_;
};

class MariaServer {
 public:
  MariaServer() : dir_("mysql"), port_(free_port()) {
    std::filesystem::create_directory(tmp());
    passwd* pw = getpwnam("mysql");
    if (pw && chown(tmp().c_str(), pw->pw_uid, pw->pw_gid) != 0) throw std::runtime_error("chown failed");
    // --tmpdir (passed on to the bootstrapping server) for the same reason
    // as in start(): its temporary tables must not live in the shared /tmp.
    auto init = sh("mariadb-install-db --no-defaults --user=mysql --auth-root-authentication-method=normal "
                   "--skip-test-db --tmpdir=" + shell_quote(tmp()) + " --datadir=" + shell_quote(data()) + " > " +
                   shell_quote(dir_.path() + "/install.log") + " 2>&1");
    if (init.exit_code != 0)
      throw std::runtime_error("mariadb-install-db failed: " + slurp(dir_.path() + "/install.log"));
    start();
  }
  ~MariaServer() { stop_immediate(); }
  MariaServer(const MariaServer&) = delete;
  MariaServer& operator=(const MariaServer&) = delete;

  void start() {
    process_ = std::make_unique<Process>(
        std::vector<std::string>{"/usr/sbin/mariadbd", "--no-defaults", "--user=mysql", "--datadir=" + data(),
                                 // Its own temporary directory: internal temporary tables
                                 // then never meet another server's, or a /tmp clean-up.
                                 "--tmpdir=" + tmp(),
                                 "--socket=" + socket(), "--port=" + std::to_string(port_),
                                 "--bind-address=127.0.0.1", "--pid-file=" + dir_.path() + "/mariadb.pid",
                                 "--innodb-flush-log-at-trx-commit=2", "--skip-log-bin"},
        std::vector<std::string>{}, dir_.path() + "/server.out", dir_.path() + "/server.log");
    for (int i = 0; i < 600; ++i) {
      if (sh("mariadb-admin --no-defaults -S " + shell_quote(socket()) + " -u root ping > /dev/null 2>&1").exit_code == 0)
        return;
      std::pair<int, int> st;
      if (process_->finished(&st)) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    throw std::runtime_error("MariaDB did not start: " + slurp(dir_.path() + "/server.log"));
  }
  // Kills the server outright (SIGKILL), like a crash.
  void stop_immediate() {
    if (!process_) return;
    process_->kill_now(SIGKILL);
    process_->wait();
    process_.reset();
  }
  int port() const { return port_; }
  std::string socket() const { return dir_.path() + "/mariadb.sock"; }
  std::string tmp() const { return dir_.path() + "/tmp"; }
  // Runs SQL as root over the socket; throws on error.
  std::string sql(const std::string& statements, const std::string& db = "") const {
    std::vector<std::string> argv{"/usr/bin/mariadb", "--no-defaults", "-S", socket(), "-u", "root", "-N", "-B"};
    if (!db.empty()) argv.push_back(db);
    argv.push_back("-e");
    argv.push_back(statements);
    auto r = run_process(argv);
    if (r.exit_code != 0) throw std::runtime_error("mariadb failed: " + r.err + " for: " + statements);
    return r.out;
  }

 private:
  std::string data() const { return dir_.path() + "/data"; }
  OwnedTempDir dir_;
  int port_;
  std::unique_ptr<Process> process_;
};

}  // namespace ferry::test
