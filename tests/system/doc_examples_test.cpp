// Every pipeline a reader can copy from README.md, docs/ and examples/
// passes `ferry validate`, so an example cannot drift from what Ferry
// accepts. A code block that parses as a JSON object with "source" and
// "sinks" is a pipeline; one with "plugin" and "config" is a stage, checked
// inside the smallest pipeline that can hold it.
//
// The test supplies what an example assumes of its reader's machine: every
// ${VAR} it names is set, S3 credentials are in the environment, and the
// input files its file source names exist. The plugin author's guide shows
// pipelines for the plugin the reader is writing ("lines", "my-sink"): for
// those, the plugin being unknown must be the only problem reported.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "support/subprocess.h"
#include "support/temp_dir.h"

namespace {

namespace fs = std::filesystem;

struct Block {
  std::string where;  // file:line of the opening fence
  std::string text;
};

std::vector<Block> code_blocks(const fs::path& file) {
  std::ifstream in(file);
  std::vector<Block> out;
  std::string line;
  int n = 0;
  bool inside = false;
  Block current;
  while (std::getline(in, line)) {
    ++n;
    const size_t indent = line.find_first_not_of(' ');
    const bool fence = indent != std::string::npos && line.compare(indent, 3, "```") == 0;
    if (fence && !inside) {
      inside = true;
      current = Block{fs::relative(file, FERRY_SOURCE_DIR).string() + ":" + std::to_string(n), ""};
    } else if (fence) {
      inside = false;
      out.push_back(current);
    } else if (inside) {
      current.text += line + "\n";
    }
  }
  return out;
}

std::vector<fs::path> documents() {
  std::vector<fs::path> files{fs::path(FERRY_SOURCE_DIR) / "README.md"};
  for (const char* dir : {"docs", "examples"})
    for (const auto& e : fs::recursive_directory_iterator(fs::path(FERRY_SOURCE_DIR) / dir))
      if (e.is_regular_file() && e.path().extension() == ".md") files.push_back(e.path());
  return files;
}

// The ${VAR}s of a text, as NAME=value for the child's environment.
std::vector<std::string> environment_for(const std::string& text) {
  std::vector<std::string> env{"AWS_ACCESS_KEY_ID=example", "AWS_SECRET_ACCESS_KEY=example"};
  static const std::regex var(R"(\$\{([A-Za-z_][A-Za-z0-9_]*)\})");
  for (auto it = std::sregex_iterator(text.begin(), text.end(), var); it != std::sregex_iterator(); ++it)
    env.push_back((*it)[1].str() + "=example");
  return env;
}

// Creates the files a file source's "paths" names ("*" matched by one file).
void create_inputs(const boost::json::object& pipeline, const fs::path& dir) {
  const boost::json::value* source = pipeline.if_contains("source");
  if (source == nullptr || !source->is_object()) return;
  const boost::json::value* plugin = source->as_object().if_contains("plugin");
  const boost::json::value* config = source->as_object().if_contains("config");
  if (plugin == nullptr || *plugin != "file" || config == nullptr || !config->is_object()) return;
  const boost::json::value* paths = config->as_object().if_contains("paths");
  if (paths == nullptr) return;
  std::vector<std::string> names;
  if (paths->is_string()) names.emplace_back(paths->as_string());
  if (paths->is_array())
    for (const auto& p : paths->as_array())
      if (p.is_string()) names.emplace_back(p.as_string());
  for (std::string name : names) {
    for (size_t star; (star = name.find('*')) != std::string::npos;) name.replace(star, 1, "example");
    const fs::path file = fs::path(name).is_absolute() ? fs::path(name) : dir / name;
    fs::create_directories(file.parent_path());
    std::ofstream(file) << "id\n1\n";
  }
}

std::string validate(const std::string& pipeline_json, const std::string& env_text, const fs::path& dir) {
  const fs::path file = dir / "example.json";
  std::ofstream(file) << pipeline_json;
  create_inputs(boost::json::parse(pipeline_json).as_object(), dir);
  auto r = ferry::test::run_process({FERRY_TEST_BINARY, "validate", file.string()}, environment_for(env_text));
  if (r.exit_code == 0) return "";
  const std::string out = r.out + r.err;
  static const std::regex only_the_readers_plugin(
      R"(ferry: error: \S+: /sinks/0/plugin: unknown plugin '(lines|my-sink)'; [^\n]*\n)");
  return std::regex_match(out, only_the_readers_plugin) ? "" : out;
}

// A stage example, inside the smallest pipeline that has a place for it.
std::string validate_stage(const boost::json::object& stage, const std::string& text, const fs::path& dir) {
  boost::json::object named = stage;
  if (!named.contains("name")) named["name"] = "example";
  const std::string s = boost::json::serialize(named);
  const std::string gen = R"({"plugin": "generator", "config": {"count": 1}})";
  const std::string null_sink = R"([{"name": "out", "plugin": "null"}])";
  const std::string tries[] = {
      R"({"name": "example", "source": )" + gen + R"(, "sinks": [)" + s + "]}",
      R"({"name": "example", "source": )" + gen + R"(, "transforms": [)" + s + R"(], "sinks": )" + null_sink + "}",
      R"({"name": "example", "source": )" + s + R"(, "sinks": )" + null_sink + "}",
      R"({"name": "example", "source": )" + gen + R"(, "sinks": )" + null_sink + R"(, "hooks": {"checkpoint": [)" + s + "]}}",
      R"({"name": "example", "source": )" + gen + R"(, "sinks": )" + null_sink + R"(, "hooks": {"backlog": [)" + s + "]}}"};
  std::string first_failure;
  for (const std::string& json : tries) {
    const std::string failure = validate(json, text, dir);
    if (failure.empty()) return "";
    // A plugin of another kind: try the next place.
    if (failure.find("cannot be used as") != std::string::npos) continue;
    return failure;
  }
  return "no place in a pipeline takes this stage";
}

TEST(DocExamples, EveryPipelineInTheDocsValidates) {
  int pipelines = 0, stages = 0;
  for (const fs::path& doc : documents()) {
    for (const Block& b : code_blocks(doc)) {
      boost::system::error_code ec;
      boost::json::value v = boost::json::parse(b.text, ec);
      if (ec || !v.is_object()) continue;  // not JSON: shell, C, a fragment
      const boost::json::object& o = v.as_object();
      ferry::test::TempDir dir;
      if (o.contains("source") && o.contains("sinks")) {
        ++pipelines;
        EXPECT_EQ(validate(b.text, b.text, dir.path()), "") << "the pipeline at " << b.where;
      } else if (o.contains("plugin") && o.contains("config")) {
        ++stages;
        EXPECT_EQ(validate_stage(o, b.text, dir.path()), "") << "the stage at " << b.where;
      }
    }
  }
  // The docs hold a dozen or so; finding none means the search broke.
  EXPECT_GE(pipelines, 5);
  std::cout << pipelines << " pipeline(s) and " << stages << " stage(s) validated\n";
}

TEST(DocExamples, EveryExamplePipelineFileValidates) {
  int files = 0;
  for (const auto& e : fs::directory_iterator(fs::path(FERRY_SOURCE_DIR) / "examples")) {
    if (e.path().extension() != ".json") continue;
    ++files;
    auto r = ferry::test::run_process({FERRY_TEST_BINARY, "validate", e.path().string()});
    EXPECT_EQ(r.exit_code, 0) << e.path() << ": " << r.out << r.err;
  }
  EXPECT_GE(files, 1);
}

TEST(DocExamples, ThePluginOptionReferenceSaysWhatThePluginsDeclare) {
  std::ifstream in(fs::path(FERRY_SOURCE_DIR) / "docs/reference/plugins.md");
  std::stringstream page;
  page << in.rdbuf();
  auto r = ferry::test::run_process(
      {FERRY_TEST_BINARY, "--plugin-path", FERRY_TEST_PLUGIN_DIR, "plugins", "--markdown"}, {"FERRY_PLUGIN_PATH="});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_GT(r.out.size(), 10000u);
  EXPECT_TRUE(page.str() == r.out)
      << "docs/reference/plugins.md differs from `ferry plugins --markdown`: run scripts/plugin-reference.sh";
}

}  // namespace
