// Workers sharing a pipeline through PostgreSQL state: separate `ferry run`
// processes on one real PostgreSQL 15, claiming partitions with leases,
// fenced by tokens. What every test checks in the end is the target: each
// source row in it exactly once.
//
// Waits poll what the processes did (rows landed, leases taken over), with
// deadlines that only matter when a test fails; no test depends on how
// long anything takes.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <signal.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <random>
#include <regex>
#include <thread>

#include "engine/commit_intent.h"
#include "engine/engine.h"
#include "pipeline/definition.h"
#include "plugin/registry.h"
#include "state/state_store.h"
#include "support/forwarding_state_store.h"
#include "support/plugin_harness.h"
#include "support/servers.h"
#include "support/subprocess.h"
#include "support/temp_dir.h"

namespace {

using ferry::test::PgServer;
using ferry::test::Process;
using ferry::test::TempDir;
using Clock = std::chrono::steady_clock;

// A batch of one row, {id}, for the sink tests.
ferry::test::OwnedBatch batch(int64_t id) {
  static const std::vector<ferry::test::Column> columns{{"id", FERRY_TYPE_INT64}};
  ferry::test::Row row;
  row.values = {ferry::test::Value::int64(id)};
  return ferry::test::make_batch(columns, {row});
}

void expect_open(ferry::test::SinkHandle& sink) { ASSERT_EQ(sink.open_status(), FERRY_OK) << sink.host().last_error(); }

class ScaleOut : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { server_ = std::make_unique<PgServer>(); }
  static void TearDownTestSuite() { server_.reset(); }
  static PgServer& pg() { return *server_; }

  // A state database and a data database of this test's own.
  void SetUp() override {
    const std::string name = ::testing::UnitTest::GetInstance()->current_test_info()->name();
    state_db_ = "st_" + std::to_string(std::hash<std::string>()(name) % 100000);
    data_db_ = "dt_" + std::to_string(std::hash<std::string>()(name) % 100000);
    for (const std::string& db : {state_db_, data_db_}) {
      pg().psql("DROP DATABASE IF EXISTS " + db);
      pg().psql("CREATE DATABASE " + db);
    }
  }

  void make_source(int64_t rows) {
    data("CREATE TABLE src (id bigint PRIMARY KEY, v text NOT NULL)");
    insert_source(1, rows);
  }
  void insert_source(int64_t from, int64_t to) {
    data("INSERT INTO src SELECT g, 'v' || g FROM generate_series(" + std::to_string(from) + ", " +
         std::to_string(to) + ") g");
  }
  std::string data(const std::string& sql) { return pg().psql(sql, data_db_); }
  std::string state(const std::string& sql) { return pg().psql(sql, state_db_); }
  int64_t number(const std::string& text) { return text.empty() ? 0 : std::stoll(text); }

  // src -> dst (append: a row written twice would show as a duplicate id).
  void define(int partitions, int batch) {
    const std::string json = R"({"name": "scale", "state": {"type": "postgres", "dsn": ")" + pg().dsn(state_db_) +
                             R"("}, "source": {"plugin": "postgres", "config": {"dsn": ")" + pg().dsn(data_db_) +
                             R"(", "table": "src", "cursor": ["id"], "partition_column": "id", "partitions": )" +
                             std::to_string(partitions) + R"(}}, "batch": {"max_records": )" + std::to_string(batch) +
                             R"(}, "sinks": [{"name": "db", "plugin": "postgres", "config": {"dsn": ")" +
                             pg().dsn(data_db_) + R"(", "table": "dst", "create_table": true}}]})";
    ferry::test::write_file(dir_.file("p.json"), json);
  }

  std::unique_ptr<Process> worker(const std::string& tag, std::vector<std::string> extra = {}) {
    std::vector<std::string> argv{FERRY_TEST_BINARY, "--plugin-path", FERRY_TEST_FIXTURE_DIR, "run", "--no-progress"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    argv.push_back(dir_.file("p.json"));
    return std::make_unique<Process>(argv, std::vector<std::string>{}, out(tag), err(tag));
  }
  std::string out(const std::string& tag) const { return dir_.file(tag + ".out"); }
  std::string err(const std::string& tag) const { return dir_.file(tag + ".err"); }
  std::string said(const std::string& tag) const {
    return ferry::test::slurp(out(tag)) + ferry::test::slurp(err(tag));
  }

  // Every source row in dst exactly once.
  void expect_exact() {
    const std::string src = data("SELECT count(*), coalesce(sum(id), 0) FROM src");
    EXPECT_EQ(data("SELECT count(*), coalesce(sum(id), 0) FROM dst"), src);
    EXPECT_EQ(data("SELECT count(*) FROM (SELECT id FROM dst GROUP BY id HAVING count(*) > 1) d"), "0\n")
        << "rows written twice";
    EXPECT_EQ(data("SELECT count(*) FROM src WHERE id NOT IN (SELECT id FROM dst)"), "0\n") << "rows lost";
  }

  // Waits until `done` holds; false at the deadline.
  template <class F>
  bool eventually(F done, std::chrono::seconds deadline = std::chrono::seconds(120)) {
    const auto until = Clock::now() + deadline;
    while (!done()) {
      if (Clock::now() > until) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return true;
  }

  // "worker 7: 5 partition(s) finished" in a summary line.
  static int64_t finished_partitions(const std::string& text) {
    std::smatch m;
    if (!std::regex_search(text, m, std::regex(R"(worker \d+: (\d+) partition\(s\) finished)"))) return -1;
    return std::stoll(m[1]);
  }

  static std::unique_ptr<PgServer> server_;
  TempDir dir_;
  std::string state_db_, data_db_;
};
std::unique_ptr<PgServer> ScaleOut::server_;

TEST_F(ScaleOut, ThreeWorkersReadEachOfSixteenPartitionsOnce) {
  make_source(48000);
  define(16, 500);
  // Rate-limited so that the three overlap on any machine.
  std::vector<std::unique_ptr<Process>> workers;
  for (int i = 0; i < 3; ++i) workers.push_back(worker("w" + std::to_string(i), {"--rate", "8000"}));
  int64_t partitions = 0;
  for (int i = 0; i < 3; ++i) {
    const std::string tag = "w" + std::to_string(i);
    EXPECT_EQ(workers[i]->wait().first, 0) << said(tag);
    const int64_t n = finished_partitions(said(tag));
    EXPECT_GE(n, 0) << "no worker summary: " << said(tag);
    partitions += n;
  }
  EXPECT_EQ(partitions, 16) << "a partition was read by two workers, or by none";
  EXPECT_EQ(state("SELECT count(*) FILTER (WHERE done), sum(takeovers) FROM partition_leases"), "16|0\n");
  expect_exact();

  // The next run starts a new round over the same plan: nothing new.
  insert_source(48001, 48100);
  auto again = worker("again");
  EXPECT_EQ(again->wait().first, 0) << said("again");
  EXPECT_EQ(finished_partitions(said("again")), 16);
  expect_exact();
}

// One writer at a time cannot be promised across processes: a run writing
// to such a sink holds the pipeline alone, fenced or not.
TEST_F(ScaleOut, ARunWithASingleWriterSinkHoldsThePipelineAlone) {
  make_source(2000);
  const std::string json = R"({"name": "scale", "state": {"type": "postgres", "dsn": ")" + pg().dsn(state_db_) +
                           R"("}, "source": {"plugin": "postgres", "config": {"dsn": ")" + pg().dsn(data_db_) +
                           R"(", "table": "src", "cursor": ["id"], "partition_column": "id", "partitions": 4}},
                           "batch": {"max_records": 100}, "parallelism": 2,
                           "sinks": [{"name": "one", "plugin": "single-writer", "config": {"dir": ")" +
                           dir_.file("") + R"("}}]})";
  ferry::test::write_file(dir_.file("p.json"), json);
  auto run = worker("alone");
  ASSERT_EQ(run->wait().first, 0) << said("alone");
  EXPECT_EQ(finished_partitions(said("alone")), -1) << "it ran as a worker: " << said("alone");
  EXPECT_EQ(state("SELECT count(*) FROM partition_leases"), "0\n");
  const std::string rows = ferry::test::slurp(dir_.file("rows.txt"));
  EXPECT_EQ(std::count(rows.begin(), rows.end(), '\n'), 2000);
}

TEST_F(ScaleOut, WorkersKilledAtRandomWhileOthersJoinLoseAndRepeatNothing) {
  make_source(60000);
  define(16, 200);
  const unsigned seed = std::random_device{}();
  std::mt19937 rng(seed);
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::vector<std::unique_ptr<Process>> alive;
  std::vector<std::string> tags;
  int started = 0;
  auto start = [&] {
    const std::string tag = "w" + std::to_string(started++);
    alive.push_back(worker(tag, {"--rate", "2000", "--lease-seconds", "5"}));
    tags.push_back(tag);
  };
  for (int i = 0; i < 3; ++i) start();
  auto landed = [&] { return number(data("SELECT count(*) FROM dst")); };
  ASSERT_TRUE(eventually([&] { return data("SELECT to_regclass('dst') IS NOT NULL") == "t\n"; }));
  int kills = 0;
  for (; kills < 10; ++kills) {
    // Kill only once more rows landed since the last kill: mid-data, never
    // all before any work.
    const int64_t before = landed();
    ASSERT_TRUE(eventually([&] { return landed() >= before + 600; }))
        << "no progress after " << kills << " kill(s)";
    ASSERT_LT(landed(), 60000) << "the run finished before its tenth kill";
    std::uniform_int_distribution<size_t> pick(0, alive.size() - 1);
    const size_t victim = pick(rng);
    alive[victim]->kill_now(SIGKILL);
    alive[victim]->wait();
    alive.erase(alive.begin() + static_cast<long>(victim));
    tags.erase(tags.begin() + static_cast<long>(victim));
    start();
  }
  for (size_t i = 0; i < alive.size(); ++i) EXPECT_EQ(alive[i]->wait().first, 0) << said(tags[i]);
  auto last = worker("last");
  EXPECT_EQ(last->wait().first, 0) << said("last");
  EXPECT_EQ(kills, 10);
  expect_exact();
  std::cout << "lease takeovers: " << state("SELECT sum(takeovers) FROM partition_leases");
}

TEST_F(ScaleOut, APausedWorkerThatLostItsLeaseCannotCommit) {
  make_source(3000);
  define(2, 50);
  // The zombie reads slowly; its lease lasts 2 s without renewal.
  auto zombie = worker("zombie", {"--rate", "300", "--lease-seconds", "2"});
  ASSERT_TRUE(eventually([&] {
    return data("SELECT to_regclass('dst') IS NOT NULL") == "t\n" && number(data("SELECT count(*) FROM dst")) > 0;
  })) << said("zombie");
  zombie->kill_now(SIGSTOP);
  const std::string held = state("SELECT partition FROM partition_leases WHERE owner IS NOT NULL");

  // While workers hold the pipeline, a command that needs it alone refuses.
  auto reset = ferry::test::ferry({"checkpoint", "reset", dir_.file("p.json")});
  EXPECT_NE(reset.exit_code, 0);
  EXPECT_NE(reset.err.find("worker"), std::string::npos) << reset.err;
  // ferry status names the paused worker and the partition it holds.
  auto status = ferry::test::ferry({"status", "--json", dir_.file("p.json")});
  ASSERT_EQ(status.exit_code, 0) << status.err;
  const boost::json::object report = boost::json::parse(status.out).as_object();
  ASSERT_EQ(report.at("workers").as_array().size(), 1u) << status.out;
  EXPECT_EQ(report.at("workers").at(0).at("pid").as_int64(), zombie->pid()) << status.out;
  int held_by_it = 0;
  for (const auto& l : report.at("leases").as_array())
    if (!l.at("owner").is_null() && l.at("owner") == report.at("workers").at(0).at("id")) ++held_by_it;
  EXPECT_EQ(held_by_it, 1) << status.out;
  auto alone = ferry::test::ferry({"run", "--no-progress", "--exclusive", dir_.file("p.json")});
  EXPECT_EQ(alone.exit_code, 1);
  EXPECT_NE(alone.err.find("is already running"), std::string::npos) << alone.err;

  auto taker = worker("taker", {"--lease-seconds", "2"});
  ASSERT_TRUE(eventually([&] { return number(state("SELECT coalesce(sum(takeovers), 0) FROM partition_leases")) >= 1; }))
      << said("taker");
  zombie->kill_now(SIGCONT);
  EXPECT_EQ(taker->wait().first, 0) << said("taker");
  EXPECT_EQ(zombie->wait().first, 0) << said("zombie");
  EXPECT_NE(said("zombie").find("1 lost to other workers"), std::string::npos) << said("zombie");
  EXPECT_NE(said("zombie").find("another worker owns it now"), std::string::npos) << said("zombie");
  EXPECT_NE(said("taker").find("took partition '" + held.substr(0, held.size() - 1) + "' over"), std::string::npos)
      << said("taker");
  expect_exact();
}

TEST_F(ScaleOut, RowsInsertedDuringASharedRunArriveExactlyOnce) {
  make_source(20000);
  define(4, 250);
  std::vector<std::unique_ptr<Process>> workers;
  for (int i = 0; i < 2; ++i) workers.push_back(worker("w" + std::to_string(i), {"--rate", "5000"}));
  // New keys arrive while the workers read: above the planned maximum, so
  // into the last partition, which is open above.
  for (int64_t from = 20001; from <= 25000; from += 100) insert_source(from, from + 99);
  for (int i = 0; i < 2; ++i) EXPECT_EQ(workers[i]->wait().first, 0) << said("w" + std::to_string(i));
  auto last = worker("last");
  EXPECT_EQ(last->wait().first, 0) << said("last");
  EXPECT_EQ(data("SELECT count(*) FROM src"), "25000\n");
  expect_exact();
}

// A store that lets another worker take the partition over right after
// this worker read the commit intent a crash left: the moment between
// reading it and settling it.
class TakeoverAfterIntentRead : public ferry::test::ForwardingStateStore {
 public:
  TakeoverAfterIntentRead(std::unique_ptr<ferry::core::StateStore> inner, std::function<void()> takeover)
      : ForwardingStateStore(std::move(inner)), takeover_(std::move(takeover)) {}
  std::optional<std::string> load_intent(const std::string& p, const std::string& q) override {
    std::optional<std::string> body = inner().load_intent(p, q);
    if (body && !done_) {
      done_ = true;
      takeover_();
    }
    return body;
  }

 private:
  std::function<void()> takeover_;
  bool done_ = false;
};

TEST_F(ScaleOut, SettlingACommitACrashCutShortIsFencedLikeAnyOtherSave) {
  make_source(100);
  define(1, 50);
  auto first = worker("first");
  ASSERT_EQ(first->wait().first, 0) << said("first");
  // As a crash after the sink's commit of the second batch leaves it: the
  // sink holds the end, the state store the first batch's end and the
  // intent of the second.
  auto store = ferry::core::open_postgres_state(pg().dsn(state_db_));
  const std::string end = store->load_checkpoint("scale", "p0").value().position;
  const std::string middle = R"(["50"])";
  ASSERT_NE(end, middle);
  state("UPDATE checkpoints SET position = convert_to('" + middle + "', 'UTF8'), records = 50");
  ferry::core::CommitIntent intent;
  intent.from = middle;
  intent.to = end;
  intent.run_id = "crashed";
  intent.source_rows = 50;
  intent.records = 50;
  intent.sinks = {"db"};
  intent.accepted = {50};
  store->save_intent("scale", "p0", ferry::core::encode_intent(intent));

  ferry::core::PipelineDef def =
      ferry::core::parse_pipeline_text(ferry::test::slurp(dir_.file("p.json")), dir_.file("p.json"));
  ferry::core::PluginRegistry plugins({FERRY_TEST_FIXTURE_DIR, FERRY_TEST_PLUGIN_DIR});
  ferry::core::validate_against_plugins(def, plugins);
  TakeoverAfterIntentRead racing(ferry::core::open_postgres_state(pg().dsn(state_db_)), [&] {
    state("UPDATE partition_leases SET token = nextval('fence_tokens')");
  });
  ferry::core::Engine engine(def, plugins, racing);
  const ferry::core::RunSummary s = engine.run(ferry::core::EngineOptions{});
  ASSERT_TRUE(s.shared);
  EXPECT_EQ(s.shared->fenced, 1);
  // The worker that lost the lease settled nothing: the new owner will.
  EXPECT_EQ(store->load_checkpoint("scale", "p0").value().position, middle);
  EXPECT_TRUE(store->load_intent("scale", "p0")) << "the intent was settled by a worker that lost its lease";
  expect_exact();
}

// Workers starting together open their sinks at once: each creates the
// checkpoint table and the target table if missing, and none may fail
// because another created it in the same moment.
TEST_F(ScaleOut, SinksOpeningAndCreatingTablesAtOnceDoNotTripOverEachOther) {
  ferry::test::Plugin plugin(ferry::test::plugin_path("postgres"));
  const std::vector<ferry::test::Column> columns{{"id", FERRY_TYPE_INT64}};
  for (int round = 0; round < 5; ++round) {
    const std::string suffix = std::to_string(round);
    ferry::test::OpenParams params;
    params.config_json = R"({"dsn": ")" + pg().dsn(data_db_) + R"(", "table": "t)" + suffix +
                         R"(", "checkpoint_table": "cp)" + suffix + R"(", "create_table": true})";
    constexpr int kSinks = 6;
    std::vector<std::string> failures(kSinks);
    std::vector<std::thread> threads;
    for (int i = 0; i < kSinks; ++i)
      threads.emplace_back([&, i] {
        ferry::test::SinkHandle sink(plugin, params);
        if (sink.open_status() != FERRY_OK) {
          failures[i] = "open: " + sink.host().last_error();
          return;
        }
        ferry::test::Row row;
        row.values = {ferry::test::Value::int64(i)};
        std::vector<ferry::test::SinkHandle::Rejected> rejected;
        const std::string partition = "p" + std::to_string(i);
        if (sink.write(ferry::test::make_batch(columns, {row}, partition), &rejected) != FERRY_OK || !rejected.empty())
          failures[i] = "write: " + sink.host().last_error();
        else if (sink.commit(partition, "1") != FERRY_OK)
          failures[i] = "commit: " + sink.host().last_error();
      });
    for (std::thread& t : threads) t.join();
    for (int i = 0; i < kSinks; ++i) EXPECT_EQ(failures[i], "") << "sink " << i << " in round " << round;
    EXPECT_EQ(data("SELECT count(*) FROM t" + suffix), std::to_string(kSinks) + "\n");
  }
}

// A state store older than the sink's table (restored from a backup): its
// tokens are behind the sink's fences. The worker says so and stops, rather
// than taking the partition again and again.
TEST_F(ScaleOut, ASinkFencedBeyondTheStateStoresTokensIsAnErrorThatSaysWhy) {
  make_source(100);
  define(2, 50);
  auto first = worker("first");
  ASSERT_EQ(first->wait().first, 0) << said("first");
  data("UPDATE ferry_checkpoints SET fence = 1000000000");
  auto again = worker("again");
  std::pair<int, int> result{-2, 0};
  ASSERT_TRUE(eventually([&] { return again->finished(&result); }, std::chrono::seconds(60)))
      << "the worker did not stop: " << said("again");
  EXPECT_EQ(result.first, 1) << said("again");
  EXPECT_NE(said("again").find("restored from an older backup"), std::string::npos) << said("again");
  expect_exact();
}

// The sink half of fencing, with the plugin alone: a commit carrying an
// older token than the partition was fenced with leaves nothing behind.
TEST_F(ScaleOut, ThePostgresSinkRefusesACommitWithAnOlderToken) {
  data("CREATE TABLE dst (id bigint)");
  ferry::test::Plugin plugin(ferry::test::plugin_path("postgres"));
  ferry::test::OpenParams params;
  params.config_json = R"({"dsn": ")" + pg().dsn(data_db_) + R"(", "table": "dst", "create_table": true})";
  ferry::test::SinkHandle old_worker(plugin, params), new_worker(plugin, params);
  ASSERT_NO_FATAL_FAILURE(expect_open(old_worker));
  ASSERT_NO_FATAL_FAILURE(expect_open(new_worker));

  ASSERT_EQ(old_worker.fence("p0", 5), FERRY_OK) << old_worker.host().last_error();
  ASSERT_EQ(old_worker.write(batch(1)), FERRY_OK) << old_worker.host().last_error();
  // The partition changes hands while the old worker has rows staged.
  ASSERT_EQ(new_worker.fence("p0", 6), FERRY_OK) << new_worker.host().last_error();
  EXPECT_EQ(new_worker.checkpoint("p0"), std::nullopt) << "a fence alone is not a checkpoint";
  EXPECT_EQ(old_worker.commit("p0", "1", 5), FERRY_FENCED);
  EXPECT_NE(old_worker.host().last_error().find("fenced"), std::string::npos) << old_worker.host().last_error();
  old_worker.abort();
  EXPECT_EQ(data("SELECT count(*) FROM dst"), "0\n");

  ASSERT_EQ(new_worker.write(batch(2)), FERRY_OK) << new_worker.host().last_error();
  ASSERT_EQ(new_worker.commit("p0", "2", 6), FERRY_OK) << new_worker.host().last_error();
  EXPECT_EQ(new_worker.checkpoint("p0"), std::optional<std::string>("2"));
  // Fencing again with the old token is refused too; a commit without a
  // token (a run holding the pipeline alone) still goes through.
  EXPECT_EQ(old_worker.fence("p0", 5), FERRY_FENCED);
  ASSERT_EQ(old_worker.write(batch(3)), FERRY_OK);
  EXPECT_EQ(old_worker.commit("p0", "3"), FERRY_OK) << old_worker.host().last_error();
  EXPECT_EQ(data("SELECT string_agg(id::text, ',' ORDER BY id) FROM dst"), "2,3\n");
}

// What a plugin author runs: the conformance kit's fence check passes for
// the bundled postgres sink, twice on the same target (tokens grow).
TEST_F(ScaleOut, ThePostgresSinkPassesTheKitsFenceCheck) {
  for (int i = 0; i < 2; ++i) {
    auto r = ferry::test::ferry({"plugin", "check", ferry::test::plugin_path("postgres"), "--kind", "sink", "--config",
                                 R"({"dsn": ")" + pg().dsn(data_db_) + R"(", "table": "kit", "create_table": true})"});
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_NE(r.out.find("sink: fenced                       pass"), std::string::npos) << r.out;
  }
}

TEST_F(ScaleOut, ACheckpointTableFromBeforeFencingGainsItsColumn) {
  data("CREATE TABLE ferry_checkpoints (pipeline text NOT NULL, partition text NOT NULL, position bytea NOT NULL, "
       "run_id text, updated_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (pipeline, partition))");
  data("INSERT INTO ferry_checkpoints VALUES ('test-pipeline', 'p0', 'x', 'r', now())");
  ferry::test::Plugin plugin(ferry::test::plugin_path("postgres"));
  ferry::test::OpenParams params;
  params.config_json = R"({"dsn": ")" + pg().dsn(data_db_) + R"(", "table": "dst", "create_table": true})";
  ferry::test::SinkHandle sink(plugin, params);
  ASSERT_EQ(sink.open_status(), FERRY_OK) << sink.host().last_error();
  EXPECT_EQ(sink.checkpoint("p0"), std::optional<std::string>("x"));
  ASSERT_EQ(sink.fence("p1", 3), FERRY_OK) << sink.host().last_error();
  EXPECT_EQ(sink.checkpoint("p0"), std::optional<std::string>("x"));
  EXPECT_EQ(sink.checkpoint("p1"), std::nullopt);
  EXPECT_EQ(data("SELECT partition || ':' || fence FROM ferry_checkpoints ORDER BY partition"), "p0:0\np1:3\n");
}

}  // namespace

namespace {

// The same guarantees into MariaDB: the mysql sink is fenced too.
class ScaleOutMysql : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    pg_ = std::make_unique<PgServer>();
    maria_ = std::make_unique<ferry::test::MariaServer>();
    maria_->sql("CREATE USER 'ferry'@'127.0.0.1' IDENTIFIED BY 'pw'; GRANT ALL ON *.* TO 'ferry'@'127.0.0.1';");
  }
  static void TearDownTestSuite() {
    maria_.reset();
    pg_.reset();
  }
  void SetUp() override {
    const std::string name = ::testing::UnitTest::GetInstance()->current_test_info()->name();
    db_ = "m" + std::to_string(std::hash<std::string>()(name) % 100000);
    maria_->sql("DROP DATABASE IF EXISTS " + db_ + "; CREATE DATABASE " + db_ + " CHARACTER SET utf8mb4;");
    pg_->psql("DROP DATABASE IF EXISTS " + db_);
    pg_->psql("CREATE DATABASE " + db_);
  }
  std::string sink_config(const std::string& table) const {
    return R"({"host": "127.0.0.1", "port": )" + std::to_string(maria_->port()) +
           R"(, "user": "ferry", "password": "pw", "database": ")" + db_ + R"(", "table": ")" + table +
           R"(", "create_table": true})";
  }
  std::string maria(const std::string& sql) {
    std::string out = maria_->sql(sql, db_);
    while (!out.empty() && out.back() == '\n') out.pop_back();
    return out;
  }

  static std::unique_ptr<PgServer> pg_;
  static std::unique_ptr<ferry::test::MariaServer> maria_;
  TempDir dir_;
  std::string db_;
};
std::unique_ptr<PgServer> ScaleOutMysql::pg_;
std::unique_ptr<ferry::test::MariaServer> ScaleOutMysql::maria_;

TEST_F(ScaleOutMysql, ThreeWorkersIntoMariaDbWriteEachRowOnce) {
  ferry::test::write_file(
      dir_.file("p.json"),
      R"({"name": "m", "state": {"type": "postgres", "dsn": ")" + pg_->dsn(db_) +
          R"("}, "source": {"plugin": "generator", "config": {"count": 30000, "partitions": 8, "fields": 2}},
          "batch": {"max_records": 500}, "sinks": [{"name": "db", "plugin": "mysql", "config": )" +
          sink_config("t") + "}]}");
  std::vector<std::unique_ptr<Process>> workers;
  for (int i = 0; i < 3; ++i)
    workers.push_back(std::make_unique<Process>(
        std::vector<std::string>{FERRY_TEST_BINARY, "run", "--no-progress", "--rate", "6000", dir_.file("p.json")},
        std::vector<std::string>{}, dir_.file("w" + std::to_string(i) + ".out"),
        dir_.file("w" + std::to_string(i) + ".err")));
  int shared = 0;
  for (int i = 0; i < 3; ++i) {
    const std::string tag = "w" + std::to_string(i);
    EXPECT_EQ(workers[i]->wait().first, 0) << ferry::test::slurp(dir_.file(tag + ".err"));
    if (ferry::test::slurp(dir_.file(tag + ".out")).find("partition(s) finished") != std::string::npos) ++shared;
  }
  EXPECT_EQ(shared, 3) << "a worker did not share the pipeline";
  EXPECT_EQ(maria("SELECT COUNT(*), COUNT(DISTINCT id), SUM(id) FROM t"), "30000\t30000\t450015000");
}

TEST_F(ScaleOutMysql, TheMysqlSinkRefusesACommitWithAnOlderTokenAndPassesTheKit) {
  ferry::test::Plugin plugin(ferry::test::plugin_path("mysql"));
  ferry::test::OpenParams params;
  params.config_json = sink_config("t");
  ferry::test::SinkHandle old_worker(plugin, params), new_worker(plugin, params);
  ASSERT_NO_FATAL_FAILURE(expect_open(old_worker));
  ASSERT_NO_FATAL_FAILURE(expect_open(new_worker));
  ASSERT_EQ(old_worker.fence("p0", 5), FERRY_OK) << old_worker.host().last_error();
  ASSERT_EQ(old_worker.write(batch(1)), FERRY_OK) << old_worker.host().last_error();
  ASSERT_EQ(old_worker.commit("p0", "1", 5), FERRY_OK) << old_worker.host().last_error();
  ASSERT_EQ(old_worker.write(batch(2)), FERRY_OK) << old_worker.host().last_error();
  ASSERT_EQ(new_worker.fence("p0", 6), FERRY_OK) << new_worker.host().last_error();
  EXPECT_EQ(new_worker.checkpoint("p0"), std::optional<std::string>("1"));
  EXPECT_EQ(old_worker.commit("p0", "2", 5), FERRY_FENCED) << old_worker.host().last_error();
  old_worker.abort();
  EXPECT_EQ(maria("SELECT GROUP_CONCAT(id ORDER BY id) FROM t"), "1");
  EXPECT_EQ(new_worker.checkpoint("p0"), std::optional<std::string>("1"));
  EXPECT_EQ(old_worker.fence("p0", 5), FERRY_FENCED);
  ASSERT_EQ(new_worker.fence("p1", 7), FERRY_OK);
  EXPECT_EQ(new_worker.checkpoint("p1"), std::nullopt) << "a fence alone is not a checkpoint";

  auto r = ferry::test::ferry({"plugin", "check", ferry::test::plugin_path("mysql"), "--kind", "sink", "--config",
                               sink_config("kit")});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("sink: fenced                       pass"), std::string::npos) << r.out;
}

}  // namespace
