#include "common/log.h"

#include <chrono>
#include <cstdio>
#include <ctime>

#include <boost/json/serialize.hpp>
#include <boost/json/string.hpp>

#include "common/control_chars.h"

namespace ferry::core {
namespace {

const char* level_name(LogLevel l) {
  switch (l) {
    case LogLevel::Debug: return "debug";
    case LogLevel::Info: return "info";
    case LogLevel::Warn: return "warn";
    case LogLevel::Error: return "error";
  }
  return "info";
}

std::string timestamp() {
  auto now = std::chrono::system_clock::now();
  std::time_t t = std::chrono::system_clock::to_time_t(now);
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms));
  return buf;
}

std::string json_string(std::string_view s) {
  return boost::json::serialize(boost::json::string(s));
}

// A line of the text format is one event: a message that arrives in
// several lines (a server's ERROR / DETAIL / HINT, a client library's
// hint on a second line) has each line break, and the blanks around it,
// folded into one space.
std::string one_line(std::string text) {
  if (text.find_first_of("\r\n") == std::string::npos) return text;
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    size_t end = i;
    bool breaks = false;
    while (end < text.size() && (text[end] == ' ' || text[end] == '\t' || text[end] == '\r' || text[end] == '\n')) {
      breaks = breaks || text[end] == '\r' || text[end] == '\n';
      ++end;
    }
    if (end == i) {
      out += text[i++];
      continue;
    }
    if (!breaks) out.append(text, i, end - i);
    else if (!out.empty() && end < text.size()) out += ' ';
    i = end;
  }
  return out;
}

}  // namespace

Logger& Logger::instance() {
  static Logger logger;
  return logger;
}

void Logger::add_secret(std::string secret) {
  if (secret.size() < 3) return;  // redacting "a" would shred every message
  std::lock_guard<std::mutex> lock(mu_);
  secrets_.push_back(std::move(secret));
}

std::string Logger::redact(std::string_view message) const {
  std::string out(message);
  for (const std::string& s : secrets_) {
    for (size_t pos = out.find(s); pos != std::string::npos; pos = out.find(s, pos + 3))
      out.replace(pos, s.size(), "***");
  }
  return out;
}

void Logger::log(LogLevel level, std::string_view message, const LogFields& f) {
  if (level < level_) return;
  std::lock_guard<std::mutex> lock(mu_);
  std::string text = redact(message);
  std::string line;
  if (format_ == LogFormat::Json) {
    line = "{\"ts\":\"" + timestamp() + "\",\"level\":\"" + level_name(level) + "\"";
    auto field = [&](const char* k, std::string_view v) {
      if (!v.empty()) line += std::string(",\"") + k + "\":" + json_string(v);
    };
    field("pipeline", f.pipeline);
    field("run", f.run_id);
    field("partition", f.partition);
    field("sink", f.stage);
    line += ",\"msg\":" + json_string(text) + "}\n";
  } else {
    line = timestamp() + " " + level_name(level) + " ";
    if (!f.pipeline.empty()) line += std::string(f.pipeline) + " ";
    if (!f.partition.empty()) line += "[" + std::string(f.partition) + "] ";
    if (!f.stage.empty()) line += std::string(f.stage) + ": ";
    line += escape_controls(one_line(std::move(text))) + "\n";
  }
  clear_status_locked();
  std::fwrite(line.data(), 1, line.size(), stderr);
  std::fflush(stderr);
}

void Logger::event(LogLevel level, std::string_view event, std::string_view text, std::string_view fields_json,
                   std::FILE* out) {
  std::lock_guard<std::mutex> lock(mu_);
  std::string line;
  if (format_ == LogFormat::Json) {
    line = "{\"ts\":\"" + timestamp() + "\",\"level\":\"" + level_name(level) + "\",\"event\":" +
           json_string(event) + ",\"msg\":" + json_string(redact(text));
    // Fields come as an object's text: its members join this object.
    if (fields_json.size() > 2) line += "," + redact(fields_json.substr(1, fields_json.size() - 2));
    line += "}\n";
  } else {
    line = escape_controls(one_line(redact(text))) + "\n";
  }
  clear_status_locked();
  std::fwrite(line.data(), 1, line.size(), out);
  std::fflush(out);
}

void Logger::status_line(std::string_view line) {
  std::lock_guard<std::mutex> lock(mu_);
  std::string out = "\r\033[K" + std::string(line);
  std::fwrite(out.data(), 1, out.size(), stderr);
  std::fflush(stderr);
  status_shown_ = true;
}

void Logger::clear_status_line() {
  std::lock_guard<std::mutex> lock(mu_);
  clear_status_locked();
}

void Logger::clear_status_locked() {
  if (!status_shown_) return;
  std::fputs("\r\033[K", stderr);
  status_shown_ = false;
}

}  // namespace ferry::core
