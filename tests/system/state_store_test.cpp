// The behaviour every state store back end must share, run against each one
// (add a back end by adding a factory), then what only the SQLite file
// promises: durability across reopening, WAL mode, locking between objects.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <stdlib.h>  // mkdtemp

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <ostream>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "common/error.h"
#include "state/state_store.h"
#include "support/servers.h"
#include "support/wal_sync_counter.h"

namespace ferry::core {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;

int64_t now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

// Timestamps have millisecond resolution; tests that need two entries with
// different timestamps wait for the clock to move past the first.
void wait_until_after(int64_t ms) {
  while (now_ms() <= ms) std::this_thread::sleep_for(milliseconds(1));
}

// A fresh directory under the system temp dir, removed with its contents.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "ferry-state-test-XXXXXX").string();
    if (!mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed for " + pattern);
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

// A factory takes no arguments, so the files it makes live in one directory
// that is removed when the test program exits.
std::string fresh_db_path() {
  static TempDir root;
  static std::atomic<int> counter{0};
  return (root.path() / ("state-" + std::to_string(++counter) + ".db")).string();
}

// One throwaway PostgreSQL for the whole test program, started by the first
// test that needs it; each store gets a database of its own.
std::unique_ptr<StateStore> open_fresh_postgres_state() {
  static std::unique_ptr<ferry::test::PgServer> server;
  static std::mutex mu;
  static int counter = 0;
  std::string db;
  {
    std::lock_guard<std::mutex> lock(mu);
    if (!server) server = std::make_unique<ferry::test::PgServer>();
    db = "s" + std::to_string(++counter);
    server->psql("CREATE DATABASE " + db);
  }
  return open_postgres_state(server->dsn(db));
}

struct StoreFactory {
  std::string name;
  std::function<std::unique_ptr<StateStore>()> open;
};

void PrintTo(const StoreFactory& f, std::ostream* os) { *os << f.name; }

std::vector<StoreFactory> store_factories() {
  return {
      {"sqlite", [] { return open_sqlite_state(fresh_db_path()); }},
      {"memory", [] { return open_memory_state(); }},
      {"postgres", [] { return open_fresh_postgres_state(); }},
  };
}

Checkpoint make_checkpoint(const std::string& pipeline, const std::string& partition,
                           const std::string& position, const std::string& run_id = "run-1",
                           const std::string& schema_version = "fp-1") {
  Checkpoint c;
  c.pipeline = pipeline;
  c.partition = partition;
  c.position = position;
  c.run_id = run_id;
  c.schema_version = schema_version;
  return c;
}

DlqEntry make_entry(const std::string& pipeline, const std::string& position,
                    const std::string& sink = "warehouse",
                    const std::string& error_class = "invalid_data") {
  DlqEntry e;
  e.pipeline = pipeline;
  e.run_id = "run-1";
  e.partition = "p0";
  e.position = position;
  e.stage = sink.empty() ? "source" : sink;
  e.sink = sink;
  e.record_key = "key-" + position;
  e.record_json = R"({"schema":[{"name":"id","type":"int64"}],"values":{"id":7}})";
  e.error_class = error_class;
  e.message = "column id: not an integer";
  return e;
}

int64_t add_one(StateStore& store, const DlqEntry& e) {
  auto ids = store.add_dlq({e});
  if (ids.size() != 1) throw std::runtime_error("add_dlq returned " + std::to_string(ids.size()));
  return ids[0];
}

std::vector<int64_t> ids_of(const std::vector<DlqEntry>& entries) {
  std::vector<int64_t> ids;
  for (const auto& e : entries) ids.push_back(e.id);
  return ids;
}

std::vector<std::string> partitions_of(const std::vector<Checkpoint>& checkpoints) {
  std::vector<std::string> out;
  for (const auto& c : checkpoints) out.push_back(c.partition);
  return out;
}

int64_t count_of(const std::vector<std::pair<DlqStatus, int64_t>>& counts, DlqStatus status) {
  for (const auto& [s, n] : counts) {
    if (s == status) return n;
  }
  return -1;
}

class StateStoreTest : public ::testing::TestWithParam<StoreFactory> {
 protected:
  void SetUp() override { store_ = GetParam().open(); }

  StateStore& store() { return *store_; }
  DlqFilter filter(const std::string& pipeline = "orders") {
    DlqFilter f;
    f.pipeline = pipeline;
    return f;
  }

  std::unique_ptr<StateStore> store_;
};

// --- checkpoints ----------------------------------------------------------

TEST_P(StateStoreTest, EmptyStoreHasNothing) {
  EXPECT_FALSE(store().load_checkpoint("orders", "p0").has_value());
  EXPECT_TRUE(store().list_checkpoints("orders").empty());
  EXPECT_TRUE(store().list_sink_acks("orders").empty());
  EXPECT_TRUE(store().list_dlq(filter()).empty());
  EXPECT_FALSE(store().get_dlq("orders", 1).has_value());
  EXPECT_TRUE(store().list_runs("orders", 0).empty());
  EXPECT_EQ(store().reset_checkpoints("orders", std::nullopt), 0);
}

TEST_P(StateStoreTest, SavedCheckpointLoadsWithEveryField) {
  const int64_t before = now_ms();
  store().save_checkpoint(make_checkpoint("orders", "p0", "lsn:17", "run-a", "fp-9"), 5, {});
  const int64_t after = now_ms();

  auto c = store().load_checkpoint("orders", "p0");
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->pipeline, "orders");
  EXPECT_EQ(c->partition, "p0");
  EXPECT_EQ(c->position, "lsn:17");
  EXPECT_EQ(c->run_id, "run-a");
  EXPECT_EQ(c->schema_version, "fp-9");
  EXPECT_EQ(c->records, 5);
  EXPECT_GE(c->updated_at_ms, before);
  EXPECT_LE(c->updated_at_ms, after);
  EXPECT_FALSE(store().load_checkpoint("orders", "p1").has_value());
}

TEST_P(StateStoreTest, SaveReplacesCheckpointAndAccumulatesRecords) {
  auto first = make_checkpoint("orders", "p0", "pos-1", "run-a", "fp-1");
  first.records = 999;  // ignored: the store adds records_in_batch to what it holds
  store().save_checkpoint(first, 5, {});
  store().save_checkpoint(make_checkpoint("orders", "p0", "pos-2", "run-b", "fp-2"), 7, {});
  store().save_checkpoint(make_checkpoint("orders", "p0", "pos-3", "run-b", ""), 0, {});

  auto c = store().load_checkpoint("orders", "p0");
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->position, "pos-3");
  EXPECT_EQ(c->run_id, "run-b");
  EXPECT_EQ(c->schema_version, "");
  EXPECT_EQ(c->records, 12);
  EXPECT_EQ(store().list_checkpoints("orders").size(), 1u);
}

TEST_P(StateStoreTest, BinaryPositionsRoundTripByteExact) {
  const std::string nul_inside("\0\x01\xff\x80 tail\0", 11);
  const std::string all_nul(16, '\0');
  std::string big(70000, '\0');
  for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>(i * 131 % 256);

  store().save_checkpoint(make_checkpoint("orders", "nul", nul_inside), 1, {});
  store().save_checkpoint(make_checkpoint("orders", "zeros", all_nul), 1, {});
  store().save_checkpoint(make_checkpoint("orders", "empty", ""), 1, {});
  store().save_checkpoint(make_checkpoint("orders", "big", big), 1, {});

  EXPECT_EQ(store().load_checkpoint("orders", "nul")->position, nul_inside);
  EXPECT_EQ(store().load_checkpoint("orders", "zeros")->position, all_nul);
  EXPECT_EQ(store().load_checkpoint("orders", "empty")->position, "");
  EXPECT_EQ(store().load_checkpoint("orders", "big")->position, big);

  // DLQ positions too, and positions equal up to a NUL are still different.
  const int64_t a = add_one(store(), make_entry("orders", std::string("k\0a", 3)));
  const int64_t b = add_one(store(), make_entry("orders", std::string("k\0b", 3)));
  EXPECT_NE(a, b);
  EXPECT_EQ(store().get_dlq("orders", a)->position, std::string("k\0a", 3));
  EXPECT_EQ(store().get_dlq("orders", b)->position, std::string("k\0b", 3));
}

// A record's key is the plugin's bytes: a NUL, or bytes that are not UTF-8,
// come back as they were (PostgreSQL text can hold neither).
TEST_P(StateStoreTest, ADlqEntrysKeyOfAnyBytesComesBackByteExact) {
  const std::string nul_inside("id\0\x01", 4);
  const std::string not_utf8("\xff\xfe-\xc3", 4);
  DlqEntry a = make_entry("orders", "1");
  a.record_key = nul_inside;
  DlqEntry b = make_entry("orders", "2");
  b.record_key = not_utf8;
  const int64_t ia = add_one(store(), a);
  const int64_t ib = add_one(store(), b);
  EXPECT_EQ(store().get_dlq("orders", ia)->record_key, nul_inside);
  EXPECT_EQ(store().get_dlq("orders", ib)->record_key, not_utf8);
  DlqFilter all;
  all.pipeline = "orders";
  const std::vector<DlqEntry> listed = store().list_dlq(all);
  ASSERT_EQ(listed.size(), 2u);
  EXPECT_EQ(listed[0].record_key, nul_inside);
  EXPECT_EQ(listed[1].record_key, not_utf8);
}

TEST_P(StateStoreTest, ListCheckpointsIsSortedAndPerPipeline) {
  store().save_checkpoint(make_checkpoint("orders", "b", "1"), 1, {});
  store().save_checkpoint(make_checkpoint("orders", "c", "1"), 1, {});
  store().save_checkpoint(make_checkpoint("orders", "a", "1"), 1, {});
  store().save_checkpoint(make_checkpoint("orders2", "a", "other"), 1, {});

  auto orders = store().list_checkpoints("orders");
  EXPECT_EQ(partitions_of(orders), (std::vector<std::string>{"a", "b", "c"}));
  for (const auto& c : orders) EXPECT_EQ(c.pipeline, "orders");

  auto orders2 = store().list_checkpoints("orders2");
  ASSERT_EQ(orders2.size(), 1u);
  EXPECT_EQ(orders2[0].position, "other");
  EXPECT_TRUE(store().list_checkpoints("order").empty());  // no prefix matching
  EXPECT_EQ(store().load_checkpoint("orders", "a")->position, "1");
}

TEST_P(StateStoreTest, ResetOnePartition) {
  store().save_checkpoint(make_checkpoint("orders", "a", "1"), 1, {"wh"});
  store().save_checkpoint(make_checkpoint("orders", "b", "2"), 1, {"wh"});
  store().save_checkpoint(make_checkpoint("users", "a", "3"), 1, {"wh"});

  EXPECT_EQ(store().reset_checkpoints("orders", std::string("a")), 1);
  EXPECT_FALSE(store().load_checkpoint("orders", "a").has_value());
  EXPECT_TRUE(store().load_checkpoint("orders", "b").has_value());
  EXPECT_TRUE(store().load_checkpoint("users", "a").has_value());
  EXPECT_EQ(store().reset_checkpoints("orders", std::string("a")), 0);
  EXPECT_EQ(store().reset_checkpoints("orders", std::string("zzz")), 0);
  // Acks are per pipeline, not per partition: a partition reset keeps them.
  ASSERT_EQ(store().list_sink_acks("orders").size(), 1u);
  EXPECT_EQ(store().list_sink_acks("orders")[0].batches, 2);
}

TEST_P(StateStoreTest, ResetAllPartitionsOfOnePipeline) {
  for (const char* p : {"a", "b", "c"}) {
    store().save_checkpoint(make_checkpoint("orders", p, "1"), 4, {"wh"});
  }
  store().save_checkpoint(make_checkpoint("users", "a", "1"), 9, {"wh"});

  EXPECT_EQ(store().reset_checkpoints("orders", std::nullopt), 3);
  EXPECT_TRUE(store().list_checkpoints("orders").empty());
  EXPECT_TRUE(store().list_sink_acks("orders").empty());

  ASSERT_EQ(store().list_checkpoints("users").size(), 1u);
  ASSERT_EQ(store().list_sink_acks("users").size(), 1u);
  EXPECT_EQ(store().list_sink_acks("users")[0].records, 9);
  EXPECT_EQ(store().reset_checkpoints("orders", std::nullopt), 0);

  // Starting over counts from zero.
  store().save_checkpoint(make_checkpoint("orders", "a", "1"), 2, {});
  EXPECT_EQ(store().load_checkpoint("orders", "a")->records, 2);
}

// --- sink acks ------------------------------------------------------------

TEST_P(StateStoreTest, SaveCheckpointBumpsSinkAcks) {
  const int64_t before = now_ms();
  store().save_checkpoint(make_checkpoint("orders", "p0", "1"), 10, {"warehouse", "audit"});
  store().save_checkpoint(make_checkpoint("orders", "p1", "1"), 5, {"warehouse"});
  store().save_checkpoint(make_checkpoint("orders", "p0", "2"), 3, {});
  // A sink named twice still acknowledged one batch.
  store().save_checkpoint(make_checkpoint("orders", "p0", "3"), 2, {"audit", "audit"});
  store().save_checkpoint(make_checkpoint("users", "p0", "1"), 100, {"warehouse"});

  auto acks = store().list_sink_acks("orders");
  ASSERT_EQ(acks.size(), 2u);
  EXPECT_EQ(acks[0].pipeline, "orders");
  EXPECT_EQ(acks[0].sink, "audit");
  EXPECT_EQ(acks[0].records, 12);
  EXPECT_EQ(acks[0].batches, 2);
  EXPECT_EQ(acks[1].sink, "warehouse");
  EXPECT_EQ(acks[1].records, 15);
  EXPECT_EQ(acks[1].batches, 2);
  EXPECT_GE(acks[0].updated_at_ms, before);

  auto users = store().list_sink_acks("users");
  ASSERT_EQ(users.size(), 1u);
  EXPECT_EQ(users[0].records, 100);
  EXPECT_EQ(users[0].batches, 1);

  EXPECT_EQ(store().load_checkpoint("orders", "p0")->records, 15);
  EXPECT_EQ(store().load_checkpoint("orders", "p1")->records, 5);
}

// Checkpoint counts and ack counts are written together, so after any mix of
// concurrent saves they agree exactly.
TEST_P(StateStoreTest, ConcurrentCallersKeepCheckpointsAndAcksInStep) {
  constexpr int kThreads = 4;
  constexpr int kSaves = 40;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  std::vector<std::vector<int64_t>> dlq_ids(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      try {
        const std::string partition = "p" + std::to_string(t);
        for (int i = 0; i < kSaves; ++i) {
          store().save_checkpoint(make_checkpoint("orders", partition, std::to_string(i)), 3,
                                  {"warehouse"});
          dlq_ids[t].push_back(add_one(store(), make_entry("orders", partition + ":" +
                                                                       std::to_string(i))));
        }
      } catch (const std::exception&) {
        ++failures;
      }
    });
  }
  for (auto& th : threads) th.join();
  ASSERT_EQ(failures.load(), 0);

  auto checkpoints = store().list_checkpoints("orders");
  ASSERT_EQ(checkpoints.size(), static_cast<size_t>(kThreads));
  int64_t total = 0;
  for (const auto& c : checkpoints) {
    EXPECT_EQ(c.position, std::to_string(kSaves - 1));
    EXPECT_EQ(c.records, 3 * kSaves);
    total += c.records;
  }
  auto acks = store().list_sink_acks("orders");
  ASSERT_EQ(acks.size(), 1u);
  EXPECT_EQ(acks[0].records, total);
  EXPECT_EQ(acks[0].batches, kThreads * kSaves);

  std::set<int64_t> unique;
  for (const auto& ids : dlq_ids) unique.insert(ids.begin(), ids.end());
  EXPECT_EQ(unique.size(), static_cast<size_t>(kThreads * kSaves));
  EXPECT_EQ(count_of(store().count_dlq("orders"), DlqStatus::Pending), kThreads * kSaves);
}

// --- dead-letter queue ----------------------------------------------------

TEST_P(StateStoreTest, DlqEntryRoundTripsWithEveryField) {
  DlqEntry e = make_entry("orders", "lsn:42");
  e.run_id = "run-7";
  e.partition = "shard-3";
  e.stage = "transform:clean";
  e.record_key = "order-1001";
  e.attempts = 4;
  e.id = 12345;          // ignored: the store assigns ids
  e.created_at_ms = 1;   // ignored: the store stamps times

  const int64_t before = now_ms();
  const int64_t id = add_one(store(), e);
  const int64_t after = now_ms();
  EXPECT_GT(id, 0);
  EXPECT_NE(id, 12345);

  auto got = store().get_dlq("orders", id);
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->id, id);
  EXPECT_EQ(got->pipeline, "orders");
  EXPECT_EQ(got->run_id, "run-7");
  EXPECT_EQ(got->partition, "shard-3");
  EXPECT_EQ(got->position, "lsn:42");
  EXPECT_EQ(got->stage, "transform:clean");
  EXPECT_EQ(got->sink, "warehouse");
  EXPECT_EQ(got->record_key, "order-1001");
  EXPECT_EQ(got->record_json, e.record_json);
  EXPECT_EQ(got->error_class, "invalid_data");
  EXPECT_EQ(got->message, "column id: not an integer");
  EXPECT_EQ(got->attempts, 4);
  EXPECT_EQ(got->status, DlqStatus::Pending);
  EXPECT_GE(got->created_at_ms, before);
  EXPECT_LE(got->created_at_ms, after);
  EXPECT_EQ(got->updated_at_ms, got->created_at_ms);

  EXPECT_FALSE(store().get_dlq("users", id).has_value());  // other pipeline
  EXPECT_FALSE(store().get_dlq("orders", id + 1000).has_value());
}

TEST_P(StateStoreTest, AddDlqReturnsIdsInOrder) {
  auto ids = store().add_dlq({make_entry("orders", "1"), make_entry("orders", "2"),
                              make_entry("users", "1"), make_entry("orders", "3")});
  ASSERT_EQ(ids.size(), 4u);
  EXPECT_TRUE(std::is_sorted(ids.begin(), ids.end()));
  EXPECT_EQ(std::set<int64_t>(ids.begin(), ids.end()).size(), 4u);
  EXPECT_EQ(store().get_dlq("orders", ids[1])->position, "2");
  EXPECT_EQ(store().get_dlq("users", ids[2])->pipeline, "users");
  EXPECT_TRUE(store().add_dlq({}).empty());
}

TEST_P(StateStoreTest, RedeliveredPendingEntryIsNotDuplicated) {
  const DlqEntry original = make_entry("orders", "pos-1");
  const int64_t id = add_one(store(), original);

  // Same (pipeline, partition, position, stage, sink); everything else differs.
  DlqEntry again = original;
  again.run_id = "run-2";
  again.record_key = "other";
  again.message = "second failure";
  again.error_class = "retry_exhausted";
  again.attempts = 3;
  EXPECT_EQ(add_one(store(), again), id);
  EXPECT_EQ(store().get_dlq("orders", id)->message, original.message);  // first one kept

  // Duplicates inside one batch collapse too.
  const DlqEntry twice = make_entry("orders", "pos-2");
  auto batch = store().add_dlq({twice, twice});
  ASSERT_EQ(batch.size(), 2u);
  EXPECT_EQ(batch[0], batch[1]);
  EXPECT_EQ(count_of(store().count_dlq("orders"), DlqStatus::Pending), 2);

  // Any one key field differing makes a new entry.
  std::set<int64_t> distinct = {id};
  DlqEntry v = original;
  v.partition = "p9";
  distinct.insert(add_one(store(), v));
  v = original;
  v.position = "pos-1b";
  distinct.insert(add_one(store(), v));
  v = original;
  v.stage = "transform:clean";
  distinct.insert(add_one(store(), v));
  v = original;
  v.sink = "audit";
  distinct.insert(add_one(store(), v));
  v = original;
  v.pipeline = "users";
  distinct.insert(add_one(store(), v));
  EXPECT_EQ(distinct.size(), 6u);
}

// A replay resolves entries in batches: a few runs of consecutive ids, or
// ids scattered across the DLQ. Exactly those are resolved, not the entries
// between them, not another pipeline's, not a discarded one.
TEST_P(StateStoreTest, ResolvingIdsInRunsOrScatteredSettlesExactlyThoseEntries) {
  std::vector<int64_t> ids;
  for (int i = 0; i < 60; ++i) {
    ids.push_back(add_one(store(), make_entry("orders", "pos-" + std::to_string(i))));
    // From the 31st on, another pipeline's entries between them.
    if (i >= 30) add_one(store(), make_entry("users", "pos-" + std::to_string(i)));
  }
  store().update_dlq("orders", ids[2], DlqStatus::Discarded, std::nullopt, std::nullopt);
  auto resolve = [&](const std::vector<size_t>& which) {
    CommitRecord r;
    r.pipeline = "orders";
    r.partition = "ferry-replay";
    for (size_t i : which) {
      DlqChange c;
      c.id = ids[i];
      c.status = DlqStatus::Resolved;
      r.change.push_back(c);
    }
    store().finish_commit(r);
  };
  std::vector<size_t> runs = {0, 1, 2, 3, 4, 5, 10, 11, 12};  // two runs, one of them over a discarded entry
  std::vector<size_t> scattered;
  for (size_t i = 20; i < 60; i += 3) scattered.push_back(i);  // 14 runs of one, past 8 ranges
  resolve(runs);
  resolve(scattered);
  std::set<size_t> expected(runs.begin(), runs.end());
  expected.insert(scattered.begin(), scattered.end());
  expected.erase(2);
  for (size_t i = 0; i < ids.size(); ++i) {
    const DlqStatus want = i == 2 ? DlqStatus::Discarded : expected.count(i) ? DlqStatus::Resolved : DlqStatus::Pending;
    EXPECT_EQ(store().get_dlq("orders", ids[i])->status, want) << "entry " << i;
  }
  EXPECT_EQ(count_of(store().count_dlq("users"), DlqStatus::Pending), 30);
}

TEST_P(StateStoreTest, OnlyAResolvedEntryLetsTheSameFailureBeAddedAgain) {
  const DlqEntry e = make_entry("orders", "pos-1");
  const int64_t first = add_one(store(), e);
  store().update_dlq("orders", first, DlqStatus::Resolved, std::nullopt, std::nullopt);

  const int64_t second = add_one(store(), e);
  EXPECT_NE(second, first);
  auto counts = store().count_dlq("orders");
  EXPECT_EQ(count_of(counts, DlqStatus::Pending), 1);
  EXPECT_EQ(count_of(counts, DlqStatus::Resolved), 1);

  // A discarded record stays discarded: reported again, it is the same one.
  store().update_dlq("orders", second, DlqStatus::Discarded, std::nullopt, std::nullopt);
  EXPECT_EQ(add_one(store(), e), second);
  EXPECT_EQ(store().get_dlq("orders", second)->status, DlqStatus::Discarded);
}

TEST_P(StateStoreTest, RowsThatShareAPositionButDifferAreSeparateEntries) {
  DlqEntry a = make_entry("orders", "batch-end");
  DlqEntry b = a;
  b.record_key = "other";
  b.record_json = R"({"schema":[{"name":"id","type":"int64"}],"values":{"id":8}})";
  auto ids = store().add_dlq({a, b});
  ASSERT_EQ(ids.size(), 2u);
  EXPECT_NE(ids[0], ids[1]);
}

// --- commits --------------------------------------------------------------

// A partition's batch cuts outlive a commit (the engine matches them with
// the checkpoint) and go with a reset of the partition or the pipeline.
TEST_P(StateStoreTest, BatchCutsStayUntilAResetTakesThem) {
  store().save_cuts("orders", "p0", "[1]", std::nullopt);
  store().save_cuts("orders", "p0", "[2]", std::nullopt);
  store().save_cuts("orders", "p1", "[3]", std::nullopt);
  store().save_cuts("other", "p0", "[4]", std::nullopt);
  EXPECT_EQ(store().load_cuts("orders", "p0"), std::optional<std::string>("[2]"));
  CommitRecord r;
  r.pipeline = "orders";
  r.partition = "p0";
  r.checkpoint = make_checkpoint("orders", "p0", "pos-10");
  store().finish_commit(r);
  EXPECT_EQ(store().load_cuts("orders", "p0"), std::optional<std::string>("[2]"));
  store().reset_checkpoints("orders", std::string("p0"));
  EXPECT_FALSE(store().load_cuts("orders", "p0"));
  EXPECT_EQ(store().load_cuts("orders", "p1"), std::optional<std::string>("[3]"));
  store().reset_checkpoints("orders", std::nullopt);
  EXPECT_FALSE(store().load_cuts("orders", "p1"));
  EXPECT_EQ(store().load_cuts("other", "p0"), std::optional<std::string>("[4]"));
}

TEST_P(StateStoreTest, FinishCommitAppliesEverythingAndForgetsTheIntent) {
  store().save_intent("orders", "p0", std::string("intent\0bytes", 12));
  EXPECT_EQ(store().load_intent("orders", "p0"), std::string("intent\0bytes", 12));
  EXPECT_FALSE(store().load_intent("orders", "p1"));
  const int64_t old = add_one(store(), make_entry("orders", "old"));
  const int64_t discarded = add_one(store(), make_entry("orders", "gone"));
  store().update_dlq("orders", discarded, DlqStatus::Discarded, std::nullopt, std::nullopt);

  CommitRecord r;
  r.pipeline = "orders";
  r.partition = "p0";
  r.checkpoint = make_checkpoint("orders", "p0", "pos-10");
  r.records = 7;
  r.acks = {{"db", 7}, {"lake", 5}};
  DlqEntry row = make_entry("orders", "pos-3");
  r.add = {row, row};  // two rows of a batch may be alike: both are kept
  DlqChange resolve;
  resolve.id = old;
  resolve.status = DlqStatus::Resolved;
  DlqChange revive;
  revive.id = discarded;
  revive.status = DlqStatus::FailedAgain;
  revive.sink = "lake";
  r.change = {resolve, revive};
  store().finish_commit(r);

  EXPECT_FALSE(store().load_intent("orders", "p0"));
  auto cp = store().load_checkpoint("orders", "p0");
  ASSERT_TRUE(cp);
  EXPECT_EQ(cp->position, "pos-10");
  EXPECT_EQ(cp->records, 7);
  auto acks = store().list_sink_acks("orders");
  ASSERT_EQ(acks.size(), 2u);
  EXPECT_EQ(acks[0].sink, "db");
  EXPECT_EQ(acks[0].records, 7);
  EXPECT_EQ(acks[1].records, 5);
  EXPECT_EQ(store().get_dlq("orders", old)->status, DlqStatus::Resolved);
  // A discarded entry stays discarded whatever a commit says.
  EXPECT_EQ(store().get_dlq("orders", discarded)->status, DlqStatus::Discarded);
  EXPECT_EQ(store().get_dlq("orders", discarded)->sink, "warehouse");
  EXPECT_EQ(count_of(store().count_dlq("orders"), DlqStatus::Pending), 2);
  EXPECT_EQ(store().last_dlq_id("orders"), old + 3);
  EXPECT_EQ(store().last_dlq_id("users"), 0);

  // Without a checkpoint the position stays; a change re-addresses an entry.
  CommitRecord keep;
  keep.pipeline = "orders";
  keep.partition = "p0";
  DlqChange readdress;
  readdress.id = old + 2;
  readdress.status = DlqStatus::FailedAgain;
  readdress.sink = "lake";
  readdress.message = "lake: refused";
  readdress.attempts = 2;
  readdress.stage = "clean";
  readdress.record_json = "{\"raw\":\"x\"}";
  keep.change = {readdress};
  store().finish_commit(keep);
  EXPECT_EQ(store().load_checkpoint("orders", "p0")->position, "pos-10");
  auto e = store().get_dlq("orders", old + 2);
  EXPECT_EQ(e->status, DlqStatus::FailedAgain);
  EXPECT_EQ(e->sink, "lake");
  EXPECT_EQ(e->message, "lake: refused");
  EXPECT_EQ(e->attempts, 2);
  EXPECT_EQ(e->stage, "clean");
  EXPECT_EQ(e->record_json, "{\"raw\":\"x\"}");
}

TEST_P(StateStoreTest, ResetLeavesAMarkerUntilThePartitionIsCheckpointedAgain) {
  EXPECT_FALSE(store().was_reset("orders", "p0"));
  store().save_checkpoint(make_checkpoint("orders", "p0", "10"), 10, {"db"});
  store().save_intent("orders", "p0", "x");
  store().reset_checkpoints("orders", std::string("p0"));
  EXPECT_TRUE(store().was_reset("orders", "p0"));
  EXPECT_FALSE(store().was_reset("orders", "p1"));
  EXPECT_FALSE(store().load_intent("orders", "p0"));
  store().save_checkpoint(make_checkpoint("orders", "p0", "5"), 5, {"db"});
  EXPECT_FALSE(store().was_reset("orders", "p0"));
  // Resetting the whole pipeline marks every partition, also unseen ones.
  store().reset_checkpoints("orders", std::nullopt);
  EXPECT_TRUE(store().was_reset("orders", "p0"));
  EXPECT_TRUE(store().was_reset("orders", "p7"));
  EXPECT_FALSE(store().was_reset("users", "p0"));
}

TEST_P(StateStoreTest, OneHolderAtATimeAndTheHolderIsNamed) {
  EXPECT_FALSE(store().lock_holder("orders"));
  LockHolder me{"host-a", 4242, "run", 1700000000000};
  {
    auto lock = store().lock_pipeline("orders", me);
    auto holder = store().lock_holder("orders");
    ASSERT_TRUE(holder);
    EXPECT_EQ(holder->pid, 4242);
    EXPECT_EQ(holder->host, "host-a");
    try {
      store().lock_pipeline("orders", LockHolder{"host-b", 7, "replay", 0});
      FAIL() << "a second holder was let in";
    } catch (const PipelineBusyError& e) {
      EXPECT_EQ(e.holder().pid, 4242);
      EXPECT_NE(std::string(e.what()).find("pid 4242 on host host-a (ferry run"), std::string::npos) << e.what();
    }
    auto other = store().lock_pipeline("users", me);  // another pipeline is free
  }
  EXPECT_FALSE(store().lock_holder("orders"));
  auto again = store().lock_pipeline("orders", me);
}

TEST_P(StateStoreTest, UnfinishedRunsCanBeMarkedFailed) {
  core::Run r;
  r.id = "r1";
  r.pipeline = "orders";
  r.kind = "run";
  store().begin_run(r);
  r.id = "r2";
  store().begin_run(r);
  store().end_run("r2", RunStatus::Succeeded, RunCounts{}, "");
  EXPECT_EQ(store().fail_unfinished_runs("orders", "died"), 1);
  auto runs = store().list_runs("orders", 0);
  for (const core::Run& run : runs) {
    if (run.id == "r1") {
      EXPECT_EQ(run.status, RunStatus::Failed);
      EXPECT_EQ(run.message, "died");
      EXPECT_GT(run.ended_at_ms, 0);
    } else {
      EXPECT_EQ(run.status, RunStatus::Succeeded);
    }
  }
}

TEST_P(StateStoreTest, ListDlqFilters) {
  const int64_t id1 = add_one(store(), make_entry("orders", "1", "warehouse", "invalid_data"));
  const int64_t id2 = add_one(store(), make_entry("orders", "2", "warehouse", "retry_exhausted"));
  const int64_t id3 = add_one(store(), make_entry("orders", "3", "audit", "invalid_data"));
  wait_until_after(store().get_dlq("orders", id3)->created_at_ms);
  const int64_t id4 = add_one(store(), make_entry("orders", "4", "audit", "retry_exhausted"));
  const int64_t id5 = add_one(store(), make_entry("orders", "5", "", "invalid_data"));
  const int64_t other = add_one(store(), make_entry("users", "1", "warehouse", "invalid_data"));
  store().update_dlq("orders", id2, DlqStatus::Discarded, std::nullopt, std::nullopt);
  const int64_t since = store().get_dlq("orders", id4)->created_at_ms;

  using Ids = std::vector<int64_t>;
  EXPECT_EQ(ids_of(store().list_dlq(filter())), (Ids{id1, id2, id3, id4, id5}));
  EXPECT_EQ(ids_of(store().list_dlq(filter("users"))), (Ids{other}));

  auto f = filter();
  f.status = DlqStatus::Pending;
  EXPECT_EQ(ids_of(store().list_dlq(f)), (Ids{id1, id3, id4, id5}));
  f.status = DlqStatus::Discarded;
  EXPECT_EQ(ids_of(store().list_dlq(f)), (Ids{id2}));
  f.status = DlqStatus::Resolved;
  EXPECT_TRUE(store().list_dlq(f).empty());

  f = filter();
  f.sink = "warehouse";
  EXPECT_EQ(ids_of(store().list_dlq(f)), (Ids{id1, id2}));
  f.sink = "";
  EXPECT_EQ(ids_of(store().list_dlq(f)), (Ids{id5}));

  f = filter();
  f.error_class = "invalid_data";
  EXPECT_EQ(ids_of(store().list_dlq(f)), (Ids{id1, id3, id5}));

  f = filter();
  f.since_ms = since;
  EXPECT_EQ(ids_of(store().list_dlq(f)), (Ids{id4, id5}));

  f = filter();
  f.ids = {id5, id1, 999999, other};  // order given does not matter; other pipeline excluded
  EXPECT_EQ(ids_of(store().list_dlq(f)), (Ids{id1, id5}));

  f = filter();
  f.status = DlqStatus::Pending;
  f.sink = "audit";
  f.error_class = "retry_exhausted";
  EXPECT_EQ(ids_of(store().list_dlq(f)), (Ids{id4}));
}

TEST_P(StateStoreTest, ListDlqPagesWithAfterIdAndLimit) {
  std::vector<int64_t> expected;
  for (int i = 0; i < 7; ++i) {
    expected.push_back(add_one(store(), make_entry("orders", "pos-" + std::to_string(i))));
    add_one(store(), make_entry("users", "pos-" + std::to_string(i)));  // interleaved noise
  }

  std::vector<int64_t> seen;
  std::vector<size_t> page_sizes;
  auto f = filter();
  f.limit = 3;
  for (int guard = 0; guard < 10; ++guard) {
    auto page = store().list_dlq(f);
    if (page.empty()) break;
    page_sizes.push_back(page.size());
    for (const auto& e : page) seen.push_back(e.id);
    f.after_id = page.back().id;
  }
  EXPECT_EQ(page_sizes, (std::vector<size_t>{3, 3, 1}));
  EXPECT_EQ(seen, expected);

  // Paging composes with filters.
  store().update_dlq("orders", expected[1], DlqStatus::Resolved, std::nullopt, std::nullopt);
  f = filter();
  f.status = DlqStatus::Pending;
  f.limit = 2;
  f.after_id = expected[0];
  EXPECT_EQ(ids_of(store().list_dlq(f)), (std::vector<int64_t>{expected[2], expected[3]}));

  f = filter();
  f.limit = 0;  // no limit
  EXPECT_EQ(store().list_dlq(f).size(), 7u);
}

// A replay reads a large DLQ with only the fields it uses; those are the
// same as in a full listing, filters and paging included.
TEST_P(StateStoreTest, ListingForReplayGivesTheFieldsReplayUses) {
  std::vector<int64_t> ids;
  for (int i = 0; i < 5; ++i) {
    DlqEntry e = make_entry("orders", "pos-" + std::to_string(i), i % 2 ? "warehouse" : "");
    e.record_key = std::string("k\0", 2) + std::to_string(i);
    e.attempts = i + 1;
    ids.push_back(add_one(store(), e));
  }
  store().update_dlq("orders", ids[3], DlqStatus::FailedAgain, std::nullopt, std::nullopt);
  store().update_dlq("orders", ids[4], DlqStatus::Resolved, std::nullopt, std::nullopt);
  for (std::optional<DlqStatus> status : {std::optional<DlqStatus>{}, std::optional<DlqStatus>{DlqStatus::Pending}}) {
    auto full = filter();
    full.status = status;
    full.after_id = ids[0];
    full.limit = 3;
    auto lean = full;
    lean.replay_fields_only = true;
    const std::vector<DlqEntry> a = store().list_dlq(full);
    const std::vector<DlqEntry> b = store().list_dlq(lean);
    ASSERT_EQ(ids_of(a), ids_of(b));
    ASSERT_FALSE(a.empty());
    for (size_t i = 0; i < a.size(); ++i) {
      EXPECT_EQ(b[i].stage, a[i].stage);
      EXPECT_EQ(b[i].sink, a[i].sink);
      EXPECT_EQ(b[i].record_key, a[i].record_key);
      EXPECT_EQ(b[i].record_json, a[i].record_json);
      EXPECT_EQ(b[i].status, a[i].status);
      EXPECT_EQ(b[i].attempts, a[i].attempts);
    }
  }
}

TEST_P(StateStoreTest, UpdateDlqSetsStatusAndOptionallyMessageAndAttempts) {
  const DlqEntry e = make_entry("orders", "pos-1");
  const int64_t id = add_one(store(), e);
  const int64_t created = store().get_dlq("orders", id)->created_at_ms;

  store().update_dlq("orders", id, DlqStatus::FailedAgain, std::nullopt, std::nullopt);
  auto got = store().get_dlq("orders", id);
  EXPECT_EQ(got->status, DlqStatus::FailedAgain);
  EXPECT_EQ(got->message, e.message);
  EXPECT_EQ(got->attempts, 1);
  EXPECT_GE(got->updated_at_ms, created);

  store().update_dlq("orders", id, DlqStatus::Resolved, std::string("replayed"), int64_t{3});
  got = store().get_dlq("orders", id);
  EXPECT_EQ(got->status, DlqStatus::Resolved);
  EXPECT_EQ(got->message, "replayed");
  EXPECT_EQ(got->attempts, 3);
  EXPECT_EQ(got->record_json, e.record_json);
  EXPECT_EQ(got->position, e.position);
  EXPECT_EQ(got->created_at_ms, created);

  // Another pipeline cannot touch it, and unknown ids are errors.
  EXPECT_THROW(store().update_dlq("users", id, DlqStatus::Discarded, std::nullopt, std::nullopt),
               Error);
  EXPECT_EQ(store().get_dlq("orders", id)->status, DlqStatus::Resolved);
  EXPECT_THROW(
      store().update_dlq("orders", id + 1000, DlqStatus::Discarded, std::nullopt, std::nullopt),
      Error);
}

TEST_P(StateStoreTest, CountDlqGivesEveryStatusInEnumOrder) {
  auto ids = store().add_dlq({make_entry("orders", "1"), make_entry("orders", "2"),
                              make_entry("orders", "3"), make_entry("orders", "4"),
                              make_entry("orders", "5"), make_entry("users", "1")});
  store().update_dlq("orders", ids[0], DlqStatus::Resolved, std::nullopt, std::nullopt);
  store().update_dlq("orders", ids[1], DlqStatus::Discarded, std::nullopt, std::nullopt);
  store().update_dlq("orders", ids[2], DlqStatus::Discarded, std::nullopt, std::nullopt);

  using Counts = std::vector<std::pair<DlqStatus, int64_t>>;
  EXPECT_EQ(store().count_dlq("orders"), (Counts{{DlqStatus::Pending, 2},
                                                 {DlqStatus::Resolved, 1},
                                                 {DlqStatus::FailedAgain, 0},
                                                 {DlqStatus::Discarded, 2}}));
  EXPECT_EQ(store().count_dlq("users"), (Counts{{DlqStatus::Pending, 1},
                                                {DlqStatus::Resolved, 0},
                                                {DlqStatus::FailedAgain, 0},
                                                {DlqStatus::Discarded, 0}}));
  EXPECT_EQ(store().count_dlq("nobody"), (Counts{{DlqStatus::Pending, 0},
                                                 {DlqStatus::Resolved, 0},
                                                 {DlqStatus::FailedAgain, 0},
                                                 {DlqStatus::Discarded, 0}}));
}

// --- runs -----------------------------------------------------------------

Run make_run(const std::string& id, const std::string& pipeline, int64_t started_at_ms) {
  Run r;
  r.id = id;
  r.pipeline = pipeline;
  r.kind = "run";
  r.started_at_ms = started_at_ms;
  return r;
}

// --- commits that wait -----------------------------------------------------

CommitRecord waiting_commit(const std::string& partition, const std::string& position, int64_t records,
                            const std::vector<std::string>& sinks) {
  CommitRecord r;
  r.pipeline = "orders";
  r.partition = partition;
  r.checkpoint = make_checkpoint("orders", partition, position, "r1");
  r.records = records;
  for (const std::string& sink : sinks) r.acks.emplace_back(sink, records);
  r.run_id = "r1";
  r.progress = RunCounts{records + 1, records, 0, 1};
  r.may_wait_ms = 60000;
  return r;
}

// Waiting commits merge per partition and sinks, and any other operation
// sees them saved first: what it reads or changes comes after them.
TEST_P(StateStoreTest, CommitsThatWaitAreSavedTogetherBeforeAnyOtherOperation) {
  store().begin_run(make_run("r1", "orders", 1000));
  store().finish_commit(waiting_commit("p0", "pos-1", 10, {"db"}));
  EXPECT_TRUE(store().commits_waiting("orders", "p0"));
  EXPECT_FALSE(store().commits_waiting("orders", "p1"));
  store().finish_commit(waiting_commit("p1", "pos-9", 4, {"db"}));
  store().finish_commit(waiting_commit("p0", "pos-2", 10, {"db"}));
  store().finish_commit(waiting_commit("p0", "pos-3", 5, {"db", "lake"}));  // other sinks: not merged

  auto p0 = store().load_checkpoint("orders", "p0");
  EXPECT_FALSE(store().commits_waiting("orders", "p0"));
  EXPECT_FALSE(store().commits_waiting("orders", "p1"));
  ASSERT_TRUE(p0);
  EXPECT_EQ(p0->position, "pos-3");
  EXPECT_EQ(p0->records, 25);
  EXPECT_EQ(store().load_checkpoint("orders", "p1")->records, 4);
  auto acks = store().list_sink_acks("orders");
  ASSERT_EQ(acks.size(), 2u);
  EXPECT_EQ(acks[0].sink, "db");
  EXPECT_EQ(acks[0].records, 29);
  EXPECT_EQ(acks[0].batches, 4);
  EXPECT_EQ(acks[1].sink, "lake");
  EXPECT_EQ(acks[1].records, 5);
  EXPECT_EQ(acks[1].batches, 1);
  auto runs = store().list_runs("orders", 0);
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(runs[0].counts.read, 33);
  EXPECT_EQ(runs[0].counts.written, 29);
  EXPECT_EQ(runs[0].counts.batches, 4);

  // A commit with DLQ entries never waits, and comes after the waiting ones.
  store().finish_commit(waiting_commit("p0", "pos-4", 1, {"db"}));
  CommitRecord rejected = waiting_commit("p0", "pos-5", 1, {"db"});
  rejected.add = {make_entry("orders", "pos-5")};
  store().finish_commit(rejected);
  EXPECT_EQ(store().load_checkpoint("orders", "p0")->position, "pos-5");
  EXPECT_EQ(store().load_checkpoint("orders", "p0")->records, 27);
  EXPECT_EQ(store().list_dlq(filter()).size(), 1u);
}

TEST_P(StateStoreTest, RunsBeginEndAndList) {
  store().begin_run(make_run("r1", "orders", 1000));
  ferry::core::Run replay = make_run("r2", "orders", 2000);
  replay.kind = "replay";
  store().begin_run(replay);
  store().begin_run(make_run("r3", "orders", 3000));
  store().begin_run(make_run("u1", "users", 2500));

  auto runs = store().list_runs("orders", 0);
  ASSERT_EQ(runs.size(), 3u);
  EXPECT_EQ(runs[0].id, "r3");  // newest first
  EXPECT_EQ(runs[1].id, "r2");
  EXPECT_EQ(runs[2].id, "r1");
  EXPECT_EQ(runs[1].kind, "replay");
  EXPECT_EQ(runs[1].status, RunStatus::Running);
  EXPECT_EQ(runs[1].ended_at_ms, 0);
  EXPECT_EQ(runs[1].counts.read, 0);
  EXPECT_EQ(runs[1].started_at_ms, 2000);

  auto two = store().list_runs("orders", 2);
  ASSERT_EQ(two.size(), 2u);
  EXPECT_EQ(two[0].id, "r3");
  EXPECT_EQ(two[1].id, "r2");

  const int64_t before = now_ms();
  store().end_run("r2", RunStatus::Succeeded, RunCounts{100, 90, 10, 5}, "done");
  store().end_run("r3", RunStatus::Failed, RunCounts{1, 0, 0, 0}, "sink unreachable");
  const int64_t after = now_ms();

  runs = store().list_runs("orders", 0);
  ASSERT_EQ(runs.size(), 3u);
  EXPECT_EQ(runs[0].status, RunStatus::Failed);
  EXPECT_EQ(runs[0].message, "sink unreachable");
  const auto& r2 = runs[1];
  EXPECT_EQ(r2.status, RunStatus::Succeeded);
  EXPECT_EQ(r2.counts.read, 100);
  EXPECT_EQ(r2.counts.written, 90);
  EXPECT_EQ(r2.counts.rejected, 10);
  EXPECT_EQ(r2.counts.batches, 5);
  EXPECT_EQ(r2.message, "done");
  EXPECT_GE(r2.ended_at_ms, before);
  EXPECT_LE(r2.ended_at_ms, after);
  EXPECT_EQ(runs[2].status, RunStatus::Running);

  auto users = store().list_runs("users", 0);
  ASSERT_EQ(users.size(), 1u);
  EXPECT_EQ(users[0].id, "u1");
}

TEST_P(StateStoreTest, RunErrorsAndDefaults) {
  store().begin_run(make_run("r1", "orders", 1000));
  EXPECT_THROW(store().begin_run(make_run("r1", "orders", 5000)), Error);
  EXPECT_THROW(store().end_run("missing", RunStatus::Stopped, RunCounts{}, ""), Error);

  const int64_t before = now_ms();
  store().begin_run(make_run("r2", "orders", 0));  // the store stamps the start
  const int64_t after = now_ms();
  auto runs = store().list_runs("orders", 1);
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(runs[0].id, "r2");
  EXPECT_GE(runs[0].started_at_ms, before);
  EXPECT_LE(runs[0].started_at_ms, after);
}

TEST_P(StateStoreTest, SchemaVersionsAreStoredOncePerPartitionWithWhereTheyBegan) {
  SchemaVersion v{"orders", "p0", "aaaa", R"([{"name":"id","type":"int64"}])", "", 0};
  EXPECT_TRUE(store().record_schema_version(v));
  EXPECT_FALSE(store().record_schema_version(v));
  SchemaVersion w{"orders", "p0", "bbbb", R"([{"name":"id","type":"string"}])", std::string("120:7\0x", 8), 0};
  EXPECT_TRUE(store().record_schema_version(w));
  EXPECT_TRUE(store().record_schema_version({"orders", "p1", "aaaa", "[]", "", 0}));
  EXPECT_TRUE(store().record_schema_version({"other", "p0", "aaaa", "[]", "", 0}));
  auto all = store().list_schema_versions("orders");
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].version, "aaaa");
  EXPECT_EQ(all[1].version, "bbbb");
  EXPECT_EQ(all[1].began_after, std::string("120:7\0x", 8));
  EXPECT_EQ(all[1].fields_json, R"([{"name":"id","type":"string"}])");
  EXPECT_GT(all[1].seen_at_ms, 0);
  EXPECT_EQ(all[2].partition, "p1");
}

TEST_P(StateStoreTest, APartitionPlanIsKeptPerScopeInOrderUntilThePipelineIsReset) {
  using ferry::core::PlannedPartition;
  const std::vector<PlannedPartition> plan = {{"p1", std::string("\0,7\xff", 4)}, {"p0", ",7"}};
  store().save_partition_plan("orders", "", plan);
  store().save_partition_plan("orders", "2026-01-01", {{"p0", "w"}});
  store().save_partition_plan("users", "", {{"p0", "u"}});
  EXPECT_EQ(store().load_partition_plan("orders", ""), plan);  // the source's order, bytes intact
  EXPECT_EQ(store().load_partition_plan("orders", "2026-01-01"), (std::vector<PlannedPartition>{{"p0", "w"}}));
  EXPECT_TRUE(store().load_partition_plan("orders", "2026-01-02").empty());

  const std::vector<PlannedPartition> replanned = {{"p0", "1,"}};
  store().save_partition_plan("orders", "", replanned);
  EXPECT_EQ(store().load_partition_plan("orders", ""), replanned);

  store().save_checkpoint(make_checkpoint("orders", "p0", "5"), 5, {});
  store().reset_checkpoints("orders", std::string("p0"));
  EXPECT_EQ(store().load_partition_plan("orders", ""), replanned) << "a partition's reset keeps the plan";
  store().reset_checkpoints("orders", std::nullopt);
  EXPECT_TRUE(store().load_partition_plan("orders", "").empty());
  EXPECT_TRUE(store().load_partition_plan("orders", "2026-01-01").empty());
  EXPECT_EQ(store().load_partition_plan("users", ""), (std::vector<PlannedPartition>{{"p0", "u"}}));
}

TEST_P(StateStoreTest, BackfillWindowsAreUpsertedAndListedInOrder) {
  BackfillWindow w;
  w.pipeline = "orders";
  w.window = "2026-01-02";
  w.data_date = "2026-01-02";
  w.start = "2026-01-02T00:00:00Z";
  w.end = "2026-01-03T00:00:00Z";
  w.status = WindowStatus::Running;
  w.attempts = 1;
  store().save_window(w);
  BackfillWindow first = w;
  first.window = first.data_date = "2026-01-01";
  first.status = WindowStatus::Done;
  first.records = 50;
  store().save_window(first);
  w.status = WindowStatus::Failed;
  w.attempts = 2;
  w.message = "boom";
  store().save_window(w);
  auto windows = store().list_windows("orders");
  ASSERT_EQ(windows.size(), 2u);
  EXPECT_EQ(windows[0].window, "2026-01-01");
  EXPECT_EQ(windows[0].status, WindowStatus::Done);
  EXPECT_EQ(windows[0].records, 50);
  EXPECT_EQ(windows[1].status, WindowStatus::Failed);
  EXPECT_EQ(windows[1].attempts, 2);
  EXPECT_EQ(windows[1].message, "boom");
  EXPECT_EQ(windows[1].end, "2026-01-03T00:00:00Z");
  EXPECT_TRUE(store().list_windows("other").empty());
}

INSTANTIATE_TEST_SUITE_P(Backends, StateStoreTest, ::testing::ValuesIn(store_factories()),
                         [](const ::testing::TestParamInfo<StoreFactory>& info) {
                           return info.param.name;
                         });

// --- enums ----------------------------------------------------------------

TEST(StateEnums, DlqStatusTextRoundTrips) {
  EXPECT_STREQ(to_string(DlqStatus::Pending), "pending");
  EXPECT_STREQ(to_string(DlqStatus::Resolved), "resolved");
  EXPECT_STREQ(to_string(DlqStatus::FailedAgain), "failed_again");
  EXPECT_STREQ(to_string(DlqStatus::Discarded), "discarded");
  for (auto s : {DlqStatus::Pending, DlqStatus::Resolved, DlqStatus::FailedAgain,
                 DlqStatus::Discarded}) {
    EXPECT_EQ(parse_dlq_status(to_string(s)), s);
  }
  EXPECT_FALSE(parse_dlq_status("Pending").has_value());
  EXPECT_FALSE(parse_dlq_status("").has_value());
  EXPECT_FALSE(parse_dlq_status("failed-again").has_value());
}

TEST(StateEnums, RunStatusText) {
  EXPECT_STREQ(to_string(RunStatus::Running), "running");
  EXPECT_STREQ(to_string(RunStatus::Succeeded), "succeeded");
  EXPECT_STREQ(to_string(RunStatus::Failed), "failed");
  EXPECT_STREQ(to_string(RunStatus::Stopped), "stopped");
}

// --- SQLite specifics -----------------------------------------------------

// A plain second connection, looking at the file as a person with the sqlite3
// shell would.
class RawDb {
 public:
  explicit RawDb(const std::string& path) {
    sqlite3* raw = nullptr;
    int rc = sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READWRITE, nullptr);
    db_.reset(raw);
    if (rc != SQLITE_OK) throw std::runtime_error("cannot open " + path);
    sqlite3_busy_timeout(raw, 10000);
  }

  void exec(const std::string& sql) {
    char* err = nullptr;
    if (sqlite3_exec(db_.get(), sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
      std::string message = err ? err : "?";
      sqlite3_free(err);
      throw std::runtime_error(sql + ": " + message);
    }
  }

  // First column of every row, as text.
  std::vector<std::string> column(const std::string& sql) {
    sqlite3_stmt* raw = nullptr;
    if (sqlite3_prepare_v2(db_.get(), sql.c_str(), -1, &raw, nullptr) != SQLITE_OK) {
      throw std::runtime_error(sql + ": " + sqlite3_errmsg(db_.get()));
    }
    std::unique_ptr<sqlite3_stmt, decltype(&sqlite3_finalize)> stmt(raw, &sqlite3_finalize);
    std::vector<std::string> out;
    while (sqlite3_step(raw) == SQLITE_ROW) {
      auto* text = reinterpret_cast<const char*>(sqlite3_column_text(raw, 0));
      out.emplace_back(text ? text : "NULL");
    }
    return out;
  }

  std::string scalar(const std::string& sql) {
    auto rows = column(sql);
    return rows.empty() ? "<no row>" : rows[0];
  }

 private:
  std::unique_ptr<sqlite3, decltype(&sqlite3_close_v2)> db_{nullptr, &sqlite3_close_v2};
};

class SqliteStateStoreTest : public ::testing::Test {
 protected:
  std::string path() const { return (dir_.path() / "state.db").string(); }

  TempDir dir_;
};

TEST_F(SqliteStateStoreTest, DataSurvivesClosingAndReopening) {
  const std::string position("\0bin\xff", 5);
  int64_t dlq_id = 0;
  {
    auto store = open_sqlite_state(path());
    store->save_checkpoint(make_checkpoint("orders", "p0", position, "run-1", "fp"), 11,
                           {"warehouse"});
    dlq_id = add_one(*store, make_entry("orders", "pos-1"));
    store->update_dlq("orders", dlq_id, DlqStatus::FailedAgain, std::string("again"), int64_t{2});
    store->begin_run(make_run("run-1", "orders", 1000));
    store->end_run("run-1", RunStatus::Stopped, RunCounts{5, 4, 1, 2}, "interrupted");
  }
  ASSERT_TRUE(fs::exists(path()));

  auto store = open_sqlite_state(path());
  auto c = store->load_checkpoint("orders", "p0");
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->position, position);
  EXPECT_EQ(c->records, 11);
  EXPECT_EQ(c->schema_version, "fp");
  ASSERT_EQ(store->list_sink_acks("orders").size(), 1u);
  EXPECT_EQ(store->list_sink_acks("orders")[0].records, 11);

  auto e = store->get_dlq("orders", dlq_id);
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->status, DlqStatus::FailedAgain);
  EXPECT_EQ(e->message, "again");
  EXPECT_EQ(e->attempts, 2);

  auto runs = store->list_runs("orders", 0);
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(runs[0].status, RunStatus::Stopped);
  EXPECT_EQ(runs[0].counts.rejected, 1);
  EXPECT_EQ(runs[0].message, "interrupted");

  // Ids keep growing across sessions (AUTOINCREMENT), so old ids stay unique.
  EXPECT_GT(add_one(*store, make_entry("orders", "pos-2")), dlq_id);
}

TEST_F(SqliteStateStoreTest, FileIsInWalModeWithAVersionedSchema) {
  auto store = open_sqlite_state(path());
  RawDb raw(path());
  EXPECT_EQ(raw.scalar("PRAGMA journal_mode"), "wal");
  EXPECT_EQ(raw.scalar("PRAGMA user_version"), "8");
  EXPECT_EQ(raw.column("SELECT name FROM sqlite_master WHERE type = 'table' "
                       "AND name NOT LIKE 'sqlite_%' ORDER BY name"),
            (std::vector<std::string>{"backfill_windows", "batch_cuts", "checkpoint_resets", "checkpoints", "commit_intents",
                                      "dlq_entries", "dlq_schemas", "dlq_state", "partition_plans", "runs",
                                      "schema_versions", "sink_acks"}));
  EXPECT_EQ(raw.column("SELECT name FROM sqlite_master WHERE type = 'view'"), (std::vector<std::string>{"dlq"}));
  // Duplicates are judged by content: no unique index on positions.
  EXPECT_EQ(raw.scalar("SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name = 'dlq_pending_dedup'"), "0");

  // Opening an existing file again leaves it as it is.
  store.reset();
  store = open_sqlite_state(path());
  EXPECT_EQ(raw.scalar("PRAGMA user_version"), "8");
}

// A record's schema is kept once however many entries repeat it; every
// reader gets each record's text back exactly, whole.
TEST_F(SqliteStateStoreTest, ARecordsSchemaIsKeptOnceAndEveryRecordReadsBackWhole) {
  auto store = open_sqlite_state(path());
  const std::string schema = R"([{"name":"id","type":"int64"},{"name":"n","type":"string"}])";
  std::vector<std::string> texts;
  for (int i = 0; i < 5; ++i)
    texts.push_back(R"({"schema":)" + schema + R"(,"values":{"id":)" + std::to_string(i) + R"(,"n":"a\"],b"}})");
  texts.push_back(R"({"raw":"not a record"})");
  texts.push_back(R"({"schema":[{"name":"id","type":"int64"}]})");  // nothing after the schema
  texts.push_back(R"({"schema":)" + schema + R"(,"values":{"id":9,"n":null},"op":"delete"})");
  std::vector<int64_t> ids;
  for (size_t i = 0; i < texts.size(); ++i) {
    DlqEntry e = make_entry("orders", "pos-" + std::to_string(i));
    e.record_json = texts[i];
    ids.push_back(add_one(*store, e));
  }
  RawDb raw(path());
  EXPECT_EQ(raw.scalar("SELECT count(*) FROM dlq_schemas"), "1");
  EXPECT_EQ(raw.scalar("SELECT record FROM dlq_entries WHERE id = " + std::to_string(ids[1])),
            R"({"values":{"id":1,"n":"a\"],b"}})");
  EXPECT_EQ(raw.column("SELECT record FROM dlq ORDER BY id"), texts);
  for (size_t i = 0; i < texts.size(); ++i) EXPECT_EQ(store->get_dlq("orders", ids[i])->record_json, texts[i]);
  for (bool lean : {false, true}) {
    DlqFilter f;
    f.pipeline = "orders";
    f.replay_fields_only = lean;
    std::vector<std::string> listed;
    for (const DlqEntry& e : store->list_dlq(f)) listed.push_back(e.record_json);
    EXPECT_EQ(listed, texts);
  }
  // The same failure reported again is found as a duplicate.
  DlqEntry again = make_entry("orders", "pos-1");
  again.record_json = texts[1];
  EXPECT_EQ(add_one(*store, again), ids[1]);

  // Failed again at a stage that saw another record: that record, whole.
  const std::string changed = R"({"schema":[{"name":"x","type":"bool"}],"values":{"x":true}})";
  CommitRecord settle;
  settle.pipeline = "orders";
  settle.partition = "ferry-replay";
  DlqChange ch;
  ch.id = ids[2];
  ch.status = DlqStatus::FailedAgain;
  ch.stage = "check";
  ch.record_json = changed;
  settle.change = {ch};
  store->finish_commit(settle);
  EXPECT_EQ(store->get_dlq("orders", ids[2])->record_json, changed);
  EXPECT_EQ(raw.scalar("SELECT count(*) FROM dlq_schemas"), "2");
}

TEST_F(SqliteStateStoreTest, TablesReadWithPlainSql) {
  auto store = open_sqlite_state(path());
  store->save_checkpoint(make_checkpoint("orders", "p0", std::string("\x01\0\xff", 3)), 4, {"wh"});
  add_one(*store, make_entry("orders", "pos-1"));
  store->begin_run(make_run("r1", "orders", 1000));

  RawDb raw(path());
  EXPECT_EQ(raw.scalar("SELECT hex(position) FROM checkpoints WHERE pipeline = 'orders'"),
            "0100FF");
  EXPECT_EQ(raw.scalar("SELECT typeof(position) FROM checkpoints"), "blob");
  EXPECT_EQ(raw.scalar("SELECT records || '/' || batches FROM sink_acks WHERE sink = 'wh'"),
            "4/1");
  EXPECT_EQ(raw.scalar("SELECT status || ' ' || error_class FROM dlq"), "pending invalid_data");
  EXPECT_EQ(raw.scalar("SELECT json_extract(record, '$.values.id') FROM dlq"), "7");
  EXPECT_EQ(raw.scalar("SELECT status || ' ' || ifnull(ended_at_ms, 'open') FROM runs"),
            "running open");
}

TEST_F(SqliteStateStoreTest, TwoStoresOnOneFileWriteFromTwoThreads) {
  constexpr int kSaves = 30;
  auto a = open_sqlite_state(path());
  auto b = open_sqlite_state(path());
  std::atomic<int> failures{0};
  std::string first_error;
  auto writer = [&](StateStore& store, const std::string& partition) {
    try {
      for (int i = 0; i < kSaves; ++i) {
        store.save_checkpoint(make_checkpoint("orders", partition, std::to_string(i)), 1,
                              {"warehouse"});
        add_one(store, make_entry("orders", partition + ":" + std::to_string(i)));
      }
    } catch (const std::exception& e) {
      if (failures++ == 0) first_error = e.what();
    }
  };
  std::thread ta(writer, std::ref(*a), "pa");
  std::thread tb(writer, std::ref(*b), "pb");
  ta.join();
  tb.join();
  ASSERT_EQ(failures.load(), 0) << first_error;

  auto reader = open_sqlite_state(path());
  auto checkpoints = reader->list_checkpoints("orders");
  ASSERT_EQ(checkpoints.size(), 2u);
  for (const auto& c : checkpoints) {
    EXPECT_EQ(c.records, kSaves);
    EXPECT_EQ(c.position, std::to_string(kSaves - 1));
  }
  auto acks = reader->list_sink_acks("orders");
  ASSERT_EQ(acks.size(), 1u);
  EXPECT_EQ(acks[0].records, 2 * kSaves);
  EXPECT_EQ(acks[0].batches, 2 * kSaves);
  EXPECT_EQ(count_of(reader->count_dlq("orders"), DlqStatus::Pending), 2 * kSaves);
}

TEST_F(SqliteStateStoreTest, WriterWaitsForAnotherConnectionsLock) {
  auto store = open_sqlite_state(path());
  RawDb other(path());
  other.exec("BEGIN IMMEDIATE");  // hold the write lock, as another process might
  auto save = std::async(std::launch::async,
                         [&] { store->save_checkpoint(make_checkpoint("orders", "p0", "1"), 1, {}); });
  // While the lock is held the save cannot finish; one that gave up with
  // "locked" would be ready (with its exception) well within this wait.
  // Not a synchronisation: a waiting save passes however long this takes.
  EXPECT_EQ(save.wait_for(milliseconds(300)), std::future_status::timeout) << "the save did not wait for the lock";
  other.exec("COMMIT");
  EXPECT_NO_THROW(save.get());  // it waited instead of failing with "locked"
  EXPECT_EQ(store->load_checkpoint("orders", "p0")->records, 1);
}

TEST_F(SqliteStateStoreTest, FailedSaveLeavesCheckpointAndAcksUntouched) {
  auto store = open_sqlite_state(path());
  store->save_checkpoint(make_checkpoint("orders", "p0", "pos-1"), 5, {"audit"});

  // Make the second ack of the next save fail, after the checkpoint and the
  // first ack were already written inside the transaction.
  RawDb raw(path());
  raw.exec("CREATE TRIGGER refuse_ack BEFORE INSERT ON sink_acks WHEN NEW.sink = 'zz-broken' "
           "BEGIN SELECT RAISE(ABORT, 'injected ack failure'); END");

  try {
    store->save_checkpoint(make_checkpoint("orders", "p0", "pos-2"), 7, {"audit", "zz-broken"});
    FAIL() << "save_checkpoint should have thrown";
  } catch (const Error& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find(path()), std::string::npos) << message;
    EXPECT_NE(message.find("injected ack failure"), std::string::npos) << message;
  }

  auto c = store->load_checkpoint("orders", "p0");
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->position, "pos-1");
  EXPECT_EQ(c->records, 5);
  auto acks = store->list_sink_acks("orders");
  ASSERT_EQ(acks.size(), 1u);
  EXPECT_EQ(acks[0].sink, "audit");
  EXPECT_EQ(acks[0].records, 5);
  EXPECT_EQ(acks[0].batches, 1);

  // The store is still usable afterwards (the transaction was rolled back).
  store->save_checkpoint(make_checkpoint("orders", "p0", "pos-3"), 1, {"audit"});
  EXPECT_EQ(store->load_checkpoint("orders", "p0")->records, 6);
}

TEST_F(SqliteStateStoreTest, ErrorsNameTheFile) {
  const std::string missing_dir = (dir_.path() / "no-such-dir" / "state.db").string();
  try {
    open_sqlite_state(missing_dir);
    FAIL() << "opening under a missing directory should throw";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(missing_dir), std::string::npos) << e.what();
  }

  auto store = open_sqlite_state(path());
  try {
    store->end_run("missing", RunStatus::Failed, RunCounts{}, "");
    FAIL() << "end_run of an unknown run should throw";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(path()), std::string::npos) << e.what();
  }
}

TEST_F(SqliteStateStoreTest, RefusesAFileThatIsNotADatabase) {
  {
    std::ofstream garbage(path(), std::ios::binary);
    garbage << std::string(4096, 'x');
  }
  try {
    open_sqlite_state(path());
    FAIL() << "a file that is not a database should be refused";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(path()), std::string::npos) << e.what();
  }
}

// `ferry run` and `ferry checkpoint show` may both be the first to open a
// new file; exactly one creates the schema and both work.
TEST_F(SqliteStateStoreTest, ConcurrentFirstOpensOfANewFile) {
  for (int round = 0; round < 5; ++round) {
    const std::string file = (dir_.path() / ("race-" + std::to_string(round) + ".db")).string();
    std::atomic<int> failures{0};
    std::string first_error;
    std::vector<std::thread> threads;
    for (int t = 0; t < 3; ++t) {
      threads.emplace_back([&, t] {
        try {
          auto store = open_sqlite_state(file);
          store->save_checkpoint(make_checkpoint("orders", "p" + std::to_string(t), "1"), 1, {});
        } catch (const std::exception& e) {
          if (failures++ == 0) first_error = e.what();
        }
      });
    }
    for (auto& th : threads) th.join();
    ASSERT_EQ(failures.load(), 0) << first_error;
    EXPECT_EQ(open_sqlite_state(file)->list_checkpoints("orders").size(), 3u);
  }
}

// A lost state is never taken for a new one.
TEST_F(SqliteStateStoreTest, AnExistingEmptyFileIsRefused) {
  std::ofstream(path()).close();
  try {
    open_sqlite_state(path());
    FAIL() << "an empty state file was taken for a new one";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("is empty"), std::string::npos) << e.what();
  }
  EXPECT_EQ(fs::file_size(path()), 0u) << "the file was touched";
}

TEST_F(SqliteStateStoreTest, TheThoroughCheckFindsADamagedPage) {
  {
    auto store = open_sqlite_state(path());
    for (int i = 0; i < 200; ++i) add_one(*store, make_entry("orders", "pos-" + std::to_string(i)));
  }
  RawDb(path()).exec("PRAGMA wal_checkpoint(TRUNCATE)");
  {
    std::fstream f(path(), std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(4096 * 3);
    const std::string garbage(4096, '\x33');
    f.write(garbage.data(), static_cast<std::streamsize>(garbage.size()));
  }
  try {
    open_sqlite_state(path(), StateCheck::Thorough);
    FAIL() << "a damaged state file was used";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("damaged"), std::string::npos) << e.what();
  }
}

TEST_F(SqliteStateStoreTest, RefusesAFileFromANewerSchema) {
  open_sqlite_state(path());
  RawDb(path()).exec("PRAGMA user_version = 99");
  try {
    open_sqlite_state(path());
    FAIL() << "a newer schema should be refused";
  } catch (const Error& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find(path()), std::string::npos) << message;
    EXPECT_NE(message.find("99"), std::string::npos) << message;
  }
}


// A commit that may wait is in the file only once saved: a crash before then
// makes its batches come again, which is why only idempotent sinks' commits
// may wait.
TEST_F(SqliteStateStoreTest, ACommitThatMayWaitReachesTheFileWhenSaved) {
  auto store = open_sqlite_state(path());
  RawDb raw(path());
  store->begin_run(make_run("r1", "orders", 1000));
  store->finish_commit(waiting_commit("p0", "pos-1", 10, {"db"}));
  store->finish_commit(waiting_commit("p0", "pos-2", 10, {"db"}));
  EXPECT_EQ(raw.scalar("SELECT count(*) FROM checkpoints"), "0");
  EXPECT_EQ(raw.scalar("SELECT count(*) FROM sink_acks"), "0");

  store->save_waiting_commits();
  EXPECT_EQ(raw.scalar("SELECT CAST(position AS TEXT) || ' ' || records FROM checkpoints"), "pos-2 20");
  EXPECT_EQ(raw.scalar("SELECT records || ' ' || batches FROM sink_acks"), "20 2");

  // Without may_wait_ms, or with DLQ entries, a commit is saved at once.
  CommitRecord now = waiting_commit("p0", "pos-3", 1, {"db"});
  now.may_wait_ms = 0;
  store->finish_commit(now);
  EXPECT_EQ(raw.scalar("SELECT CAST(position AS TEXT) FROM checkpoints"), "pos-3");
  CommitRecord rejected = waiting_commit("p0", "pos-4", 1, {"db"});
  rejected.add = {make_entry("orders", "pos-4")};
  store->finish_commit(rejected);
  EXPECT_EQ(raw.scalar("SELECT CAST(position AS TEXT) FROM checkpoints"), "pos-4");

  // Any other operation saves what waits first, such as ending the run.
  store->finish_commit(waiting_commit("p0", "pos-5", 1, {"db"}));
  store->end_run("r1", RunStatus::Succeeded, RunCounts{}, "");
  EXPECT_EQ(raw.scalar("SELECT CAST(position AS TEXT) FROM checkpoints"), "pos-5");
}

TEST_F(SqliteStateStoreTest, SyncMakesRelaxedCommitsDurable) {
  // A checkpoint-only commit skips the sync (a power cut may take it back);
  // sync() then reaches the disk, with the commits still waiting saved
  // first.
  ferry::test::WalSyncCounter counter;
  auto store = open_sqlite_state(path());
  store->begin_run(make_run("r1", "orders", 1000));
  CommitRecord relaxed = waiting_commit("p0", "pos-1", 10, {"db"});
  relaxed.may_wait_ms = 0;
  const int before = counter.wal_syncs();
  store->finish_commit(relaxed);
  store->finish_commit(waiting_commit("p0", "pos-2", 10, {"db"}));
  EXPECT_EQ(counter.wal_syncs(), before) << "a relaxed commit synced: the test shows nothing";
  EXPECT_TRUE(store->commits_waiting("orders", "p0"));

  store->sync();
  EXPECT_GT(counter.wal_syncs(), before);
  EXPECT_FALSE(store->commits_waiting("orders", "p0"));
  // The waiting commit was written before the sync, not after it.
  EXPECT_EQ(counter.wal_writes_synced(), counter.wal_writes());
  RawDb raw(path());
  EXPECT_EQ(raw.scalar("SELECT CAST(position AS TEXT) FROM checkpoints"), "pos-2");
}

}  // namespace
}  // namespace ferry::core
