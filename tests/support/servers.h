// Throwaway database servers for integration tests: a real PostgreSQL 15 or
// MariaDB 10.11, in a fresh temporary directory, on a loopback port leased
// for its lifetime (support/ports.h), stopped (by PID) and removed when the
// object dies. A server that cannot start throws with its log, so the test
// fails loudly.
//
// Neither server can report a port it picked itself, so each start tries a
// leased port; when a program outside the tests holds it, the server says
// "Address already in use" in its log and the constructor tries another.
// A restart (start() after stop_immediate()) keeps the port: clients hold
// it in their connection strings.
#pragma once

#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "support/ports.h"
#include "support/subprocess.h"

namespace ferry::test {

// Attempts at finding a port no other program holds.
inline constexpr int kServerPortAttempts = 10;

inline bool says_address_in_use(const std::string& log) {
  return log.find("Address already in use") != std::string::npos;
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

  // `settings`: more server options ("-c wal_level=logical").
  explicit PgServer(std::string settings = "") : dir_("postgres"), settings_(std::move(settings)) {
    auto init = sh("runuser -u postgres -- " + std::string(kBin) + "/initdb --no-sync -A trust -U postgres -E UTF8 -D " +
                   shell_quote(data()) + " > " + shell_quote(dir_.path() + "/initdb.log") + " 2>&1");
    if (init.exit_code != 0)
      throw std::runtime_error("initdb failed: " + slurp(dir_.path() + "/initdb.log"));
    for (int attempt = 1;; ++attempt) {
      lease_ = std::make_unique<PortLease>();
      std::string failure = try_start();
      if (failure.empty()) return;
      if (!says_address_in_use(failure) || attempt == kServerPortAttempts)
        throw std::runtime_error("PostgreSQL did not start: " + failure);
    }
  }
  ~PgServer() { stop_immediate(); }
  PgServer(const PgServer&) = delete;
  PgServer& operator=(const PgServer&) = delete;

  // Starts the server again, on the same port.
  void start() {
    std::string failure = try_start();
    if (!failure.empty()) throw std::runtime_error("PostgreSQL did not start: " + failure);
  }
  // Simulates a crash of the server (no checkpoint, connections dropped).
  void stop_immediate() {
    sh("runuser -u postgres -- " + std::string(kBin) + "/pg_ctl -D " + shell_quote(data()) +
       " -m immediate -w stop > /dev/null 2>&1");
  }
  int port() const { return lease_->port(); }
  const std::string& socket_dir() const { return dir_.path(); }
  // libpq connection string over TCP.
  std::string dsn(const std::string& db = "postgres") const {
    return "host=127.0.0.1 port=" + std::to_string(port()) + " user=postgres dbname=" + db;
  }
  // Runs SQL with psql; throws on error.
  std::string psql(const std::string& sql, const std::string& db = "postgres") const {
    auto r = run_process({std::string(kBin) + "/psql", "-X", "-q",
                          "-v", "ON_ERROR_STOP=1", "-At", "-h", "127.0.0.1", "-p", std::to_string(port()), "-U",
                          "postgres", "-d", db, "-c", sql});
    if (r.exit_code != 0) throw std::runtime_error("psql failed: " + r.err + " for: " + sql);
    return r.out;
  }

 private:
  std::string data() const { return dir_.path() + "/data"; }
  std::string log_path() const { return dir_.path() + "/server.log"; }

  // Empty when the server runs; else pg_ctl's output and what this attempt
  // added to the server log.
  std::string try_start() {
    const size_t logged = slurp(log_path()).size();  // pg_ctl -l appends
    auto r = sh("runuser -u postgres -- " + std::string(kBin) + "/pg_ctl -w -t 120 -D " + shell_quote(data()) +
                " -l " + shell_quote(log_path()) + " -o " +
                shell_quote("-p " + std::to_string(port()) + " -k " + dir_.path() +
                            " -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=50 " + settings_) +
                " start 2>&1");
    if (r.exit_code == 0) return "";
    const std::string log = slurp(log_path());
    return r.out + (log.size() > logged ? log.substr(logged) : log);
  }

  OwnedTempDir dir_;
  std::string settings_;
  std::unique_ptr<PortLease> lease_;
};

class MariaServer {
 public:
  // `settings`: more server options, kept for every start (a restart too).
  // By default no binary log; change data capture passes
  // {"--log-bin=mariadb-bin", "--binlog-format=ROW", "--server-id=1", ...}.
  explicit MariaServer(std::vector<std::string> settings = {"--skip-log-bin"})
      : dir_("mysql"), settings_(std::move(settings)) {
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
    for (int attempt = 1;; ++attempt) {
      lease_ = std::make_unique<PortLease>();
      std::string failure = try_start();
      if (failure.empty()) return;
      if (!says_address_in_use(failure) || attempt == kServerPortAttempts)
        throw std::runtime_error("MariaDB did not start: " + failure);
    }
  }
  ~MariaServer() { stop_immediate(); }
  MariaServer(const MariaServer&) = delete;
  MariaServer& operator=(const MariaServer&) = delete;

  // Starts the server again, on the same port.
  void start() {
    std::string failure = try_start();
    if (!failure.empty()) throw std::runtime_error("MariaDB did not start: " + failure);
  }
  // Kills the server outright (SIGKILL), like a crash.
  void stop_immediate() {
    if (!process_) return;
    process_->kill_now(SIGKILL);
    process_->wait();
    process_.reset();
  }
  int port() const { return lease_->port(); }
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
  std::string log_path() const { return dir_.path() + "/server.log"; }

  // Empty when the server answers; else why not, with its log.
  std::string try_start() {
    std::vector<std::string> argv{"/usr/sbin/mariadbd", "--no-defaults", "--user=mysql", "--datadir=" + data(),
                                  // Its own temporary directory: internal temporary tables
                                  // then never meet another server's, or a /tmp clean-up.
                                  "--tmpdir=" + tmp(),
                                  "--socket=" + socket(), "--port=" + std::to_string(port()),
                                  "--bind-address=127.0.0.1", "--pid-file=" + dir_.path() + "/mariadb.pid",
                                  "--innodb-flush-log-at-trx-commit=2"};
    argv.insert(argv.end(), settings_.begin(), settings_.end());
    process_ = std::make_unique<Process>(argv, std::vector<std::string>{}, dir_.path() + "/server.out", log_path());
    // Crash recovery after stop_immediate() can take a while on a busy machine.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
    while (std::chrono::steady_clock::now() < deadline) {
      if (sh("mariadb-admin --no-defaults -S " + shell_quote(socket()) + " -u root ping > /dev/null 2>&1").exit_code == 0)
        return "";
      std::pair<int, int> st;
      if (process_->finished(&st)) {
        process_.reset();
        return "the server exited: " + slurp(log_path());
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    stop_immediate();
    return "no answer within 120 s: " + slurp(log_path());
  }

  OwnedTempDir dir_;
  std::vector<std::string> settings_;
  std::unique_ptr<PortLease> lease_;
  std::unique_ptr<Process> process_;
};

}  // namespace ferry::test
