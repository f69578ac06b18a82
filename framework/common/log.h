// Process-wide logger: one line per message on stderr, human-readable or one
// JSON object per line. Every message passes through secret redaction, so a
// password that reached a message by accident is still never printed.
#pragma once

#include <cstdio>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace ferry::core {

enum class LogLevel { Debug = 0, Info = 1, Warn = 2, Error = 3 };
enum class LogFormat { Text, Json };

struct LogFields {
  std::string_view pipeline;
  std::string_view run_id;
  std::string_view partition;
  std::string_view stage;  // sink, transform, hook or "source"
};

class Logger {
 public:
  static Logger& instance();

  void set_level(LogLevel level) { level_ = level; }
  void set_format(LogFormat format) { format_ = format; }
  LogLevel level() const { return level_; }
  LogFormat format() const { return format_; }
  // Values replaced by "***" wherever they appear in a message.
  void add_secret(std::string secret);

  void log(LogLevel level, std::string_view message, const LogFields& fields = {});
  // Writes a transient status line (progress) that the next log line clears.
  void status_line(std::string_view line);
  void clear_status_line();

  std::string redact(std::string_view message) const;

  // A line a command prints for people (a summary, a fatal error) that is
  // also an event: as text, `text` alone; as JSON, one object with ts,
  // level, event, msg and the fields of `fields_json` (a JSON object's
  // text). Written to `out` (stdout for a summary, stderr for an error).
  void event(LogLevel level, std::string_view event, std::string_view text, std::string_view fields_json,
             std::FILE* out);

 private:
  Logger() = default;
  void clear_status_locked();

  mutable std::mutex mu_;
  LogLevel level_ = LogLevel::Info;
  LogFormat format_ = LogFormat::Text;
  std::vector<std::string> secrets_;
  bool status_shown_ = false;
};

inline void log_info(std::string_view m, const LogFields& f = {}) { Logger::instance().log(LogLevel::Info, m, f); }
inline void log_warn(std::string_view m, const LogFields& f = {}) { Logger::instance().log(LogLevel::Warn, m, f); }
inline void log_error(std::string_view m, const LogFields& f = {}) { Logger::instance().log(LogLevel::Error, m, f); }
inline void log_debug(std::string_view m, const LogFields& f = {}) { Logger::instance().log(LogLevel::Debug, m, f); }

}  // namespace ferry::core
