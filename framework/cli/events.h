// What a command prints when it is done (a summary, a line per backfill
// window): a line of text for people, or under --log-format json one JSON
// event with the same facts as fields, so every line is JSON there.
#pragma once

#include <cstdio>
#include <string>

#include <boost/json/object.hpp>

#include "common/json_out.h"
#include "common/log.h"
#include "engine/engine.h"

namespace ferry::cli {

inline void print_event(std::string_view event, const std::string& text, const boost::json::object& fields,
                        core::LogLevel level = core::LogLevel::Info, std::FILE* out = stdout) {
  core::Logger::instance().event(level, event, text, core::json_text(fields), out);
}

inline bool json_output() { return core::Logger::instance().format() == core::LogFormat::Json; }

// The counts of a run as event fields.
inline boost::json::object summary_fields(const std::string& pipeline, const core::RunSummary& s) {
  boost::json::object out{{"pipeline", pipeline},
          {"run", s.run_id},
          {"status", core::to_string(s.status)},
          {"read", s.counts.read},
          {"written", s.counts.written},
          {"rejected", s.counts.rejected},
          {"batches", s.counts.batches},
          {"retries", s.retries},
          {"seconds", s.seconds},
          {"message", s.message}};
  if (s.shared)
    out["worker"] = boost::json::object{{"id", s.shared->worker_id},
                                        {"started_round", s.shared->started_round},
                                        {"partitions", s.shared->partitions},
                                        {"taken_over", s.shared->takeovers},
                                        {"lost", s.shared->fenced}};
  return out;
}

}  // namespace ferry::cli
