// What the host says when a plugin breaks the ABI's rules: a fatal signal
// in plugin code, an exception escaping an extern "C" call, a status code
// the ABI does not define. Each message names plugin, stage and call, and
// nothing past the last commit counts as written.
#include <gtest/gtest.h>

#include <signal.h>

#include "support/subprocess.h"
#include "support/temp_dir.h"

namespace {

using ferry::test::ProcessResult;

// Under a sanitizer its own report comes first and may end the process
// another way (ASan aborts: the report then names SIGABRT); the line naming
// the plugin is what must be there either way.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
constexpr bool kSanitized = true;
#else
constexpr bool kSanitized = false;
#endif

void expect_killed_by_segv(const ProcessResult& r) {
  if (kSanitized) {
    EXPECT_NE(r.exit_code, 0) << r.err;
  } else {
    EXPECT_EQ(r.signal, SIGSEGV) << r.err;
  }
}

class PluginDiagnostics : public ::testing::Test {
 protected:
  ProcessResult run(const std::string& misbehave, const std::string& log_format = "text") {
    const std::string file = dir_.file("p.json");
    ferry::test::write_file(file, R"({"name": "diag", "state": {"type": "sqlite", "path": "state.db"},
      "source": {"plugin": "generator", "config": {"count": 10}},
      "sinks": [{"name": "out", "plugin": "misbehaving", "config": {"misbehave": ")" +
                                      misbehave + R"("}}]})");
    return ferry::test::run_process({FERRY_TEST_BINARY, "--plugin-path", FERRY_TEST_FIXTURE_DIR, "--log-format",
                                     log_format, "run", "--no-progress", file});
  }
  ProcessResult status() {
    return ferry::test::run_process({FERRY_TEST_BINARY, "--plugin-path", FERRY_TEST_FIXTURE_DIR, "status", "--json",
                                     dir_.file("p.json")});
  }
  ferry::test::TempDir dir_;
};

TEST_F(PluginDiagnostics, ASegfaultInPluginCodeNamesPluginStageAndCall) {
  const ProcessResult r = run("segfault");
  expect_killed_by_segv(r);
  EXPECT_NE(r.err.find(kSanitized ? " in plugin 'misbehaving' during its write call (stage 'out')"
                                  : "ferry: fatal: SIGSEGV in plugin 'misbehaving' during its write call (stage 'out')"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("was not committed"), std::string::npos) << r.err;
  // The state store shows the run as ended, not running forever.
  const ProcessResult s = status();
  ASSERT_EQ(s.exit_code, 0) << s.err;
  EXPECT_NE(s.out.find("\"status\":\"failed\""), std::string::npos) << s.out;
  EXPECT_EQ(s.out.find("\"status\":\"running\""), std::string::npos) << s.out;

  // The next run records the crashed one with what the dying process said,
  // and delivers everything (the crashed batch was never committed).
  const ProcessResult fixed = run("none");
  ASSERT_EQ(fixed.exit_code, 0) << fixed.err;
  EXPECT_NE(fixed.out.find("written 10,"), std::string::npos) << fixed.out;
  const ProcessResult after = status();
  EXPECT_NE(after.out.find(kSanitized ? " in plugin 'misbehaving' during its write call (stage 'out')"
                                      : "\"crashed: SIGSEGV in plugin 'misbehaving' during its write call (stage 'out')\""),
            std::string::npos)
      << after.out;
}

TEST_F(PluginDiagnostics, UnderJsonLogsTheCrashReportIsOneJsonObject) {
  const ProcessResult r = run("segfault", "json");
  expect_killed_by_segv(r);
  const size_t at = r.err.find("{\"level\":\"error\",\"event\":\"plugin_crash\"");
  ASSERT_NE(at, std::string::npos) << r.err;
  const std::string line = r.err.substr(at, r.err.find('\n', at) - at);
  EXPECT_NE(line.find("\"plugin\":\"misbehaving\",\"stage\":\"out\",\"call\":\"write\"}"), std::string::npos)
      << line;
  if (!kSanitized) {
    EXPECT_NE(line.find("\"signal\":\"SIGSEGV\""), std::string::npos) << line;
  }
}

TEST_F(PluginDiagnostics, AnEscapedExceptionNamesStagePluginAndCall) {
  const ProcessResult r = run("throw");
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("out (plugin 'misbehaving') write: an exception escaped the plugin"), std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("misbehaving sink threw on purpose"), std::string::npos) << r.err;
}

TEST_F(PluginDiagnostics, AnUnknownStatusCodeIsReportedByNumber) {
  const ProcessResult r = run("status");
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("status 77, unknown to this host"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("plugin 'misbehaving'"), std::string::npos) << r.err;
}

}  // namespace
