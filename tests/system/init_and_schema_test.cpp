// `ferry init` writes pipelines that validate as written, and `ferry schema`
// is a JSON Schema that a real validator (python3-jsonschema, Draft 2020-12)
// accepts, that passes those pipelines and refuses broken ones.
#include <gtest/gtest.h>

#include "support/scenario_env.h"

namespace {

using ferry::test::ScenarioDir;

const std::vector<std::string> kTemplates = {"file", "postgres", "mysql", "s3", "elasticsearch"};
const std::vector<std::string> kEnv = {"AWS_ACCESS_KEY_ID=example", "AWS_SECRET_ACCESS_KEY=example"};

// Exit code and output of validating each file against the schema.
ferry::test::ProcessResult check_with_schema(const std::string& schema_file, const std::vector<std::string>& files) {
  std::vector<std::string> argv{"/usr/bin/python3", "-c", R"(
import json, sys, jsonschema
schema = json.load(open(sys.argv[1]))
jsonschema.Draft202012Validator.check_schema(schema)
v = jsonschema.Draft202012Validator(schema)
bad = 0
for f in sys.argv[2:]:
    errors = list(v.iter_errors(json.load(open(f))))
    print(f, "ok" if not errors else "INVALID: " + "; ".join(e.message[:120] for e in errors))
    bad += bool(errors)
sys.exit(1 if bad else 0)
)",
                                schema_file};
  argv.insert(argv.end(), files.begin(), files.end());
  return ferry::test::run_process(argv);
}

TEST(Init, EveryTemplateValidatesAsWrittenAndTheFileOneRuns) {
  ScenarioDir d("init");
  for (const std::string& t : kTemplates) {
    const std::string file = d.file(t + "/pipeline.json");
    auto init = ferry::test::ferry({"init", t, "--output", file});
    ASSERT_EQ(init.exit_code, 0) << init.err;
    auto v = ferry::test::ferry({"validate", file}, kEnv);
    EXPECT_EQ(v.exit_code, 0) << t << ": " << v.err;
  }
  auto run = ferry::test::ferry({"run", "--no-progress", d.file("file/pipeline.json")});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(ferry::test::sqlite_rows(d.file("file/orders.db"), "SELECT count(*) FROM orders")[0][0], "3");

  auto again = ferry::test::ferry({"init", "file", "--output", d.file("file/pipeline.json")});
  EXPECT_EQ(again.exit_code, 2);
  EXPECT_NE(again.err.find("--force"), std::string::npos) << again.err;
  auto unknown = ferry::test::ferry({"init", "oracle", "--output", d.file("x.json")});
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_NE(unknown.err.find("templates: elasticsearch, file, mysql, postgres, s3"), std::string::npos) << unknown.err;
}

TEST(Schema, AValidatorAcceptsItAndItJudgesPipelinesAsFerryDoes) {
  ScenarioDir d("schema");
  auto schema = ferry::test::ferry({"schema"});
  ASSERT_EQ(schema.exit_code, 0) << schema.err;
  ferry::test::write_file(d.file("schema.json"), schema.out);

  std::vector<std::string> good{FERRY_SOURCE_DIR "/examples/quickstart.json"};
  for (const std::string& t : kTemplates) {
    good.push_back(d.file(t + ".json"));
    ASSERT_EQ(ferry::test::ferry({"init", t, "--output", good.back()}).exit_code, 0);
  }
  auto ok = check_with_schema(d.file("schema.json"), good);
  EXPECT_EQ(ok.exit_code, 0) << ok.out << ok.err;

  // What `ferry validate` refuses, the schema refuses too.
  const std::string base = R"("name": "b", "source": {"plugin": "generator"})";
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"unknown_option.json", "{" + base + R"(, "sinks": [{"name": "db", "plugin": "sqlite", "config": {"path": "a.db", "tabel": "t"}}]})"},
      {"missing_required.json", "{" + base + R"(, "sinks": [{"name": "db", "plugin": "sqlite", "config": {"path": "a.db"}}]})"},
      {"out_of_range.json", "{" + base + R"(, "sinks": [{"name": "db", "plugin": "null"}], "batch": {"max_records": 0}})"},
      {"unknown_key.json", "{" + base + R"(, "sinkz": []})"},
      {"wrong_type.json", "{" + base + R"(, "sinks": [{"name": "db", "plugin": "sqlite", "config": {"path": "a.db", "table": 3}}]})"}};
  for (const auto& [name, text] : bad) {
    ferry::test::write_file(d.file(name), text);
    EXPECT_NE(ferry::test::ferry({"validate", d.file(name)}).exit_code, 0) << name;
    auto r = check_with_schema(d.file("schema.json"), {d.file(name)});
    EXPECT_EQ(r.exit_code, 1) << name << ": " << r.out << r.err;
    EXPECT_NE(r.out.find("INVALID"), std::string::npos) << name << ": " << r.out << r.err;
  }
}

}  // namespace
