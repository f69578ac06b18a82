// Loopback ports for tests that run in parallel, without the race of "bind
// port 0, read it, close, let someone else bind it": between the close and
// the second bind, any other test (or program) may take the port.
//
//  - RefusedPort: a port where a connection is refused, for "the server is
//    down" tests. The socket stays bound (but not listening) while the object
//    lives, so the kernel refuses connections and nobody else can bind it.
//  - PortLease: a port for a server that cannot report the port it bound
//    (PostgreSQL and MariaDB take a number). The lease is a lock on a file
//    named after the port, shared by every test process on the machine and
//    held while the server lives, so two tests never pick the same port, and
//    a server restarted by its test finds its port still free of other test
//    servers. Ports come from below the kernel's ephemeral range, where
//    outgoing connections and bind(0) never land. Another program may still
//    hold one: the server then fails with "address in use", and the caller
//    retries with a new lease (servers.h does).
#pragma once

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <random>
#include <stdexcept>
#include <string>
#include <utility>

namespace ferry::test {

class RefusedPort {
 public:
  RefusedPort() {
    fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd_ < 0) throw std::runtime_error(std::string("RefusedPort: socket: ") + std::strerror(errno));
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = 0;
    socklen_t len = sizeof a;
    // No SO_REUSEADDR: with it, another socket that sets it too could bind
    // the same port while this one is not listening.
    if (bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
        getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
      const std::string why = std::strerror(errno);
      close(fd_);
      throw std::runtime_error("RefusedPort: bind: " + why);
    }
    port_ = ntohs(a.sin_port);
  }
  ~RefusedPort() { close(fd_); }
  RefusedPort(const RefusedPort&) = delete;
  RefusedPort& operator=(const RefusedPort&) = delete;

  int port() const { return port_; }

 private:
  int fd_ = -1;
  int port_ = 0;
};

class PortLease {
 public:
  // A port no other lease holds; throws if none is found after many tries.
  PortLease() {
    const std::string dir = "/tmp/ferry-test-ports";
    mkdir(dir.c_str(), 01777);
    chmod(dir.c_str(), 01777);  // mkdir's mode is cut by the umask
    const auto [low, high] = candidate_range();
    std::random_device seed;
    std::mt19937 rng(seed());
    std::uniform_int_distribution<int> pick(low, high);
    for (int attempt = 0; attempt < 1000; ++attempt) {
      const int port = pick(rng);
      const std::string path = dir + "/" + std::to_string(port) + ".lock";
      const int fd = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0666);
      if (fd < 0) throw std::runtime_error("PortLease: cannot open " + path + ": " + std::strerror(errno));
      if (flock(fd, LOCK_EX | LOCK_NB) == 0) {
        fd_ = fd;
        port_ = port;
        return;
      }
      close(fd);
    }
    throw std::runtime_error("PortLease: no free port in " + dir);
  }
  // The lock goes with the descriptor, also when the process dies. The file
  // stays: removing it while another process opens it would let two leases
  // lock different files of the same name, and hold the same port.
  ~PortLease() {
    if (fd_ >= 0) close(fd_);
  }
  PortLease(const PortLease&) = delete;
  PortLease& operator=(const PortLease&) = delete;

  int port() const { return port_; }

 private:
  // [10000, start of the ephemeral range), or a fixed band if that is odd.
  static std::pair<int, int> candidate_range() {
    int ephemeral_low = 32768, ephemeral_high = 60999;
    if (FILE* f = fopen("/proc/sys/net/ipv4/ip_local_port_range", "r")) {
      if (fscanf(f, "%d %d", &ephemeral_low, &ephemeral_high) != 2) ephemeral_low = 32768;
      fclose(f);
    }
    if (ephemeral_low > 12000) return {10000, ephemeral_low - 1};
    return {std::min(ephemeral_high + 1, 64000), 65000};
  }

  int fd_ = -1;
  int port_ = 0;
};

}  // namespace ferry::test
