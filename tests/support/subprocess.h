// Runs the real `ferry` binary (or any program) as a child process, the way a
// user does, and captures its exit code and output. Used by the tests that
// check exit codes, messages and crash recovery.
//
// Children are started with posix_spawn, never fork: a test process has
// threads (servers, gtest, the engine), and after fork only async-signal-safe
// calls are allowed in the child. Everything the child needs (argv, envp,
// the redirections) is built before the spawn; the child does nothing but
// the file actions and exec.
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

extern char** environ;

namespace ferry::test {

struct ProcessResult {
  int exit_code = -1;  // -1 if killed by a signal
  int signal = 0;
  std::string out;
  std::string err;
};

namespace detail {

// The parent's environment with `extra` ("K=V") added, an entry of `extra`
// replacing the inherited one of the same name.
inline std::vector<std::string> merged_environment(const std::vector<std::string>& extra) {
  std::vector<std::string> out;
  for (char** e = environ; e && *e; ++e) {
    const std::string entry(*e);
    const std::string name = entry.substr(0, entry.find('='));
    bool replaced = false;
    for (const std::string& x : extra)
      if (x.compare(0, name.size() + 1, name + "=") == 0) replaced = true;
    if (!replaced) out.push_back(entry);
  }
  out.insert(out.end(), extra.begin(), extra.end());
  return out;
}

inline std::vector<char*> c_strings(std::vector<std::string>& strings) {
  std::vector<char*> out;
  for (std::string& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

// posix_spawn_file_actions_t and posix_spawnattr_t, destroyed at scope end.
struct SpawnSetup {
  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attr;
  SpawnSetup() {
    posix_spawn_file_actions_init(&actions);
    posix_spawnattr_init(&attr);
  }
  ~SpawnSetup() {
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
  }
  SpawnSetup(const SpawnSetup&) = delete;
  SpawnSetup& operator=(const SpawnSetup&) = delete;
};

inline void check(int rc, const char* what) {
  if (rc != 0) throw std::runtime_error(std::string(what) + ": " + std::strerror(rc));
}

}  // namespace detail

class Process {
 public:
  // Starts `argv` (argv[0] is a path, not looked up on PATH) with extra
  // environment entries ("K=V"); output goes to files, stdin is /dev/null.
  // Throws when the program cannot be started.
  Process(const std::vector<std::string>& argv, const std::vector<std::string>& env,
          const std::string& out_file, const std::string& err_file) {
    if (argv.empty()) throw std::invalid_argument("Process: empty argv");
    std::vector<std::string> args = argv;
    std::vector<std::string> envs = detail::merged_environment(env);
    std::vector<char*> c_args = detail::c_strings(args);
    std::vector<char*> c_envs = detail::c_strings(envs);

    detail::SpawnSetup s;
    detail::check(posix_spawn_file_actions_addopen(&s.actions, 0, "/dev/null", O_RDONLY, 0), "spawn: stdin");
    detail::check(posix_spawn_file_actions_addopen(&s.actions, 1, out_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644),
                  "spawn: stdout");
    detail::check(posix_spawn_file_actions_addopen(&s.actions, 2, err_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644),
                  "spawn: stderr");
    // Sockets and files the test holds open (a listening port, a database)
    // must not live on in a child that outlives them.
    detail::check(posix_spawn_file_actions_addclosefrom_np(&s.actions, 3), "spawn: closefrom");
    // The child starts like one from a shell: no signal blocked or ignored
    // because some thread of the test process blocks or ignores it.
    sigset_t none, all;
    sigemptyset(&none);
    sigfillset(&all);
    detail::check(posix_spawnattr_setsigmask(&s.attr, &none), "spawn: sigmask");
    detail::check(posix_spawnattr_setsigdefault(&s.attr, &all), "spawn: sigdefault");
    detail::check(posix_spawnattr_setflags(&s.attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF), "spawn: flags");

    const int rc = posix_spawn(&pid_, c_args[0], &s.actions, &s.attr, c_args.data(), c_envs.data());
    if (rc != 0) {
      pid_ = -1;
      throw std::runtime_error("cannot start " + argv[0] + ": " + std::strerror(rc));
    }
  }
  // A child still running when its owner goes (a failed assertion, an
  // exception) is killed and reaped, never left behind.
  ~Process() {
    if (pid_ > 0 && !reaped_) {
      ::kill(pid_, SIGKILL);
      wait();
    }
  }
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  pid_t pid() const { return pid_; }
  // Once the child was reaped its pid may belong to someone else: no signal.
  void kill_now(int sig = SIGKILL) {
    if (!reaped_) ::kill(pid_, sig);
  }
  // Waits for the child; returns {exit code, signal}.
  std::pair<int, int> wait() {
    if (!reaped_) {
      int status = 0;
      while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
      }
      record(status);
    }
    return result_;
  }
  // Non-blocking: true once the child has exited.
  bool finished(std::pair<int, int>* result) {
    if (!reaped_) {
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) != pid_) return false;
      record(status);
    }
    *result = result_;
    return true;
  }

 private:
  void record(int status) {
    reaped_ = true;
    if (WIFEXITED(status)) result_ = {WEXITSTATUS(status), 0};
    else result_ = {-1, WIFSIGNALED(status) ? WTERMSIG(status) : 0};
  }

  pid_t pid_ = -1;
  bool reaped_ = false;
  std::pair<int, int> result_{-1, 0};
};

inline std::string slurp(const std::string& path) {
  std::string s;
  if (FILE* f = fopen(path.c_str(), "rb")) {
    char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0) s.append(buf, n);
    fclose(f);
  }
  return s;
}

// Runs to completion and captures everything.
inline ProcessResult run_process(const std::vector<std::string>& argv,
                                 const std::vector<std::string>& env = {}) {
  static std::atomic<unsigned> serial{0};
  const std::string base = "/tmp/ferry-proc-" + std::to_string(getpid()) + "-" + std::to_string(++serial);
  ProcessResult r;
  {
    Process p(argv, env, base + ".out", base + ".err");
    auto [code, sig] = p.wait();
    r.exit_code = code;
    r.signal = sig;
  }
  r.out = slurp(base + ".out");
  r.err = slurp(base + ".err");
  unlink((base + ".out").c_str());
  unlink((base + ".err").c_str());
  return r;
}

// `ferry ARGS...` from the build tree, with the test fixtures on the plugin path.
inline ProcessResult ferry(std::vector<std::string> args, const std::vector<std::string>& env = {}) {
  args.insert(args.begin(), {FERRY_TEST_BINARY, "--plugin-path", FERRY_TEST_FIXTURE_DIR});
  return run_process(args, env);
}

}  // namespace ferry::test
