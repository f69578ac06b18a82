// Wrong values on the command line are usage errors (exit 2) that say what
// is wrong, as the README promises; impossible dates are refused.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <sstream>

#include "support/scenario_env.h"

namespace {

using ferry::test::ScenarioDir;

const char* kPipeline = R"({"name": "cl", "state": {"type": "sqlite", "path": "state.db"},
  "source": {"plugin": "scenario", "config": {"count": 5}},
  "sinks": [{"name": "tx", "plugin": "scenario", "config": {}}]})";

// An entry as an older ferry, or an earlier definition, left it.
void add_entry(const ScenarioDir& d, const std::string& position, const std::string& sink,
               const std::string& error_class, const std::string& message) {
  ferry::core::DlqEntry e;
  e.pipeline = "cl";
  e.partition = "p0";
  e.position = position;
  e.stage = sink;
  e.sink = sink;
  e.record_key = "k" + position;
  e.record_json = R"({"raw":"x"})";
  e.error_class = error_class;
  e.message = message;
  d.state()->add_dlq({e});
}

void expect_usage_error(const ferry::test::ProcessResult& r, const std::string& says) {
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find(says), std::string::npos) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << "one line: " << r.err;
}

TEST(CommandLine, WrongValuesAreUsageErrors) {
  ScenarioDir d("cl");
  d.define(kPipeline);
  expect_usage_error(d.ferry_cmd("run", {"--parallelism", "abc"}), "--parallelism must be");
  expect_usage_error(d.ferry_cmd("backfill", {"--from", "2026-01-01", "--to", "2026-01-03", "--window", "0h"}),
                     "--window must look like");
  expect_usage_error(d.ferry_cmd("backfill", {"--from", "2026-01-05", "--to", "2026-01-03"}),
                     "--to must be after --from");
  expect_usage_error(d.ferry_cmd("dlq", {"list", "--since", "yesterday"}), "--since: 'yesterday' is not a time");
  expect_usage_error(d.ferry_cmd("dlq", {"list", "--status", "bogus"}), "unknown status 'bogus'");
  expect_usage_error(d.ferry_cmd("replay", {"--status", "resolved"}), "entries marked resolved are not replayed");
  // A class no entry can have selects nothing, silently; a typo must not
  // read as "the queue holds none of those".
  for (const char* cmd : {"list", "export", "discard"})
    expect_usage_error(d.ferry_cmd("dlq", {cmd, "--class", "bogus"}),
                       "unknown error class 'bogus' (invalid_data, retry_exhausted, sink_failed");
  expect_usage_error(d.ferry_cmd("replay", {"--class", "bogus"}), "unknown error class 'bogus'");
  for (const char* known : {"invalid_data", "retry_exhausted", "sink_failed", "io_error"})
    EXPECT_EQ(d.ferry_cmd("dlq", {"list", "--class", known}).exit_code, 0) << known;
  // A class an older ferry wrote ("transient") still selects its entries.
  add_entry(d, "1", "tx", "transient", "an old entry");
  const auto old_class = d.ferry_cmd("dlq", {"list", "--class", "transient"});
  EXPECT_EQ(old_class.exit_code, 0) << old_class.err;
  EXPECT_NE(old_class.out.find("an old entry"), std::string::npos) << old_class.out;
  expect_usage_error(d.ferry_cmd("replay", {"--sink", "nosuch"}), "pipeline 'cl' has no sink named 'nosuch'");
  // The same for a sink a selection names; an entry may still name a sink
  // the pipeline had before.
  for (const char* cmd : {"list", "export", "discard"})
    expect_usage_error(d.ferry_cmd("dlq", {cmd, "--sink", "nosuch"}),
                       "pipeline 'cl' has no sink named 'nosuch', and no DLQ entry is addressed to one");
  add_entry(d, "2", "gone", "invalid_data", "for a sink since removed");
  const auto gone = d.ferry_cmd("dlq", {"list", "--sink", "gone"});
  EXPECT_EQ(gone.exit_code, 0) << gone.err;
  EXPECT_NE(gone.out.find("for a sink since removed"), std::string::npos) << gone.out;
  // The message says what a rate is, not the range of a double.
  for (const char* rate : {"abc", "-5", "nan", "inf"}) {
    const auto r = d.ferry_cmd("run", {"--rate", rate});
    expect_usage_error(r, std::string("--rate: must be a number of records per second, 0 or more, got '") + rate + "'");
    EXPECT_LT(r.err.size(), 200u) << r.err;
  }
  expect_usage_error(d.ferry_cmd("dlq", {"list", "--limit", "-1"}),
                     "--limit: must be a whole number of entries, 0 or more, got '-1'");
  expect_usage_error(d.ferry_cmd("dlq", {"export", "--limit", "1.5"}),
                     "--limit: must be a whole number of entries, 0 or more, got '1.5'");
  expect_usage_error(d.ferry_cmd("run", {"--progress-interval", "-1"}),
                     "--progress-interval: must be a whole number of seconds, 0 or more, got '-1'");
  expect_usage_error(d.ferry_cmd("dlq", {"show", "abc"}), "id: must be an entry id, 1 or more, got 'abc'");
  expect_usage_error(d.ferry_cmd("replay", {"--id", "x"}), "--id: must be an entry id, 1 or more, got 'x'");
  expect_usage_error(d.ferry_cmd("run", {"--lease-seconds", "0"}),
                     "--lease-seconds: must be a whole number of seconds, from 1 to 86400, got '0'");
}

TEST(CommandLine, ImpossibleDatesAreRefused) {
  ScenarioDir d("cl");
  d.define(kPipeline);
  expect_usage_error(d.ferry_cmd("backfill", {"--from", "2026-02-30", "--to", "2026-03-05"}),
                     "--from: '2026-02-30' is not a date (February 2026 has 28 days)");
  expect_usage_error(d.ferry_cmd("backfill", {"--from", "2026-01-01", "--to", "2026-04-31"}),
                     "--to: '2026-04-31' is not a date (April 2026 has 30 days)");
  expect_usage_error(d.ferry_cmd("backfill", {"--from", "2026-13-01", "--to", "2027-01-01"}), "month 13");
  // 2028 is a leap year.
  auto leap = d.ferry_cmd("backfill", {"--from", "2028-02-29", "--to", "2028-03-01", "--dry-run"});
  EXPECT_EQ(leap.exit_code, 0) << leap.err;
}

TEST(CommandLine, AnUnknownCommandIsNamed) {
  auto r = ferry::test::ferry({"frobnicate", "p.json"});
  expect_usage_error(r, "unknown command 'frobnicate'");
  EXPECT_NE(r.err.find("run"), std::string::npos) << r.err;
}

// What a person's terminal gets never holds a raw control character: an
// ESC from a pipeline file (or a server, or a record) would drive it, a NUL
// would cut the line. The whole line arrives, the characters as \xNN.
TEST(CommandLine, ControlCharactersReachTheTerminalAsText) {
  ScenarioDir d("cl");
  d.define(R"({"name": "a\u0000b\u001b[31mc", "state": {"type": "sqlite", "path": "state.db"},
    "source": {"plugin": "scenario", "config": {"count": 5}},
    "sinks": [{"name": "tx", "plugin": "scenario", "config": {}}]})");
  const auto r = d.ferry_cmd("validate");
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("invalid name 'a\\x00b\\x1b[31mc' (use letters"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find('\x1b'), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find('\0'), std::string::npos) << r.err;
}

TEST(CommandLine, PluginOptionsStayInTheirColumns) {
  auto r = ferry::test::run_process({FERRY_TEST_BINARY, "--plugin-path", FERRY_TEST_PLUGIN_DIR, "plugins"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // The longest option name of the mysql sink, then at least two spaces.
  EXPECT_NE(r.out.find("rows_per_statement  int"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("rows_per_statementint"), std::string::npos);
}

// Without a terminal a long run still says how it is doing: a log line
// every --progress-interval seconds with the share, rate and ETA. The rate
// limit makes the run last three seconds at least, however fast the machine.
TEST(CommandLine, WithoutATerminalProgressIsALogLineAtAnInterval) {
  ScenarioDir d("prog");
  d.define(R"({"name": "prog", "state": {"type": "sqlite", "path": "state.db"},
    "source": {"plugin": "generator", "config": {"count": 3000, "partitions": 2}},
    "batch": {"max_records": 100},
    "sinks": [{"name": "out", "plugin": "null"}]})");
  auto r = ferry::test::ferry({"run", "--rate", "1000", "--progress-interval", "1", d.pipeline_file()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("progress: prog: "), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("% · "), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(" of ~3,000 records"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("ETA"), std::string::npos) << r.err;

  ScenarioDir fresh("prog");  // the first run read everything there is in d
  fresh.define(ferry::test::slurp(d.pipeline_file()));
  auto quiet = ferry::test::ferry({"run", "--rate", "1000", "--progress-interval", "1", "--no-progress",
                                   fresh.pipeline_file()});
  ASSERT_EQ(quiet.exit_code, 0) << quiet.err;
  EXPECT_EQ(quiet.err.find("progress:"), std::string::npos) << quiet.err;
}

// Under --log-format json every line Ferry prints is a JSON object: the
// summary of a run, a replay's, and the fatal error of a bad definition.
TEST(CommandLine, UnderJsonLogsEveryLineIsJson) {
  ScenarioDir d("jsonlog");
  d.define(R"({"name": "jsonlog", "state": {"type": "sqlite", "path": "state.db"},
    "source": {"plugin": "generator", "config": {"count": 50}},
    "transforms": [{"name": "check", "plugin": "validate", "config": {"rules": {"amount": {"max": 5}}}}],
    "sinks": [{"name": "out", "plugin": "null"}]})");
  ScenarioDir bad("jsonlog");
  bad.define(R"({"name": "jsonlog", "source": {"plugin": "generator", "config": {"rows": 1}}, "sinks": []})");
  const std::vector<ferry::test::ProcessResult> results = {
      ferry::test::ferry({"--log-format", "json", "run", "--progress-interval", "0", d.pipeline_file()}),
      ferry::test::ferry({"--log-format", "json", "replay", "--progress-interval", "0", d.pipeline_file()}),
      ferry::test::ferry({"--log-format", "json", "--log-level", "debug", "validate", bad.pipeline_file()})};
  EXPECT_EQ(results[0].exit_code, 0) << results[0].err;
  EXPECT_EQ(results[2].exit_code, 2) << results[2].err;
  for (const auto& r : results) {
    int lines = 0;
    for (const std::string& out : {r.out, r.err}) {
      std::istringstream in(out);
      for (std::string line; std::getline(in, line);) {
        ++lines;
        boost::system::error_code ec;
        const boost::json::value v = boost::json::parse(line, ec);
        EXPECT_TRUE(!ec && v.is_object() && v.as_object().contains("level")) << "not a JSON log line: " << line;
      }
    }
    EXPECT_GT(lines, 0);
  }
  EXPECT_NE(results[0].out.find("\"event\":\"run_summary\""), std::string::npos) << results[0].out;
  EXPECT_NE(results[0].out.find("\"rejected\":30"), std::string::npos) << results[0].out;
  EXPECT_NE(results[2].err.find("\"event\":\"fatal\""), std::string::npos) << results[2].err;
}

}  // namespace
