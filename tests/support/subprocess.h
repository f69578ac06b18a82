// Runs the real `ferry` binary (or any program) as a child process, the way a
// user does, and captures its exit code and output. Used by the tests that
// check exit codes, messages and crash recovery.
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

namespace ferry::test {

struct ProcessResult {
  int exit_code = -1;  // -1 if killed by a signal
  int signal = 0;
  std::string out;
  std::string err;
};

class Process {
 public:
  // Starts `argv` with extra environment entries ("K=V"); output goes to files.
  Process(const std::vector<std::string>& argv, const std::vector<std::string>& env,
          const std::string& out_file, const std::string& err_file) {
    pid_ = fork();
    if (pid_ == 0) {
      int out = open(out_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      int err = open(err_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      dup2(out, 1);
      dup2(err, 2);
      for (const std::string& e : env) putenv(const_cast<char*>(e.c_str()));
      std::vector<char*> args;
      for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
      args.push_back(nullptr);
      execv(args[0], args.data());
      _exit(127);
    }
  }
  pid_t pid() const { return pid_; }
  void kill_now(int sig = SIGKILL) { ::kill(pid_, sig); }
  // Waits for the child; returns {exit code, signal}.
  std::pair<int, int> wait() {
    int status = 0;
    waitpid(pid_, &status, 0);
    if (WIFEXITED(status)) return {WEXITSTATUS(status), 0};
    return {-1, WIFSIGNALED(status) ? WTERMSIG(status) : 0};
  }
  // Non-blocking: true once the child has exited.
  bool finished(std::pair<int, int>* result) {
    int status = 0;
    pid_t r = waitpid(pid_, &status, WNOHANG);
    if (r != pid_) return false;
    if (WIFEXITED(status)) *result = {WEXITSTATUS(status), 0};
    else *result = {-1, WIFSIGNALED(status) ? WTERMSIG(status) : 0};
    return true;
  }

 private:
  pid_t pid_ = -1;
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
  std::string base = "/tmp/ferry-proc-" + std::to_string(getpid()) + "-" +
                     std::to_string(std::chrono::steady_clock::now().time_since_epoch().count());
  Process p(argv, env, base + ".out", base + ".err");
  auto [code, sig] = p.wait();
  ProcessResult r;
  r.exit_code = code;
  r.signal = sig;
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
