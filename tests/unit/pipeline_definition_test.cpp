// Pipeline definitions: every malformed case names the exact JSON Pointer (or
// line and column) and message, since those are what a user acts on.
#include "pipeline/definition.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <unistd.h>

#include <boost/json/serialize.hpp>
#include <gtest/gtest.h>

#include <ferry/plugin.h>

namespace fs = std::filesystem;
using ferry::core::CommitPolicyKind;
using ferry::core::DefinitionError;
using ferry::core::DefinitionIssue;
using ferry::core::OnExhausted;
using ferry::core::PipelineDef;
using ferry::core::StateKind;

namespace {

// The smallest valid definition; tests splice their one mistake into it.
const char* const kSource = R"("source": {"plugin": "file", "config": {"path": "in.csv"}})";
const char* const kSink = R"({"name": "db", "plugin": "sqlite", "config": {"path": "out.db", "table": "orders"}})";

std::string minimal(const std::string& extra = "") {
  return std::string(R"({"name": "orders", )") + kSource + R"(, "sinks": [)" + kSink + "]" + extra + "}";
}

DefinitionError parse_failure(const std::string& text) {
  try {
    ferry::core::parse_pipeline_text(text, "orders.json");
  } catch (const DefinitionError& e) {
    return e;
  }
  ADD_FAILURE() << "parsed without error:\n" << text;
  return DefinitionError("orders.json", {});
}

// Asserts that `text` fails with exactly one issue.
void expect_issue(const std::string& text, const std::string& path, const std::string& message) {
  const DefinitionError e = parse_failure(text);
  ASSERT_EQ(e.issues().size(), 1u) << e.what() << "\n" << text;
  EXPECT_EQ(e.issues()[0].path, path) << text;
  EXPECT_EQ(e.issues()[0].message, message) << text;
  EXPECT_EQ(e.file(), "orders.json");
}

// --- syntax ----------------------------------------------------------------

TEST(PipelineDefinitionSyntax, MissingCommaHasLineAndColumn) {
  const std::string text =
      "{\n"
      "  \"name\": \"orders\",\n"
      "  \"source\": {\"plugin\": \"file\"}\n"
      "  \"sinks\": []\n"
      "}\n";
  const DefinitionError e = parse_failure(text);
  ASSERT_EQ(e.issues().size(), 1u);
  EXPECT_EQ(e.issues()[0].path, "line 4, column 3");
  EXPECT_EQ(e.issues()[0].message, "syntax error: expected ',' or '}'");
  EXPECT_STREQ(e.what(), "orders.json: line 4, column 3: syntax error: expected ',' or '}'");
}

TEST(PipelineDefinitionSyntax, TrailingComma) {
  expect_issue("{\"name\": \"orders\",\n}", "line 2, column 1", "syntax error: trailing comma before '}'");
  expect_issue("{\"a\": [1, 2,]}", "line 1, column 13", "syntax error: trailing comma before ']'");
}

TEST(PipelineDefinitionSyntax, UnexpectedEndOfFile) {
  expect_issue("{\"name\": \"orders\"", "line 1, column 18",
               "syntax error: unexpected end of file, expected ',' or '}'");
  expect_issue("{\"name\": \"ord", "line 1, column 14", "syntax error: unterminated string");
}

TEST(PipelineDefinitionSyntax, MissingColonAndUnquotedKey) {
  expect_issue("{\"name\" \"orders\"}", "line 1, column 9", "syntax error: expected ':' after the key");
  expect_issue("{name: 1}", "line 1, column 2", "syntax error: expected a key in double quotes or '}'");
  expect_issue("{'name': 1}", "line 1, column 2", "syntax error: expected a key in double quotes or '}'");
}

TEST(PipelineDefinitionSyntax, BadValues) {
  expect_issue("{\"a\": tru}", "line 1, column 7", "syntax error: invalid literal 'tru' (expected true, false or null)");
  expect_issue("{\"a\": orders}", "line 1, column 7",
               "syntax error: expected a value, got 'orders' (strings need double quotes)");
  expect_issue("{\"a\": 'x'}", "line 1, column 7", "syntax error: expected a value (strings need double quotes)");
  expect_issue("{\"a\": 1.}", "line 1, column 9", "syntax error: invalid number");
  expect_issue("{\"a\": \"x\\qy\"}", "line 1, column 10", "syntax error: invalid escape sequence '\\q'");
  expect_issue("{\"a\": \"x\ny\"}", "line 1, column 9",
               "syntax error: control character in string (write a line break as \\n, a tab as \\t)");
  expect_issue("{\"a\": \"\\u12g4\"}", "line 1, column 12", "syntax error: invalid \\u escape: expected a hex digit");
  expect_issue("{\"a\": \"\\udc00\"}", "line 1, column 14", "syntax error: illegal trailing surrogate");
  // A high surrogate needs a low one after it; Boost calls the quote that
  // comes instead a plain syntax error.
  expect_issue("{\"a\": \"c\\ud800\"}", "line 1, column 15",
               "syntax error: invalid \\u escape: \\ud800 is the first half of a surrogate pair, and no "
               "\\udc00-\\udfff escape follows it");
  expect_issue("{\"a\": \"\\uDBFFx\"}", "line 1, column 14",
               "syntax error: invalid \\u escape: \\uDBFF is the first half of a surrogate pair, and no "
               "\\udc00-\\udfff escape follows it");
}

TEST(PipelineDefinitionSyntax, CommentsAreRejected) {
  expect_issue("// orders\n{}", "line 1, column 1", "syntax error: expected a value (comments are not allowed in JSON)");
}

TEST(PipelineDefinitionSyntax, TextAfterTheDocument) {
  expect_issue("{}\n\n  {}", "line 3, column 3", "syntax error: unexpected text after the end of the document");
}

TEST(PipelineDefinitionSyntax, ColumnsCountCharactersNotBytes) {
  // "é" is two bytes; the error is at the 'x' after it.
  expect_issue("{\"d\": \"\xC3\xA9\" x}", "line 1, column 11", "syntax error: expected ',' or '}'");
}

TEST(PipelineDefinitionSyntax, DuplicateKey) {
  const std::string text = "{\n  \"name\": \"a\",\n  \"name\": \"b\"\n}";
  const DefinitionError e = parse_failure(text);
  ASSERT_GE(e.issues().size(), 1u);
  EXPECT_EQ(e.issues()[0].path, "line 3, column 3");
  EXPECT_EQ(e.issues()[0].message, "duplicate key 'name' (also at line 2, column 3)");
}

// Sixty thousand repeats in one file (it may be 4 MiB): the first twenty
// are listed with their place, the rest counted. Locating every one took
// minutes.
TEST(PipelineDefinitionSyntax, ManyDuplicateKeysAreCountedNotAllLocated) {
  std::string text = "{\"name\": \"a\"";
  for (int i = 0; i < 60000; ++i) text += ",\"k\": 1";
  text += "}";
  const DefinitionError e = parse_failure(text);
  ASSERT_GE(e.issues().size(), 21u);
  EXPECT_EQ(e.issues()[0].message, "duplicate key 'k' (also at line 1, column 14)");
  EXPECT_EQ(e.issues()[20].message, "59979 more duplicate keys");
}

TEST(PipelineDefinitionSyntax, EmptyFile) {
  const DefinitionError e = parse_failure(" \n\t");
  ASSERT_EQ(e.issues().size(), 1u);
  EXPECT_EQ(e.issues()[0].path, "");
  EXPECT_STREQ(e.what(), "orders.json: the file is empty (expected a JSON object)");
}

TEST(PipelineDefinitionSyntax, TopLevelMustBeAnObject) {
  expect_issue("[1, 2]", "", "expected a JSON object at the top level, got array");
  expect_issue("\"orders\"", "", "expected a JSON object at the top level, got string");
}

TEST(PipelineDefinitionSyntax, ByteOrderMarkIsSkipped) {
  const PipelineDef def = ferry::core::parse_pipeline_text("\xEF\xBB\xBF" + minimal(), "orders.json");
  EXPECT_EQ(def.name, "orders");
}

// --- structure -------------------------------------------------------------

TEST(PipelineDefinitionStructure, MissingName) {
  expect_issue(std::string("{") + kSource + R"(, "sinks": [)" + kSink + "]}", "/name",
               "missing required key 'name'");
}

TEST(PipelineDefinitionStructure, BadName) {
  expect_issue(std::string(R"({"name": "my orders", )") + kSource + R"(, "sinks": [)" + kSink + "]}", "/name",
               "invalid name 'my orders' (use letters, digits, '_', '.' and '-')");
  expect_issue(std::string(R"({"name": 7, )") + kSource + R"(, "sinks": [)" + kSink + "]}", "/name",
               "expected string, got number");
  // Control characters are shown, not sent: a NUL would cut the message
  // where it is read as a C string, an ESC would drive the terminal.
  expect_issue(std::string(R"({"name": "a\u0000b\u001b[31mc", )") + kSource + R"(, "sinks": [)" + kSink + "]}",
               "/name", "invalid name 'a\\x00b\\x1b[31mc' (use letters, digits, '_', '.' and '-')");
}

TEST(PipelineDefinitionStructure, MissingSource) {
  expect_issue(std::string(R"({"name": "orders", "sinks": [)") + kSink + "]}", "/source",
               "missing required key 'source'");
}

TEST(PipelineDefinitionStructure, SourceConfigMustBeAnObject) {
  expect_issue(R"({"name": "o", "source": {"plugin": "file", "config": "in.csv"}, "sinks": [)" + std::string(kSink) +
                   "]}",
               "/source/config", "expected object, got string");
}

TEST(PipelineDefinitionStructure, PluginNameCannotBeAPath) {
  expect_issue(R"({"name": "o", "source": {"plugin": "../evil"}, "sinks": [)" + std::string(kSink) + "]}",
               "/source/plugin", "invalid plugin name '../evil' (use lowercase letters, digits, '_' and '-')");
}

TEST(PipelineDefinitionStructure, MissingPlugin) {
  expect_issue(std::string(R"({"name": "o", )") + kSource + R"(, "sinks": [{"name": "db"}]})", "/sinks/0/plugin",
               "missing required key 'plugin'");
}

TEST(PipelineDefinitionStructure, NoSinks) {
  expect_issue(std::string(R"({"name": "orders", )") + kSource + R"(, "sinks": []})", "/sinks",
               "at least one sink is required");
  expect_issue(std::string(R"({"name": "orders", )") + kSource + "}", "/sinks", "missing required key 'sinks'");
}

TEST(PipelineDefinitionStructure, SinksNotAnArray) {
  expect_issue(std::string(R"({"name": "orders", )") + kSource + R"(, "sinks": )" + kSink + "}", "/sinks",
               "expected array, got object");
}

TEST(PipelineDefinitionStructure, SinkNotAnObject) {
  expect_issue(std::string(R"({"name": "orders", )") + kSource + R"(, "sinks": ["db"]})", "/sinks/0",
               "expected object, got string");
}

TEST(PipelineDefinitionStructure, SinkWithoutName) {
  expect_issue(std::string(R"({"name": "orders", )") + kSource + R"(, "sinks": [{"plugin": "sqlite"}]})",
               "/sinks/0/name", "missing required key 'name'");
}

TEST(PipelineDefinitionStructure, DuplicateSinkNames) {
  expect_issue(std::string(R"({"name": "orders", )") + kSource + R"(, "sinks": [)" + kSink + ", " + kSink + "]}",
               "/sinks/1/name", "duplicate sink name 'db' (also at /sinks/0)");
}

TEST(PipelineDefinitionStructure, DuplicateDefaultedTransformNames) {
  expect_issue(minimal(R"(, "transforms": [{"plugin": "map"}, {"plugin": "map"}])"), "/transforms/1",
               "duplicate transform name 'map' (also at /transforms/0); give each a \"name\"");
}

TEST(PipelineDefinitionStructure, DuplicateHookNames) {
  expect_issue(minimal(R"(, "hooks": {"backlog": [{"name": "h", "plugin": "a"}, {"name": "h", "plugin": "b"}]})"),
               "/hooks/backlog/1/name", "duplicate backlog hook name 'h' (also at /hooks/backlog/0)");
}

TEST(PipelineDefinitionStructure, UnknownTopLevelKey) {
  expect_issue(minimal(R"(, "sinkz": [])"), "/sinkz", "unknown key 'sinkz' (did you mean 'sinks'?)");
}

TEST(PipelineDefinitionStructure, UnknownKeyInASink) {
  expect_issue(std::string(R"({"name": "orders", )") + kSource +
                   R"(, "sinks": [{"name": "db", "plugin": "sqlite", "tabel": "x"}]})",
               "/sinks/0/tabel", "unknown key 'tabel' (known: name, plugin, required, config, retry)");
}

TEST(PipelineDefinitionStructure, UnknownHookKind) {
  expect_issue(minimal(R"(, "hooks": {"commit": []})"), "/hooks/commit",
               "unknown key 'commit' (known: checkpoint, backlog)");
}

TEST(PipelineDefinitionStructure, KeysWithSlashesAreEscapedInPaths) {
  expect_issue(minimal(R"(, "a/b~c": 1)"), "/a~1b~0c",
               "unknown key 'a/b~c' (known: name, description, state, source, transforms, sinks, hooks, batch, "
               "retry, commit_policy, parallelism, lineage, orchestrator)");
}

TEST(PipelineDefinitionStructure, DescriptionMustBeAString) {
  expect_issue(minimal(R"(, "description": ["x"])"), "/description", "expected string, got array");
}

TEST(PipelineDefinitionStructure, RequiredNotABool) {
  expect_issue(std::string(R"({"name": "orders", )") + kSource +
                   R"(, "sinks": [{"name": "db", "plugin": "sqlite", "required": "yes"}]})",
               "/sinks/0/required", "expected boolean, got string");
}

TEST(PipelineDefinitionStructure, BatchLimits) {
  expect_issue(minimal(R"(, "batch": {"max_records": 0})"), "/batch/max_records",
               "must be between 1 and 1000000, got 0");
  expect_issue(minimal(R"(, "batch": {"max_records": -5})"), "/batch/max_records",
               "must be between 1 and 1000000, got -5");
  expect_issue(minimal(R"(, "batch": {"max_records": "100"})"), "/batch/max_records",
               "expected integer, got string");
  expect_issue(minimal(R"(, "batch": {"max_records": 100.0})"), "/batch/max_records",
               "expected integer, got decimal number");
  // Beyond 64 bits JSON's number is read as a double; it is still an integer.
  expect_issue(minimal(R"(, "batch": {"max_records": 99999999999999999999999})"), "/batch/max_records",
               "must be between 1 and 1000000, got 1e+23");
  expect_issue(minimal(R"(, "batch": {"max_records": -1e30})"), "/batch/max_records",
               "must be between 1 and 1000000, got -1e+30");
  expect_issue(minimal(R"(, "batch": {"queue_depth": 65})"), "/batch/queue_depth",
               "must be between 1 and 64, got 65");
  expect_issue(minimal(R"(, "batch": {"max_bytes": 18446744073709551615})"), "/batch/max_bytes",
               "must be between 1 and 1073741824, got 18446744073709551615");
  expect_issue(minimal(R"(, "batch": {"records": 5})"), "/batch/records",
               "unknown key 'records' (known: max_records, max_bytes, queue_depth)");
}

TEST(PipelineDefinitionStructure, CommitPolicy) {
  expect_issue(minimal(R"(, "commit_policy": "most")"), "/commit_policy",
               "expected 'all', 'required' or 'quorum(N)', got 'most'");
  expect_issue(minimal(R"~(, "commit_policy": "quorum(x)")~"), "/commit_policy",
               "expected 'all', 'required' or 'quorum(N)', got 'quorum(x)'");
  expect_issue(minimal(R"~(, "commit_policy": "quorum(2)")~"), "/commit_policy",
               "quorum 2 is more than the number of sinks (1)");
  expect_issue(minimal(R"~(, "commit_policy": "quorum(0)")~"), "/commit_policy", "quorum must be at least 1");
  expect_issue(minimal(R"(, "commit_policy": 2)"), "/commit_policy", "expected string, got number");
}

TEST(PipelineDefinitionStructure, RequiredPolicyNeedsARequiredSink) {
  expect_issue(std::string(R"({"name": "orders", )") + kSource +
                   R"(, "sinks": [{"name": "db", "plugin": "sqlite", "required": false}], "commit_policy": "required"})",
               "/commit_policy", "'required' needs at least one sink with \"required\": true");
}

TEST(PipelineDefinitionStructure, RetryValues) {
  expect_issue(minimal(R"(, "retry": {"on_exhausted": "drop"})"), "/retry/on_exhausted",
               "expected 'dead_letter' or 'fail', got 'drop'");
  expect_issue(minimal(R"(, "retry": {"max_attempts": 0})"), "/retry/max_attempts",
               "must be between 1 and 1000, got 0");
  expect_issue(minimal(R"(, "retry": {"multiplier": 0.5})"), "/retry/multiplier",
               "must be between 1 and 10, got 0.5");
  expect_issue(minimal(R"(, "retry": {"max_delay_ms": 50})"), "/retry/max_delay_ms",
               "max_delay_ms (50) is less than initial_delay_ms (500)");
  expect_issue(minimal(R"(, "retry": {"backoff": 2})"), "/retry/backoff",
               "unknown key 'backoff' (known: max_attempts, initial_delay_ms, max_delay_ms, multiplier, "
               "max_elapsed_ms, on_exhausted)");
}

TEST(PipelineDefinitionStructure, SinkRetryCheckedAfterMerging) {
  // The sink raises only the initial delay, above the pipeline's cap.
  expect_issue(std::string(R"({"name": "orders", )") + kSource +
                   R"(, "retry": {"max_delay_ms": 1000}, "sinks": [{"name": "db", "plugin": "sqlite",
                       "retry": {"initial_delay_ms": 5000}}]})",
               "/sinks/0/retry/initial_delay_ms", "max_delay_ms (1000) is less than initial_delay_ms (5000)");
}

TEST(PipelineDefinitionStructure, BadStateType) {
  expect_issue(minimal(R"(, "state": {"type": "mysql"})"), "/state/type",
               "expected one of 'sqlite', 'memory', 'postgres', got 'mysql'");
  expect_issue(minimal(R"(, "state": "memory")"), "/state", "expected object, got string");
}

TEST(PipelineDefinitionStructure, StateKeysBelongToTheirType) {
  expect_issue(minimal(R"(, "state": {"type": "postgres"})"), "/state/dsn",
               "missing required key 'dsn' for state type 'postgres'");
  expect_issue(minimal(R"(, "state": {"type": "sqlite", "dsn": "host=x"})"), "/state/dsn",
               "'dsn' applies only to state type 'postgres'");
  expect_issue(minimal(R"(, "state": {"type": "memory", "path": "x.db"})"), "/state/path",
               "'path' applies only to state type 'sqlite'");
  expect_issue(minimal(R"(, "state": {"path": ""})"), "/state/path", "must not be empty");
}

TEST(PipelineDefinitionStructure, EveryIssueIsCollected) {
  const DefinitionError e = parse_failure(R"({"name": "bad name", "sinks": [{"plugin": "x"}], "batch": {"queue_depth": 0}})");
  ASSERT_EQ(e.issues().size(), 4u) << e.what();
  EXPECT_EQ(e.issues()[0].path, "/name");
  EXPECT_EQ(e.issues()[1].path, "/source");
  EXPECT_EQ(e.issues()[2].path, "/sinks/0/name");
  EXPECT_EQ(e.issues()[3].path, "/batch/queue_depth");
  EXPECT_STREQ(e.what(), "orders.json: /name: invalid name 'bad name' (use letters, digits, '_', '.' and '-')");
}

// --- environment -----------------------------------------------------------

TEST(PipelineDefinitionEnv, UndefinedVariableNamesItAtItsPath) {
  unsetenv("FERRY_TEST_UNDEFINED");
  expect_issue(std::string(R"({"name": "orders", )") + kSource +
                   R"(, "sinks": [{"name": "db", "plugin": "sqlite", "config": {"password": "${FERRY_TEST_UNDEFINED}"}}]})",
               "/sinks/0/config/password",
               "undefined environment variable 'FERRY_TEST_UNDEFINED' (write ${FERRY_TEST_UNDEFINED:-default} for a default)");
}

TEST(PipelineDefinitionEnv, DefaultsApplyWhenUnsetOrEmpty) {
  unsetenv("FERRY_TEST_UNSET");
  setenv("FERRY_TEST_EMPTY", "", 1);
  setenv("FERRY_TEST_SET", "given", 1);
  const PipelineDef def = ferry::core::parse_pipeline_text(
      std::string(R"({"name": "orders", )") + kSource +
          R"(, "sinks": [{"name": "db", "plugin": "sqlite",
              "config": {"a": "${FERRY_TEST_UNSET:-orders}", "b": "${FERRY_TEST_EMPTY:-x:-y}",
                         "c": "${FERRY_TEST_SET:-unused}", "d": "${FERRY_TEST_UNSET:-}"}}]})",
      "orders.json");
  const boost::json::object& c = def.sinks[0].config;
  EXPECT_EQ(c.at("a"), "orders");
  EXPECT_EQ(c.at("b"), "x:-y");
  EXPECT_EQ(c.at("c"), "given");
  EXPECT_EQ(c.at("d"), "");
  expect_issue(minimal(R"(, "description": "${BAD NAME:-x}")"), "/description",
               "invalid environment variable name 'BAD NAME' (use letters, digits and '_')");
}

// A number in a stage's config is the double nearest its text: Boost.JSON
// alone read 12.100000000000001 as 12.1, so a validate bound or a map
// constant differed from the one written.
TEST(PipelineDefinitionSyntax, ConfigNumbersAreTheDoublesTheirTextSays) {
  const PipelineDef def = ferry::core::parse_pipeline_text(
      std::string(R"({"name": "orders", )") + kSource +
          R"(, "sinks": [{"name": "db", "plugin": "sqlite",
              "config": {"a": 12.100000000000001, "b": [-3830363517.9613123, {"c": 4.1529651721169854e+66}]}}]})",
      "orders.json");
  const boost::json::object& c = def.sinks[0].config;
  EXPECT_EQ(c.at("a").as_double(), 12.100000000000001);
  EXPECT_EQ(c.at("b").as_array()[0].as_double(), -3830363517.9613123);
  EXPECT_EQ(c.at("b").as_array()[1].at("c").as_double(), 4.1529651721169854e+66);
  // Also nested deeper than Boost's default depth (a pipeline may nest 64).
  std::string deep = "12.100000000000001";
  for (int i = 0; i < 40; ++i) deep = "[" + deep + "]";
  const PipelineDef nested = ferry::core::parse_pipeline_text(
      std::string(R"({"name": "orders", )") + kSource +
          R"(, "sinks": [{"name": "db", "plugin": "sqlite", "config": {"a": )" + deep + "}}]}",
      "orders.json");
  const boost::json::value* v = &nested.sinks[0].config.at("a");
  while (v->is_array()) v = &v->as_array()[0];
  EXPECT_EQ(v->as_double(), 12.100000000000001);
}

TEST(PipelineDefinitionEnv, MalformedReferences) {
  expect_issue(minimal(R"(, "description": "cost ${oops")"), "/description",
               "unterminated '${' (write '$${' for a literal '${')");
  expect_issue(minimal(R"(, "description": "${NOT A NAME}")"), "/description",
               "invalid environment variable name 'NOT A NAME' (use letters, digits and '_')");
}

TEST(PipelineDefinitionEnv, SubstitutionAndEscape) {
  setenv("FERRY_TEST_TABLE", "orders_v2", 1);
  setenv("FERRY_TEST_SINK", "sqlite", 1);
  const PipelineDef def = ferry::core::parse_pipeline_text(
      std::string(R"({"name": "orders", )") + kSource +
          R"(, "sinks": [{"name": "db", "plugin": "${FERRY_TEST_SINK}",
              "config": {"table": "t_${FERRY_TEST_TABLE}", "tmpl": "$${FERRY_TEST_TABLE} costs $5",
                         "list": ["${FERRY_TEST_TABLE}", 3], "${FERRY_TEST_TABLE}": "key"}}]})",
      "orders.json");
  ASSERT_EQ(def.sinks.size(), 1u);
  const boost::json::object& c = def.sinks[0].config;
  EXPECT_EQ(def.sinks[0].plugin, "sqlite");
  EXPECT_EQ(c.at("table"), "t_orders_v2");
  EXPECT_EQ(c.at("tmpl"), "${FERRY_TEST_TABLE} costs $5");
  EXPECT_EQ(c.at("list").as_array()[0], "orders_v2");
  EXPECT_EQ(c.at("list").as_array()[1], 3);
  // Keys are not substituted.
  EXPECT_TRUE(c.contains("${FERRY_TEST_TABLE}"));
}

// --- valid definitions -----------------------------------------------------

TEST(PipelineDefinitionValid, DefaultsApplied) {
  const PipelineDef def = ferry::core::parse_pipeline_text(minimal(), "orders.json");
  EXPECT_EQ(def.name, "orders");
  EXPECT_EQ(def.file, (fs::current_path() / "orders.json").lexically_normal());
  EXPECT_EQ(def.base_dir, fs::current_path().lexically_normal());
  EXPECT_EQ(def.state.kind, StateKind::Sqlite);
  EXPECT_EQ(def.state.path, (fs::current_path() / "orders.state.db").lexically_normal());
  EXPECT_EQ(def.source.name, "file");
  EXPECT_EQ(def.source.json_path, "/source");
  EXPECT_TRUE(def.transforms.empty());
  ASSERT_EQ(def.sinks.size(), 1u);
  EXPECT_TRUE(def.sinks[0].required);
  EXPECT_EQ(def.sinks[0].retry.max_attempts, 12u);
  EXPECT_EQ(def.max_batch_records, 1000u);
  EXPECT_EQ(def.max_batch_bytes, 8u * 1024 * 1024);
  EXPECT_EQ(def.queue_depth, 4u);
  EXPECT_EQ(def.retry.initial_delay_ms, 500u);
  EXPECT_EQ(def.retry.max_delay_ms, 10000u);
  EXPECT_DOUBLE_EQ(def.retry.multiplier, 2.0);
  EXPECT_EQ(def.retry.max_elapsed_ms, 120000u);
  EXPECT_EQ(def.retry.on_exhausted, OnExhausted::DeadLetter);
  EXPECT_EQ(def.commit_policy.kind, CommitPolicyKind::All);
  EXPECT_TRUE(def.secrets.empty());
}

TEST(PipelineDefinitionValid, FullDefinition) {
  const std::string text = R"~({
    "name": "orders.v2",
    "description": "orders from the shop export",
    "state": {"type": "sqlite", "path": "state/orders.db"},
    "source": {"name": "export", "plugin": "file", "config": {"path": "in/*.csv"}},
    "transforms": [{"name": "clean", "plugin": "map", "config": {"expr": "x"}}, {"plugin": "filter"}],
    "sinks": [
      {"name": "db", "plugin": "sqlite", "required": true, "config": {"table": "orders"}},
      {"name": "lake", "plugin": "s3", "required": false, "retry": {"max_attempts": 10, "on_exhausted": "fail"}}
    ],
    "hooks": {"checkpoint": [{"plugin": "audit", "config": {"url": "http://x"}}],
              "backlog": [{"name": "pager", "plugin": "webhook"}]},
    "batch": {"max_records": 5000, "max_bytes": 1048576, "queue_depth": 8},
    "retry": {"max_attempts": 3, "initial_delay_ms": 10, "max_delay_ms": 1000, "multiplier": 3,
              "max_elapsed_ms": 60000, "on_exhausted": "dead_letter"},
    "commit_policy": "quorum(2)"
  })~";
  const PipelineDef def = ferry::core::parse_pipeline_text(text, "/etc/ferry/orders.json");
  EXPECT_EQ(def.name, "orders.v2");
  EXPECT_EQ(def.file, fs::path("/etc/ferry/orders.json"));
  EXPECT_EQ(def.base_dir, fs::path("/etc/ferry"));
  EXPECT_EQ(def.state.path, fs::path("/etc/ferry/state/orders.db"));
  EXPECT_EQ(def.source.name, "export");
  EXPECT_EQ(def.source.plugin, "file");
  EXPECT_EQ(def.source.config.at("path"), "in/*.csv");
  ASSERT_EQ(def.transforms.size(), 2u);
  EXPECT_EQ(def.transforms[0].name, "clean");
  EXPECT_EQ(def.transforms[1].name, "filter");
  EXPECT_EQ(def.transforms[1].json_path, "/transforms/1");
  ASSERT_EQ(def.sinks.size(), 2u);
  EXPECT_EQ(def.sinks[0].name, "db");
  EXPECT_TRUE(def.sinks[0].required);
  EXPECT_EQ(def.sinks[0].retry.max_attempts, 3u);
  EXPECT_FALSE(def.sinks[1].required);
  EXPECT_EQ(def.sinks[1].json_path, "/sinks/1");
  ASSERT_EQ(def.checkpoint_hooks.size(), 1u);
  EXPECT_EQ(def.checkpoint_hooks[0].name, "audit");
  EXPECT_EQ(def.checkpoint_hooks[0].json_path, "/hooks/checkpoint/0");
  ASSERT_EQ(def.backlog_hooks.size(), 1u);
  EXPECT_EQ(def.backlog_hooks[0].name, "pager");
  EXPECT_EQ(def.max_batch_records, 5000u);
  EXPECT_EQ(def.max_batch_bytes, 1048576u);
  EXPECT_EQ(def.queue_depth, 8u);
  EXPECT_EQ(def.retry.max_attempts, 3u);
  EXPECT_EQ(def.retry.initial_delay_ms, 10u);
  EXPECT_EQ(def.retry.max_delay_ms, 1000u);
  EXPECT_DOUBLE_EQ(def.retry.multiplier, 3.0);
  EXPECT_EQ(def.retry.max_elapsed_ms, 60000u);
  EXPECT_EQ(def.commit_policy.kind, CommitPolicyKind::Quorum);
  EXPECT_EQ(def.commit_policy.quorum, 2u);
}

TEST(PipelineDefinitionValid, SinkRetryOverridesFieldByField) {
  const PipelineDef def = ferry::core::parse_pipeline_text(
      std::string(R"({"name": "orders", )") + kSource +
          R"(, "retry": {"max_attempts": 3, "multiplier": 1.5},
              "sinks": [{"name": "db", "plugin": "sqlite", "retry": {"max_attempts": 9, "on_exhausted": "fail"}},
                        {"name": "es", "plugin": "es"}]})",
      "orders.json");
  ASSERT_EQ(def.sinks.size(), 2u);
  const auto& own = def.sinks[0].retry;
  EXPECT_EQ(own.max_attempts, 9u);
  EXPECT_EQ(own.on_exhausted, OnExhausted::Fail);
  EXPECT_DOUBLE_EQ(own.multiplier, 1.5);     // from the pipeline
  EXPECT_EQ(own.initial_delay_ms, 500u);     // built-in default
  const auto& inherited = def.sinks[1].retry;
  EXPECT_EQ(inherited.max_attempts, 3u);
  EXPECT_EQ(inherited.on_exhausted, OnExhausted::DeadLetter);
}

TEST(PipelineDefinitionValid, StatePaths) {
  const PipelineDef rel =
      ferry::core::parse_pipeline_text(minimal(R"(, "state": {"path": "../state/o.db"})"), "/srv/p/orders.json");
  EXPECT_EQ(rel.state.path, fs::path("/srv/state/o.db"));
  const PipelineDef abs =
      ferry::core::parse_pipeline_text(minimal(R"(, "state": {"path": "/var/lib/o.db"})"), "/srv/p/orders.json");
  EXPECT_EQ(abs.state.path, fs::path("/var/lib/o.db"));
  const PipelineDef mem = ferry::core::parse_pipeline_text(minimal(R"(, "state": {"type": "memory"})"), "o.json");
  EXPECT_EQ(mem.state.kind, StateKind::Memory);
  EXPECT_TRUE(mem.state.path.empty());
  const PipelineDef pg = ferry::core::parse_pipeline_text(
      minimal(R"(, "state": {"type": "postgres", "dsn": "host=db password=hunter2"})"), "o.json");
  EXPECT_EQ(pg.state.kind, StateKind::Postgres);
  EXPECT_EQ(pg.state.dsn, "host=db password=hunter2");
  EXPECT_EQ(pg.secrets, std::vector<std::string>{"host=db password=hunter2"});
}

TEST(PipelineDefinitionValid, RequiredPolicy) {
  const PipelineDef def = ferry::core::parse_pipeline_text(minimal(R"(, "commit_policy": "required")"), "o.json");
  EXPECT_EQ(def.commit_policy.kind, CommitPolicyKind::Required);
}

// --- files -----------------------------------------------------------------

class PipelineDefinitionFile : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("ferry_pipeline_test_" + std::to_string(getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

TEST_F(PipelineDefinitionFile, ReadsAFile) {
  const fs::path file = dir_ / "orders.json";
  std::ofstream(file) << minimal();
  const PipelineDef def = ferry::core::parse_pipeline_file(file);
  EXPECT_EQ(def.file, file);
  EXPECT_EQ(def.base_dir, dir_);
  EXPECT_EQ(def.state.path, dir_ / "orders.state.db");
}

TEST_F(PipelineDefinitionFile, MissingFile) {
  const fs::path file = dir_ / "nope.json";
  try {
    ferry::core::parse_pipeline_file(file);
    FAIL() << "no error";
  } catch (const DefinitionError& e) {
    EXPECT_EQ(std::string(e.what()), file.string() + ": cannot read file: No such file or directory");
  }
}

TEST_F(PipelineDefinitionFile, DirectoryIsNotAFile) {
  try {
    ferry::core::parse_pipeline_file(dir_);
    FAIL() << "no error";
  } catch (const DefinitionError& e) {
    EXPECT_EQ(std::string(e.what()), dir_.string() + ": cannot read file: Is a directory");
  }
}

// `ferry validate /dev/zero` used to read (and grow) forever.
TEST_F(PipelineDefinitionFile, AnEndlessOrHugeFileIsRefused) {
  try {
    ferry::core::parse_pipeline_file("/dev/zero");
    FAIL() << "no error";
  } catch (const DefinitionError& e) {
    EXPECT_NE(std::string(e.what()).find("larger than 4 MiB"), std::string::npos) << e.what();
  }
}

TEST_F(PipelineDefinitionFile, SyntaxErrorNamesTheFileAsGiven) {
  const fs::path file = dir_ / "broken.json";
  std::ofstream(file) << "{\n  \"name\": \"orders\",\n  \"source\": {\"plugin\": \"file\",}\n}\n";
  try {
    ferry::core::parse_pipeline_file(file);
    FAIL() << "no error";
  } catch (const DefinitionError& e) {
    EXPECT_EQ(std::string(e.what()), file.string() + ": line 3, column 31: syntax error: trailing comma before '}'");
  }
}

// --- plugin options --------------------------------------------------------

const FerryOptionSpec kFileSourceOptions[] = {
    {"path", FERRY_OPTION_STRING, FERRY_OPTION_REQUIRED, nullptr, "files to read"},
    {"format", FERRY_OPTION_STRING, 0, "\"csv\"", "csv or jsonl"},
    {"skip_header", FERRY_OPTION_BOOL, 0, "true", "first line is a header"},
    {"sample", FERRY_OPTION_NUMBER, 0, nullptr, "fraction to read"},
    {"columns", FERRY_OPTION_ARRAY, 0, nullptr, "column names"},
    {"extra", FERRY_OPTION_ANY, 0, nullptr, "anything"},
};
const FerryKindSpec kFileKinds[] = {{FERRY_KIND_SOURCE, 0, "reads files", kFileSourceOptions, 6}};
const FerryPluginDescriptor kFile = {sizeof(FerryPluginDescriptor), FERRY_ABI_VERSION_CURRENT, "file", "1.0.0",
                                     "files", kFileKinds, 1};

const FerryOptionSpec kSqliteSinkOptions[] = {
    {"path", FERRY_OPTION_STRING, FERRY_OPTION_REQUIRED | FERRY_OPTION_DESTINATION | FERRY_OPTION_PATH, nullptr,
     "database file"},
    {"table", FERRY_OPTION_STRING, FERRY_OPTION_REQUIRED | FERRY_OPTION_DESTINATION, nullptr, "target table"},
    {"batch_size", FERRY_OPTION_INT, 0, "500", "rows per statement"},
    {"password", FERRY_OPTION_STRING, FERRY_OPTION_SECRET, nullptr, "encryption key"},
    {"options", FERRY_OPTION_OBJECT, 0, "{\"wal\": true}", "pragmas"},
};
const FerryKindSpec kSqliteKinds[] = {
    {FERRY_KIND_SINK, FERRY_CAP_TRANSACTIONAL, "writes rows", kSqliteSinkOptions, 5}};
const FerryPluginDescriptor kSqlite = {sizeof(FerryPluginDescriptor), FERRY_ABI_VERSION_CURRENT, "sqlite", "1.0.0",
                                       "SQLite", kSqliteKinds, 1};

const FerryKindSpec kNullKinds[] = {{FERRY_KIND_SINK, FERRY_CAP_IDEMPOTENT, "drops rows", nullptr, 0}};
const FerryPluginDescriptor kNull = {sizeof(FerryPluginDescriptor), FERRY_ABI_VERSION_CURRENT, "null", "1.0.0",
                                     "discards", kNullKinds, 1};

const FerryOptionSpec kAuditOptions[] = {
    {"url", FERRY_OPTION_STRING, FERRY_OPTION_REQUIRED, nullptr, "endpoint"},
    {"token", FERRY_OPTION_STRING, FERRY_OPTION_SECRET, nullptr, "bearer token"},
    {"port", FERRY_OPTION_INT, FERRY_OPTION_SECRET, nullptr, "a numeric secret"},
    {"headers", FERRY_OPTION_OBJECT, FERRY_OPTION_SECRET, nullptr, "header name -> value"},
};
const FerryKindSpec kAuditKinds[] = {
    {FERRY_KIND_CHECKPOINT_HOOK, 0, "posts commits", kAuditOptions, 4},
    {FERRY_KIND_BACKLOG_HOOK, 0, "posts failures", kAuditOptions, 4},
};
const FerryPluginDescriptor kAudit = {sizeof(FerryPluginDescriptor), FERRY_ABI_VERSION_CURRENT, "audit", "1.0.0",
                                      "audit", kAuditKinds, 2};

const FerryOptionSpec kBrokenOptions[] = {{"level", FERRY_OPTION_INT, 0, "{oops", "bad default"}};
const FerryKindSpec kBrokenKinds[] = {{FERRY_KIND_TRANSFORM, 0, "broken", kBrokenOptions, 1}};
const FerryPluginDescriptor kBroken = {sizeof(FerryPluginDescriptor), FERRY_ABI_VERSION_CURRENT, "broken", "1.0.0",
                                       "broken", kBrokenKinds, 1};

class TestLookup : public ferry::core::DescriptorLookup {
 public:
  const FerryPluginDescriptor* find(const std::string& plugin) const override {
    static const std::map<std::string, const FerryPluginDescriptor*> all = {
        {"file", &kFile}, {"sqlite", &kSqlite}, {"null", &kNull}, {"audit", &kAudit}, {"broken", &kBroken}};
    const auto it = all.find(plugin);
    return it == all.end() ? nullptr : it->second;
  }
};

PipelineDef parsed(const std::string& text) { return ferry::core::parse_pipeline_text(text, "orders.json"); }

DefinitionError validate_failure(const std::string& text) {
  PipelineDef def = parsed(text);
  try {
    ferry::core::validate_against_plugins(def, TestLookup());
  } catch (const DefinitionError& e) {
    return e;
  }
  ADD_FAILURE() << "validated without error:\n" << text;
  return DefinitionError("orders.json", {});
}

void expect_plugin_issue(const std::string& text, const std::string& path, const std::string& message) {
  const DefinitionError e = validate_failure(text);
  ASSERT_EQ(e.issues().size(), 1u) << e.what() << "\n" << text;
  EXPECT_EQ(e.issues()[0].path, path);
  EXPECT_EQ(e.issues()[0].message, message);
}

std::string with_sink(const std::string& sink, const std::string& extra = "") {
  return std::string(R"({"name": "orders", )") + kSource + R"(, "sinks": [)" + sink + "]" + extra + "}";
}

TEST(PipelineDefinitionPlugins, UnknownPlugin) {
  expect_plugin_issue(with_sink(R"({"name": "db", "plugin": "sqlit"})"), "/sinks/0/plugin", "unknown plugin 'sqlit'");
}

TEST(PipelineDefinitionPlugins, PluginOfTheWrongKind) {
  expect_plugin_issue(R"({"name": "o", "source": {"plugin": "null"}, "sinks": [)" + std::string(kSink) + "]}",
                      "/source/plugin", "plugin 'null' cannot be used as a source; it provides: sink");
  expect_plugin_issue(minimal(R"(, "transforms": [{"plugin": "audit"}])"), "/transforms/0/plugin",
                      "plugin 'audit' cannot be used as a transform; it provides: checkpoint hook, backlog hook");
}

TEST(PipelineDefinitionPlugins, UnknownOption) {
  expect_plugin_issue(with_sink(R"({"name": "db", "plugin": "sqlite", "config": {"path": "o.db", "table": "t", "tabel": "t"}})"),
                      "/sinks/0/config/tabel",
                      "unknown option 'tabel' for sink plugin 'sqlite' (known: path, table, batch_size, password, options)");
  expect_plugin_issue(with_sink(R"({"name": "db", "plugin": "null", "config": {"x": 1}})"), "/sinks/0/config/x",
                      "unknown option 'x' for sink plugin 'null' (it takes no options)");
}

TEST(PipelineDefinitionPlugins, MissingRequiredOption) {
  expect_plugin_issue(with_sink(R"({"name": "db", "plugin": "sqlite", "config": {"path": "o.db"}})"),
                      "/sinks/0/config/table", "missing required option 'table'");
}

TEST(PipelineDefinitionPlugins, WrongOptionType) {
  expect_plugin_issue(with_sink(R"({"name": "db", "plugin": "sqlite", "config": {"path": "o.db", "table": 5}})"),
                      "/sinks/0/config/table", "expected string, got number");
  expect_plugin_issue(
      with_sink(R"({"name": "db", "plugin": "sqlite", "config": {"path": "o.db", "table": "t", "batch_size": 3.0}})"),
      "/sinks/0/config/batch_size", "expected integer, got decimal number");
  expect_plugin_issue(
      with_sink(R"({"name": "db", "plugin": "sqlite", "config": {"path": "o.db", "table": "t", "batch_size": 1e25}})"),
      "/sinks/0/config/batch_size", "expected an integer of 64 bits, got 1e+25");
  expect_plugin_issue(
      with_sink(R"({"name": "db", "plugin": "sqlite", "config": {"path": "o.db", "table": "t", "batch_size": "9"}})"),
      "/sinks/0/config/batch_size", "expected integer, got string");
  expect_plugin_issue(
      with_sink(R"({"name": "db", "plugin": "sqlite", "config": {"path": "o.db", "table": "t", "options": []}})"),
      "/sinks/0/config/options", "expected object, got array");
  expect_plugin_issue(R"({"name": "o", "source": {"plugin": "file", "config": {"path": "x", "skip_header": 1}},
                          "sinks": [)" + std::string(kSink) + "]}",
                      "/source/config/skip_header", "expected boolean, got number");
  expect_plugin_issue(R"({"name": "o", "source": {"plugin": "file", "config": {"path": "x", "columns": "a,b"}},
                          "sinks": [)" + std::string(kSink) + "]}",
                      "/source/config/columns", "expected array, got string");
}

TEST(PipelineDefinitionPlugins, InvalidDefaultIsThePluginsFault) {
  expect_plugin_issue(minimal(R"(, "transforms": [{"plugin": "broken"}])"), "/transforms/0/config/level",
                      "plugin 'broken' declares an invalid default for option 'level' (syntax error)");
}

TEST(PipelineDefinitionPlugins, EveryStageIsCheckedAndAllIssuesCollected) {
  const DefinitionError e = validate_failure(
      R"({"name": "o", "source": {"plugin": "nope"}, "sinks": [{"name": "db", "plugin": "sqlite"}],
          "hooks": {"backlog": [{"plugin": "audit"}]}})");
  ASSERT_EQ(e.issues().size(), 4u) << e.what();
  EXPECT_EQ(e.issues()[0].path, "/source/plugin");
  EXPECT_EQ(e.issues()[1].path, "/sinks/0/config/path");
  EXPECT_EQ(e.issues()[2].path, "/sinks/0/config/table");
  EXPECT_EQ(e.issues()[3].path, "/hooks/backlog/0/config/url");
  EXPECT_EQ(std::string(e.what()),
            (fs::current_path() / "orders.json").string() + ": /source/plugin: unknown plugin 'nope'");
}

TEST(PipelineDefinitionPlugins, NumberAndAnyAcceptWhatTheySay) {
  PipelineDef def = parsed(
      R"({"name": "o", "source": {"plugin": "file", "config": {"path": "x", "sample": 1, "extra": [null, {"a": 1}]}},
          "sinks": [)" + std::string(kSink) + "]}");
  EXPECT_NO_THROW(ferry::core::validate_against_plugins(def, TestLookup()));
}

TEST(PipelineDefinitionPlugins, DefaultsFilledAndSecretsCollected) {
  setenv("FERRY_TEST_TOKEN", "s3cr3t", 1);
  PipelineDef def = parsed(with_sink(
      R"({"name": "db", "plugin": "sqlite", "config": {"path": "o.db", "table": "t", "password": "pw", "batch_size": 20}})",
      R"(, "hooks": {"checkpoint": [{"plugin": "audit", "config": {"url": "http://a", "token": "${FERRY_TEST_TOKEN}", "port": 8443}}],
                     "backlog": [{"plugin": "audit", "config": {"url": "http://a", "token": "pw"}}]})"));
  ferry::core::validate_against_plugins(def, TestLookup());

  const boost::json::object& source = def.source.config;
  EXPECT_EQ(source.at("format"), "csv");
  EXPECT_EQ(source.at("skip_header"), true);
  EXPECT_FALSE(source.contains("sample"));  // optional, no default
  const boost::json::object& sink = def.sinks[0].config;
  EXPECT_EQ(sink.at("batch_size"), 20);      // given values are kept
  EXPECT_EQ(boost::json::serialize(sink.at("options")), R"({"wal":true})");
  EXPECT_EQ(def.secrets, (std::vector<std::string>{"pw", "s3cr3t", "8443"}));
}

// One round lists every problem: the structure's first, then the plugins'.
// A stage the structure already faulted is not checked against a plugin.
// The paths of every issue, structure and plugins together, as `ferry
// validate` reports them.
// `structural`: how many the structure found.
std::vector<std::string> issue_paths(const std::string& text, size_t* structural = nullptr) {
  std::vector<DefinitionIssue> structure;
  PipelineDef def = ferry::core::parse_pipeline_text(text, "p.json", ferry::core::DefinitionUse::kRun, &structure);
  if (structural) *structural = structure.size();
  std::vector<std::string> paths;
  try {
    ferry::core::validate_against_plugins(def, TestLookup(), structure);
    ADD_FAILURE() << "the definition has problems";
  } catch (const DefinitionError& e) {
    for (const DefinitionIssue& issue : e.issues()) paths.push_back(issue.path);
  }
  return paths;
}

TEST(PipelineDefinitionPlugins, StructureAndPluginProblemsAreReportedTogether) {
  size_t structural = 0;
  // A bad name does not stop its stage's plugin check.
  EXPECT_EQ(issue_paths(R"({"name": "x", "source": {"plugin": "sqlit"}, "batch": {"max_records": 0},
          "transforms": [{"name": "bad name!", "plugin": "sqlit"}],
          "sinks": [{"name": "db", "plugin": "sqlite", "config": {"path": "o.db", "table": "t", "x": 1}}]})",
                        &structural),
            (std::vector<std::string>{"/transforms/0/name", "/batch/max_records", "/source/plugin",
                                      "/transforms/0/plugin", "/sinks/0/config/x"}));
  EXPECT_EQ(structural, 2u);
}

// The second of two sinks named alike had its config left unchecked, so
// fixing the name revealed more problems (an outside tester).
TEST(PipelineDefinitionPlugins, ASinkWithADuplicateNameIsStillCheckedAgainstItsPlugin) {
  EXPECT_EQ(issue_paths(R"({"name": "x", "source": {"plugin": "file", "config": {"path": "in.csv"}},
          "sinks": [{"name": "a", "plugin": "null", "config": {"x": 1}},
                    {"name": "a", "plugin": "sqlite", "config": {"path": 5}},
                    {"name": "b", "config": {"y": 1}}]})"),
            (std::vector<std::string>{"/sinks/2/plugin", "/sinks/1/name", "/sinks/0/config/x",
                                      "/sinks/1/config/path", "/sinks/1/config/table"}));
}

// A secret written as "Scheme credentials" (an Authorization header) is
// redacted as a whole and as its credentials alone: a server that echoes
// the token must not put it into another stage's log line.
TEST(PipelineDefinitionPlugins, TheCredentialsOfAnAuthorizationValueAreSecretsToo) {
  PipelineDef def = parsed(with_sink(
      R"({"name": "db", "plugin": "sqlite", "config": {"path": "o.db", "table": "t", "password": "Bearer TokA1234"}})"));
  ferry::core::validate_against_plugins(def, TestLookup());
  EXPECT_EQ(def.secrets, (std::vector<std::string>{"Bearer TokA1234", "TokA1234"}));

  // Only a value shaped "Scheme credentials" has credentials: the last word
  // of a pass phrase is no secret of its own (redacting "2024" everywhere
  // would mangle file names and counts).
  PipelineDef phrase = parsed(with_sink(
      R"({"name": "db", "plugin": "sqlite", "config": {"path": "o.db", "table": "t", "password": "my pass 2024"}})"));
  ferry::core::validate_against_plugins(phrase, TestLookup());
  EXPECT_EQ(phrase.secrets, (std::vector<std::string>{"my pass 2024"}));
}

// A secret object (HTTP headers) is secret value by value: a server echoes
// one header's value, never the object's JSON text.
TEST(PipelineDefinitionPlugins, EveryValueOfASecretObjectIsASecret) {
  PipelineDef def = parsed(with_sink(
      R"({"name": "db", "plugin": "sqlite", "config": {"path": "o.db", "table": "t"}})",
      R"(, "hooks": {"checkpoint": [{"plugin": "audit", "config": {"url": "http://a",
           "headers": {"X-Key": "k3y-value", "Authorization": "Bearer TokB5678", "X-Nested": ["n3sted-value"]}}}]})"));
  ferry::core::validate_against_plugins(def, TestLookup());
  for (const std::string expected : {"k3y-value", "Bearer TokB5678", "TokB5678", "n3sted-value"})
    EXPECT_NE(std::find(def.secrets.begin(), def.secrets.end(), expected), def.secrets.end()) << expected;
}

// Whatever option holds a URL, credentials written into it are secrets,
// and so is the Basic header an HTTP client builds from them.
TEST(PipelineDefinitionPlugins, CredentialsInAnyUrlAreSecrets) {
  PipelineDef def = parsed(with_sink(
      R"({"name": "db", "plugin": "sqlite", "config": {"path": "o.db", "table": "t"}})",
      R"(, "hooks": {"checkpoint": [{"plugin": "audit", "config": {"url": "https://bob:pa%40ss@h.example/x"}}]})"));
  ferry::core::validate_against_plugins(def, TestLookup());
  for (const std::string expected : {"bob:pa%40ss", "pa%40ss", "bob:pa@ss", "Ym9iOnBhQHNz"})
    EXPECT_NE(std::find(def.secrets.begin(), def.secrets.end(), expected), def.secrets.end()) << expected;
}

// Two sinks get the same records: writing them to one place duplicates or
// overwrites one sink's output with the other's.
TEST(PipelineDefinitionPlugins, TwoSinksWritingToOnePlaceAreRefused) {
  expect_plugin_issue(
      with_sink(R"({"name": "a", "plugin": "sqlite", "config": {"path": "out.db", "table": "t"}},
                   {"name": "b", "plugin": "null"},
                   {"name": "c", "plugin": "sqlite", "config": {"path": "./sub/../out.db", "table": "t"}})"),
      "/sinks/2/config",
      "sink 'c' writes where sink 'a' does (path \"./sub/../out.db\", table \"t\"): each would duplicate "
      "or overwrite the other's records; give one of them another path or table");
}

TEST(PipelineDefinitionPlugins, SinksOfOnePluginWithAnotherDestinationAreAccepted) {
  PipelineDef def = parsed(with_sink(R"({"name": "a", "plugin": "sqlite", "config": {"path": "out.db", "table": "t"}},
      {"name": "b", "plugin": "sqlite", "config": {"path": "out.db", "table": "u"}},
      {"name": "c", "plugin": "sqlite", "config": {"path": "other.db", "table": "t"}},
      {"name": "d", "plugin": "null"}, {"name": "e", "plugin": "null"})"));
  EXPECT_NO_THROW(ferry::core::validate_against_plugins(def, TestLookup()));
}

TEST(PipelineDefinitionPlugins, ASinkWritingIntoTheStateStoreFileIsRefused) {
  expect_plugin_issue(with_sink(R"({"name": "a", "plugin": "sqlite", "config": {"path": "out.db", "table": "t"}})",
                                R"(, "state": {"type": "sqlite", "path": "./out.db"})"),
                      "/sinks/0/config/path",
                      "sink 'a' writes into the state store's database file (/state/path); give the sink or "
                      "the state store another file");
  // The default state file is named after the pipeline.
  expect_plugin_issue(
      with_sink(R"({"name": "a", "plugin": "sqlite", "config": {"path": "orders.state.db", "table": "t"}})"),
      "/sinks/0/config/path",
      "sink 'a' writes into the state store's database file (/state/path); give the sink or the state store "
      "another file");
  PipelineDef memory = parsed(with_sink(R"({"name": "a", "plugin": "sqlite", "config": {"path": "out.db", "table": "t"}})",
                                        R"(, "state": {"type": "memory"})"));
  EXPECT_NO_THROW(ferry::core::validate_against_plugins(memory, TestLookup()));
}

}  // namespace

TEST(PipelineDefinitionOperations, ParallelismIsAutoOrABoundedNumber) {
  using ferry::core::parse_pipeline_text;
  const std::string base = R"({"name": "p", "source": {"plugin": "generator"},
    "sinks": [{"name": "s", "plugin": "null"}], )";
  EXPECT_EQ(parse_pipeline_text(base + R"("parallelism": "auto"})", "p.json").parallelism, 0u);
  EXPECT_EQ(parse_pipeline_text(base + R"("parallelism": 8})", "p.json").parallelism, 8u);
  EXPECT_EQ(parse_pipeline_text(base + R"("lineage": true})", "p.json").lineage, true);
  try {
    parse_pipeline_text(base + R"("parallelism": 0})", "p.json");
    FAIL() << "no error";
  } catch (const DefinitionError& e) {
    EXPECT_EQ(e.issues()[0].path, "/parallelism");
  }
  EXPECT_THROW(parse_pipeline_text(base + R"("parallelism": "many"})", "p.json"), DefinitionError);
}
