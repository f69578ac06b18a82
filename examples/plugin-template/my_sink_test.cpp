// Unit tests of my-sink through its C ABI, with the SDK's harness (no
// `ferry`, no pipeline): what the host would see, call by call. Plain C++;
// use the test framework you like instead of check().
#include <ferry/testing/plugin_harness.hpp>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

namespace {

int failures = 0;

void check(bool ok, const std::string& what) {
  if (!ok) {
    std::fprintf(stderr, "FAILED: %s\n", what.c_str());
    ++failures;
  }
}

std::string read(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

int main(int argc, char** argv) {
  using namespace ferry::testing;
  if (argc != 3) {
    std::fprintf(stderr, "usage: my_sink_test PLUGIN.so WORK_DIR\n");
    return 2;
  }
  const std::string out = std::string(argv[2]) + "/unit.jsonl";
  std::remove(out.c_str());
  Plugin plugin(argv[1]);
  SinkHandle sink(plugin, {R"({"path": "unit.jsonl"})", argv[2]});
  check(sink.open_status() == FERRY_OK, "open: " + sink.host().last_error());

  const std::vector<Column> columns = {{"id", FERRY_TYPE_INT64}, {"name", FERRY_TYPE_STRING}, {"raw", FERRY_TYPE_BYTES}};
  // Staged, then aborted: never reaches the file.
  check(sink.write(make_batch(columns, {{{Value::int64(1), Value::string("gone")}, "1", "1"}})) == FERRY_OK,
        "first write");
  check(sink.abort() == FERRY_OK, "abort");
  // A row the sink cannot represent is refused with a reason; the other commits.
  std::vector<SinkHandle::Rejected> rejected;
  const OwnedBatch batch = make_batch(columns, {{{Value::int64(2), Value::string("kept")}, "2", "2"},
                                                {{Value::int64(3), Value::null(), Value::bytes("\x01")}, "3", "3"}});
  check(sink.write(batch, &rejected) == FERRY_OK, "second write");
  check(rejected.size() == 1 && rejected[0].row == 1 && rejected[0].status == FERRY_INVALID_DATA,
        "the BYTES row is refused, and only it");
  check(sink.commit("p0", "3") == FERRY_OK, "commit: " + sink.host().last_error());
  check(read(out) == "{\"id\":2,\"name\":\"kept\",\"raw\":null}\n", "the file holds exactly the committed row: " + read(out));

  if (failures == 0) std::printf("my_sink_test: all checks passed\n");
  return failures == 0 ? 0 : 1;
}
