#include "state/pipeline_lock.h"

#include <fcntl.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <map>
#include <mutex>

#include "common/crash_note.h"
#include "common/time_text.h"

namespace ferry::core {
namespace {

// Open-file-description locks (F_OFD_*): owned by the open file like
// flock (so two runs inside one process exclude each other too), released
// when the process dies, and testable with F_OFD_GETLK without taking
// them, so a status probe never makes a starting run think it is busy.
struct flock whole_file(short type) {
  struct flock l{};
  l.l_type = type;
  l.l_whence = SEEK_SET;
  l.l_start = 0;
  l.l_len = 0;
  return l;
}

class FileLock final : public PipelineLock {
 public:
  FileLock(int fd, off_t note_at, std::optional<std::string> previous_crash)
      : fd_(fd), previous_crash_(std::move(previous_crash)) {
    // A fatal signal in this process leaves its note after our line.
    crash_note_register(fd_, note_at);
  }
  ~FileLock() override {
    crash_note_clear(fd_);
    // Forget the holder first, so the file says plainly that nobody holds it.
    if (ftruncate(fd_, 0) != 0) {
    }
    struct flock l = whole_file(F_UNLCK);
    fcntl(fd_, F_OFD_SETLK, &l);
    close(fd_);
  }
  std::optional<std::string> previous_crash() const override { return previous_crash_; }

 private:
  int fd_;
  std::optional<std::string> previous_crash_;
};

// The note a holder that died of a fatal signal left on the line after
// its own: {"crashed":"..."}.
std::optional<std::string> crash_note_of(const std::string& text) {
  const size_t end_of_holder = text.find('\n');
  if (end_of_holder == std::string::npos) return std::nullopt;
  const std::string rest = text.substr(end_of_holder + 1);
  boost::json::error_code ec;
  const boost::json::value v = boost::json::parse(rest.substr(0, rest.find('\n')), ec);
  if (ec || !v.is_object()) return std::nullopt;
  const boost::json::value* crashed = v.as_object().if_contains("crashed");
  if (crashed == nullptr || !crashed->is_string()) return std::nullopt;
  return std::string(crashed->as_string());
}

std::string read_all(int fd) {
  std::string out;
  char buf[4096];
  off_t offset = 0;
  for (;;) {
    ssize_t n = pread(fd, buf, sizeof buf, offset);
    if (n <= 0) break;
    out.append(buf, static_cast<size_t>(n));
    offset += n;
  }
  return out;
}

struct InProcessLocks {
  std::mutex mu;
  std::map<std::pair<std::string, std::string>, LockHolder> held;
  static InProcessLocks& instance() {
    static InProcessLocks locks;
    return locks;
  }
};

class InProcessLock final : public PipelineLock {
 public:
  explicit InProcessLock(std::pair<std::string, std::string> key) : key_(std::move(key)) {}
  ~InProcessLock() override {
    InProcessLocks& l = InProcessLocks::instance();
    std::lock_guard<std::mutex> g(l.mu);
    l.held.erase(key_);
  }

 private:
  std::pair<std::string, std::string> key_;
};

}  // namespace

LockHolder this_process(const std::string& command) {
  LockHolder me;
  char host[256] = {};
  if (gethostname(host, sizeof host - 1) == 0) me.host = host;
  me.pid = getpid();
  me.command = command;
  me.since_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                    std::chrono::system_clock::now().time_since_epoch())
                    .count();
  return me;
}

std::string LockHolder::describe() const {
  std::string out = "pid " + std::to_string(pid) + " on host " + (host.empty() ? "?" : host);
  if (!command.empty() || since_ms) {
    out += " (";
    if (!command.empty()) out += "ferry " + command;
    if (since_ms) out += std::string(command.empty() ? "" : ", ") + "since " + iso_utc(since_ms);
    out += ")";
  }
  return out;
}

PipelineBusyError::PipelineBusyError(const std::string& pipeline, const LockHolder& holder)
    : Error("pipeline '" + pipeline + "' is already running: " + holder.describe() +
            "; its state admits one run, replay or backfill at a time"),
      holder_(holder) {}

std::string holder_json(const LockHolder& h) {
  return boost::json::serialize(boost::json::object{
      {"host", h.host}, {"pid", h.pid}, {"command", h.command}, {"since_ms", h.since_ms}});
}

std::optional<LockHolder> parse_holder_json(const std::string& text) {
  boost::system::error_code ec;
  // The holder's line; a crash note may follow it.
  boost::json::value v = boost::json::parse(text.substr(0, text.find('\n')), ec);
  if (ec || !v.is_object()) return std::nullopt;
  const auto& o = v.as_object();
  LockHolder h;
  if (auto* p = o.if_contains("host"); p && p->is_string()) h.host = std::string(p->as_string());
  if (auto* p = o.if_contains("pid"); p && p->is_int64()) h.pid = p->as_int64();
  if (auto* p = o.if_contains("command"); p && p->is_string()) h.command = std::string(p->as_string());
  if (auto* p = o.if_contains("since_ms"); p && p->is_int64()) h.since_ms = p->as_int64();
  return h;
}

std::string lock_file_path(const std::string& state_path, const std::string& pipeline) {
  return state_path + "." + pipeline + ".lock";
}

std::unique_ptr<PipelineLock> lock_file(const std::string& lock_path, const std::string& pipeline,
                                        const LockHolder& me) {
  int fd = open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0)
    throw Error("cannot open the lock file " + lock_path + " of pipeline '" + pipeline + "': " +
                std::strerror(errno));
  struct flock l = whole_file(F_WRLCK);
  if (fcntl(fd, F_OFD_SETLK, &l) != 0) {
    const int err = errno;
    std::optional<LockHolder> holder = parse_holder_json(read_all(fd));
    close(fd);
    if (err == EAGAIN || err == EACCES) throw PipelineBusyError(pipeline, holder.value_or(LockHolder{}));
    throw Error("cannot lock " + lock_path + ": " + std::strerror(err));
  }
  // Whoever held it before and died of a fatal signal may have said why.
  std::optional<std::string> previous_crash = crash_note_of(read_all(fd));
  const std::string text = holder_json(me) + "\n";
  if (ftruncate(fd, 0) != 0 || pwrite(fd, text.data(), text.size(), 0) != static_cast<ssize_t>(text.size())) {
    const int err = errno;
    close(fd);  // releases the lock
    throw Error("cannot write the lock file " + lock_path + ": " + std::strerror(err));
  }
  return std::make_unique<FileLock>(fd, static_cast<off_t>(text.size()), std::move(previous_crash));
}

std::optional<LockHolder> file_lock_holder(const std::string& lock_path) {
  int fd = open(lock_path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;  // never locked
  std::optional<LockHolder> out;
  struct flock l = whole_file(F_WRLCK);
  if (fcntl(fd, F_OFD_GETLK, &l) == 0 && l.l_type != F_UNLCK)
    out = parse_holder_json(read_all(fd)).value_or(LockHolder{});
  close(fd);
  return out;
}

std::unique_ptr<PipelineLock> lock_in_process(const std::string& scope, const std::string& pipeline,
                                              const LockHolder& me) {
  InProcessLocks& l = InProcessLocks::instance();
  std::lock_guard<std::mutex> g(l.mu);
  auto key = std::make_pair(scope, pipeline);
  auto it = l.held.find(key);
  if (it != l.held.end()) throw PipelineBusyError(pipeline, it->second);
  l.held.emplace(key, me);
  return std::make_unique<InProcessLock>(key);
}

std::optional<LockHolder> in_process_lock_holder(const std::string& scope, const std::string& pipeline) {
  InProcessLocks& l = InProcessLocks::instance();
  std::lock_guard<std::mutex> g(l.mu);
  auto it = l.held.find({scope, pipeline});
  if (it == l.held.end()) return std::nullopt;
  return it->second;
}

}  // namespace ferry::core
