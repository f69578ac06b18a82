// Reading a running `ferry`'s admin API from a test: the port it bound
// (from its log, so no other test can take it in between) and the value of
// a series on /metrics.
#pragma once

#include <chrono>
#include <cstdlib>
#include <string>
#include <thread>
#include <utility>

#include "support/subprocess.h"

namespace ferry::test {

// Polls `ready` until it holds or `seconds` pass. The deadline only matters
// when the test is failing; a busy machine takes longer, never too long.
template <typename Pred>
bool wait_until(Pred ready, int seconds = 60) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  while (!ready()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return true;
}

// The port a `ferry ... --admin 127.0.0.1:0` got, from its log line "admin
// API on http://127.0.0.1:PORT". 0 when the process exited first.
inline int admin_port(Process& p, const std::string& err_file) {
  const std::string marker = "admin API on http://127.0.0.1:";
  int port = 0;
  wait_until([&] {
    const std::string log = slurp(err_file);
    const size_t at = log.find(marker);
    if (at != std::string::npos && log.find('\n', at) != std::string::npos) {
      port = std::atoi(log.c_str() + at + marker.size());
      return true;
    }
    std::pair<int, int> status;
    return p.finished(&status);
  });
  return port;
}

// The value of one series in a Prometheus text scrape; -1 if absent.
inline double metric(const std::string& text, const std::string& series) {
  const std::string line_start = series + " ";
  for (size_t at = text.find(line_start); at != std::string::npos; at = text.find(line_start, at + 1))
    if (at == 0 || text[at - 1] == '\n') return std::atof(text.c_str() + at + line_start.size());
  return -1;
}

// GET /metrics of the admin API on `port` (no token).
inline std::string scrape_metrics(int port) {
  return run_process({"/usr/bin/curl", "-s", "http://127.0.0.1:" + std::to_string(port) + "/metrics"}).out;
}

}  // namespace ferry::test
