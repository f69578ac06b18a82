// A sink that names its output after the batch (FERRY_CAP_NAMED_BY_BATCH:
// the file and s3 sinks) overwrites a batch that comes again only when it
// is cut as before. After a crash, the batches in doubt come again cut as
// they were, even when the input grew or max_records changed since: each
// record lands in exactly one file.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <string>

#include "engine/batch_cuts.h"
#include "support/scenario_env.h"

namespace {

using ferry::test::ScenarioDir;

void write_ids(const ScenarioDir& d, int from, int to, bool append) {
  std::ofstream out(d.file("in.jsonl"), append ? std::ios::app : std::ios::trunc);
  for (int i = from; i <= to; ++i) out << "{\"id\": " << i << "}\n";
}

// How many times each id is in the sink's files.
std::map<int, int> ids_in_files(const ScenarioDir& d) {
  std::map<int, int> seen;
  for (const auto& entry : std::filesystem::directory_iterator(d.file("out"))) {
    if (entry.path().extension() != ".jsonl") continue;
    std::ifstream in(entry.path());
    std::string line;
    while (std::getline(in, line)) {
      const size_t colon = line.find(':');
      ++seen[std::stoi(line.substr(colon + 1))];
    }
  }
  return seen;
}

// The file sink "f", and after it, when `crash_plugin` is given, a test
// sink that kills the process after its `crash_at`th commit: "f" has then
// committed that batch, and the state store has not.
std::string pipeline(const ScenarioDir& d, int max_records, const std::string& crash_plugin = "", int crash_at = 0) {
  const std::string crash_sink =
      crash_plugin.empty() ? ""
                           : R"(, {"name": "crash", "plugin": ")" + crash_plugin + R"(", "config": {"dir": ")" +
                                 d.dir().path().string() + R"(", "crash_point": "after_commit", "crash_at": )" +
                                 std::to_string(crash_at) + "}}";
  return R"({"name": "nb", "state": {"type": "sqlite", "path": "state.db", "group_commit_ms": 60000},
    "source": {"plugin": "file", "config": {"paths": "in.jsonl", "key": "id"}},
    "batch": {"max_records": )" + std::to_string(max_records) + R"(, "queue_depth": 2},
    "sinks": [{"name": "f", "plugin": "file", "config": {"directory": "out"}})" + crash_sink + "]}";
}

void expect_each_id_once(const ScenarioDir& d, int last) {
  const std::map<int, int> seen = ids_in_files(d);
  ASSERT_EQ(seen.size(), static_cast<size_t>(last));
  for (const auto& [id, times] : seen) EXPECT_EQ(times, 1) << "id " << id << " is in " << times << " files";
}

// Checkpoints wait to be saved with later ones, so the crash takes the
// checkpoints of batches the file sink already renamed into place.
TEST(NamedByBatch, BatchesInDoubtComeAgainCutAsBeforeWhenTheInputGrewAndTheBatchSizeChanged) {
  ScenarioDir d("nb");
  write_ids(d, 1, 25, false);
  d.define(pipeline(d, 10, "scenario-idem", 2));
  const auto crashed = d.run();
  ASSERT_NE(crashed.exit_code, 0) << "the second sink was to die after its second commit";
  ASSERT_EQ(ids_in_files(d).size(), 20u) << "two batches of ten were to be in the file sink";

  write_ids(d, 26, 30, true);
  d.define(pipeline(d, 7));
  const auto again = d.run();
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(again.err.find("come again cut as before"), std::string::npos) << again.err;
  expect_each_id_once(d, 30);
}

// With deferred commits several batches are in flight at once; each comes
// again with its own cut.
TEST(NamedByBatch, EveryBatchInFlightWithDeferredCommitsComesAgainCutAsBefore) {
  ScenarioDir d("nb");
  write_ids(d, 1, 45, false);
  d.define(pipeline(d, 10, "scenario-deferred", 4));
  const auto crashed = d.run();
  ASSERT_NE(crashed.exit_code, 0) << "the second sink was to die after its fourth commit";
  ASSERT_GE(ids_in_files(d).size(), 30u);

  write_ids(d, 46, 50, true);
  d.define(pipeline(d, 3));
  const auto again = d.run();
  ASSERT_EQ(again.exit_code, 0) << again.err;
  expect_each_id_once(d, 50);
  // And a run after that finds nothing in doubt.
  const auto third = d.run();
  ASSERT_EQ(third.exit_code, 0) << third.err;
  EXPECT_EQ(third.err.find("come again cut as before"), std::string::npos) << third.err;
  expect_each_id_once(d, 50);
}

// JSON Lines infers a batch's fields from its rows: a batch in doubt read
// again in smaller source batches is joined from parts whose fields differ,
// and comes out as it was delivered.
TEST(NamedByBatch, ABatchReadAgainFromPartsWithOtherFieldsIsJoinedWhole) {
  ScenarioDir d("nb");
  {
    std::ofstream out(d.file("in.jsonl"), std::ios::trunc);
    for (int i = 1; i <= 12; ++i)
      out << "{\"id\": " << i << (i > 3 ? ", \"name\": \"n" + std::to_string(i) + "\"" : std::string()) << "}\n";
  }
  d.define(pipeline(d, 10, "scenario-idem", 1));
  ASSERT_NE(d.run().exit_code, 0);
  d.define(pipeline(d, 3));
  const auto again = d.run();
  ASSERT_EQ(again.exit_code, 0) << again.err;
  expect_each_id_once(d, 12);
}

// A batch in doubt read again may end further on than it did, where the
// source batch holding its last row ends now (here past a long line that
// goes to the DLQ, which fills max_bytes). Its cut is then saved with that
// end in place of the old one; a second cut with the same rows had the next
// resume ask for those rows twice, and the run stopped there for good.
TEST(NamedByBatch, ABatchInDoubtThatNowEndsFurtherKeepsOneCut) {
  ScenarioDir d("nb");
  {
    std::ofstream out(d.file("in.jsonl"), std::ios::trunc);
    for (int i = 1; i <= 25; ++i)
      out << (i == 10 ? "not json " + std::string(200, 'x') : "{\"id\": " + std::to_string(i) + "}") << "\n";
  }
  d.define(pipeline(d, 9, "scenario-idem", 1));
  ASSERT_NE(d.run().exit_code, 0) << "the second sink was to die after its first commit";
  const auto small_batches = [&](const std::string& crash_plugin) {
    std::string p = pipeline(d, 10, crash_plugin, 1);
    p.replace(p.find("\"queue_depth\""), 0, "\"max_bytes\": 150, ");
    return p;
  };
  d.define(small_batches("scenario-idem"));
  const auto second = d.run();
  ASSERT_NE(second.exit_code, 0) << second.err;
  EXPECT_NE(second.err.find("come again cut as before"), std::string::npos) << second.err;
  const std::optional<std::string> saved = d.state()->load_cuts("nb", "in.jsonl");
  ASSERT_TRUE(saved);
  EXPECT_EQ(ferry::core::decode_cuts(*saved).size(), 1u) << *saved;
  d.define(small_batches(""));
  const auto third = d.run();
  ASSERT_EQ(third.exit_code, 0) << third.err;
  const std::map<int, int> seen = ids_in_files(d);
  ASSERT_EQ(seen.size(), 24u);
  for (const auto& [id, times] : seen) EXPECT_EQ(times, 1) << "id " << id << " is in " << times << " files";
}

// How many outputs of the scenario-named sink "n" hold each key.
std::map<std::string, int> outputs_per_key(const ScenarioDir& d) {
  std::map<std::string, int> seen;
  for (const auto& row : ferry::test::sqlite_rows(d.file("n.db"), "SELECT key FROM rows")) ++seen[row[0]];
  return seen;
}

void expect_each_key_in_one_output(const ScenarioDir& d, size_t keys) {
  const std::map<std::string, int> seen = outputs_per_key(d);
  ASSERT_EQ(seen.size(), keys);
  for (const auto& [key, outputs] : seen) EXPECT_EQ(outputs, 1) << key << " is in " << outputs << " outputs";
}

std::string into_named_sink(const ScenarioDir& d, const std::string& sink_config) {
  return R"({"name": "nb", "state": {"type": "sqlite", "path": "state.db"},
    "source": {"plugin": "file", "config": {"paths": "in.jsonl", "key": "id"}},
    "batch": {"max_records": 5}, "retry": {"max_attempts": 3, "initial_delay_ms": 1, "max_delay_ms": 2},
    "sinks": [{"name": "n", "plugin": "scenario-named", "config": {"dir": ")" +
         d.dir().path().string() + "\"" + sink_config + "}}]}";
}

// A sink named by batch is only ever given whole batches. A row it asked to
// retry, written again alone, landed in an output of its own; when the
// commit's reply was then lost and the batch written again whole, that row
// was in two outputs.
TEST(NamedByBatch, ARowTheSinkAsksToRetryComesAgainWithItsWholeBatch) {
  ScenarioDir d("nb");
  write_ids(d, 1, 10, false);
  d.define(into_named_sink(d, R"(, "retry_keys": ["3", "7"], "lost_reply_calls": [1])"));
  const auto r = d.run();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  expect_each_key_in_one_output(d, 10);
}

// A write the sink fails whole is not halved to find the row at fault:
// the halves would land in outputs of their own. The batch goes to the
// DLQ, saying why; the other batches land.
TEST(NamedByBatch, AWriteTheSinkFailsWholeSendsTheWholeBatchToTheDlq) {
  ScenarioDir d("nb");
  write_ids(d, 1, 10, false);
  d.define(into_named_sink(d, R"(, "reject_keys": ["2"])"));
  const auto r = d.run();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::map<std::string, int> seen = outputs_per_key(d);
  EXPECT_EQ(seen, (std::map<std::string, int>{{"6", 1}, {"7", 1}, {"8", 1}, {"9", 1}, {"10", 1}}));
  const auto entries = d.dlq();
  ASSERT_EQ(entries.size(), 5u);
  for (const auto& e : entries)
    EXPECT_NE(e.message.find("constraint violated by 2 (the sink names its output by batch, so the batch is not "
                             "split to find the rows at fault)"),
              std::string::npos)
        << e.message;
}

// The run as defined stops with `why` and sends nothing to the DLQ; run
// again without faults, it delivers each of the 10 keys to one output.
void expect_stopped_then_delivered_once(const ScenarioDir& d, const std::string& why) {
  const auto stopped = d.run();
  EXPECT_EQ(stopped.exit_code, 1) << stopped.err;
  EXPECT_NE(stopped.err.find(why), std::string::npos) << stopped.err;
  EXPECT_TRUE(d.dlq().empty());
  d.define(into_named_sink(d, ""));
  ASSERT_EQ(d.run().exit_code, 0);
  EXPECT_TRUE(d.dlq().empty());
  expect_each_key_in_one_output(d, 10);
}

// A batch in doubt that a sink named by batch may hold from the run that
// was interrupted: if the sink cannot write it again now, its output from
// then stays, and rows sent to the DLQ for it would land a second time when
// replayed. The run stops instead; once the sink is back, the batch comes
// again and replaces its output.
TEST(NamedByBatch, ASinkThatMayHoldABatchInDoubtMustTakeItAgain) {
  ScenarioDir d("nb");
  write_ids(d, 1, 10, false);
  const auto two_sinks = [&](const std::string& named_extra, const std::string& crash_extra) {
    return R"({"name": "nb", "state": {"type": "sqlite", "path": "state.db"},
      "source": {"plugin": "file", "config": {"paths": "in.jsonl", "key": "id"}},
      "batch": {"max_records": 5}, "commit_policy": "required",
      "retry": {"max_attempts": 2, "initial_delay_ms": 1, "max_delay_ms": 2},
      "sinks": [{"name": "n", "plugin": "scenario-named", "required": false, "config": {"dir": ")" +
           d.dir().path().string() + "\"" + named_extra + R"(}},
                {"name": "c", "plugin": "scenario-idem", "config": {"dir": ")" +
           d.dir().path().string() + "\"" + crash_extra + "}}]}";
  };
  d.define(two_sinks("", R"(, "crash_point": "after_commit", "crash_at": 1)"));
  ASSERT_NE(d.run().exit_code, 0) << "sink c was to die after its first commit";
  ASSERT_EQ(outputs_per_key(d).size(), 5u) << "sink n was to hold the first batch";

  d.define(two_sinks(R"(, "open_fail": "retry")", ""));
  const auto down = d.run();
  EXPECT_EQ(down.exit_code, 1) << down.err;
  EXPECT_NE(down.err.find("sink 'n' names its output by batch and may hold a batch of partition 'in.jsonl' already "
                          "(from an interrupted run), but could not write it again"),
            std::string::npos)
      << down.err;
  EXPECT_TRUE(d.dlq().empty());

  d.define(two_sinks("", ""));
  const auto back = d.run();
  ASSERT_EQ(back.exit_code, 0) << back.err;
  EXPECT_TRUE(d.dlq().empty());
  expect_each_key_in_one_output(d, 10);
}

// The same when the sink took the batch's first write (with a row to
// retry) and then failed every write of the whole batch again: what that
// first write staged was dropped, so the sink holds the batch only from the
// interrupted run, and its rows cannot go to the DLQ.
TEST(NamedByBatch, ABatchInDoubtWhoseRewriteRunsOutOfRetriesStopsTheRun) {
  ScenarioDir d("nb");
  write_ids(d, 1, 10, false);
  d.define(into_named_sink(d, R"(, "crash_point": "after_commit", "crash_at": 1)"));
  ASSERT_NE(d.run().exit_code, 0) << "sink n was to die after its first commit";
  d.define(into_named_sink(d, R"(, "retry_keys": ["2"], "retry_write_calls": [2, 3])"));
  expect_stopped_then_delivered_once(d, "could not write it again");
}

// A commit whose reply was lost may have landed: if the batch cannot be
// written again after it, its rows cannot go to the DLQ either.
TEST(NamedByBatch, ACommitThatMayHaveLandedAndCannotBeWrittenAgainStopsTheRun) {
  ScenarioDir d("nb");
  write_ids(d, 1, 10, false);
  d.define(into_named_sink(d, R"(, "lost_reply_calls": [1], "retry_write_calls": [2, 3, 4])"));
  expect_stopped_then_delivered_once(d,
                                     "already (its commit failed, and may have landed), but could not write it again");
}

// In a backfill, positions may repeat from one window to the next: here
// each row carries the end of its source batch, so the rows of both days'
// windows are at positions 4 and 8. The file sink named a batch's file
// after its partition and positions only, and the second window's files
// replaced the first's: half the records were gone, with each window
// reported done.
TEST(NamedByBatch, BackfillWindowsWhosePositionsRepeatKeepFilesApart) {
  ScenarioDir d("nb");
  d.define(R"({"name": "nb", "state": {"type": "sqlite", "path": "state.db"},
    "source": {"plugin": "scenario", "config": {"partitions": 1, "count": 8, "days": 2, "same_position": true}},
    "batch": {"max_records": 4},
    "sinks": [{"name": "f", "plugin": "file", "config": {"directory": "out"}}]})");
  const auto r = d.ferry_cmd("backfill", {"--from", "2026-01-01", "--to", "2026-01-03"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::map<int, int> seen = ids_in_files(d);
  ASSERT_EQ(seen.size(), 8u);
  for (const auto& [id, times] : seen) EXPECT_EQ(times, 1) << "id " << id << " is in " << times << " files";
}

// A source whose rows changed inside a batch in doubt cannot give that
// batch again: the run stops and says so, rather than deliver other rows
// under the batch's positions (which could skip or repeat records).
TEST(NamedByBatch, ASourceChangedInsideABatchInDoubtStopsTheRun) {
  ScenarioDir d("nb");
  write_ids(d, 1, 25, false);
  d.define(pipeline(d, 10, "scenario-idem", 2));
  ASSERT_NE(d.run().exit_code, 0);
  // The file is written anew: its first row is another one now.
  {
    std::ofstream out(d.file("in.jsonl"), std::ios::trunc);
    out << "{\"id\": 1000}\n";
    for (int i = 1; i <= 25; ++i) out << "{\"id\": " << i << "}\n";
  }
  d.define(pipeline(d, 10));
  const auto again = d.run();
  EXPECT_EQ(again.exit_code, 1) << again.err;
  EXPECT_NE(again.err.find("are not the rows it held"), std::string::npos) << again.err;
  EXPECT_EQ(ids_in_files(d).count(1000), 0u) << "a batch was written from the changed rows";
}

// The cuts kept are those of the batches in flight, not of every batch of
// the run, even when checkpoints wait to be saved together.
TEST(NamedByBatch, TheSavedCutsStayAsFewAsTheBatchesInFlight) {
  ScenarioDir d("nb");
  write_ids(d, 1, 700, false);
  d.define(pipeline(d, 7));
  const auto r = d.run();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  expect_each_id_once(d, 700);
  const std::optional<std::string> saved = d.state()->load_cuts("nb", "in.jsonl");
  ASSERT_TRUE(saved);
  EXPECT_LE(ferry::core::decode_cuts(*saved).size(), 4u) << *saved;  // queue_depth 2, one being written, one settled
}

}  // namespace

namespace {

// Ids 1-10 into the named sink, which refuses the batch of id 2 whole:
// ids 1-5 in the DLQ.
ferry::test::ProcessResult run_with_first_batch_refused(const ScenarioDir& d) {
  write_ids(d, 1, 10, false);
  d.define(into_named_sink(d, R"(, "reject_keys": ["2"])"));
  return d.run();
}

int64_t entry_id_of(const ScenarioDir& d, const std::string& key) {
  for (const auto& e : d.dlq())
    if (e.record_key == key) return e.id;
  ADD_FAILURE() << "no DLQ entry for key " << key;
  return 0;
}

void expect_every_entry_resolved(const ScenarioDir& d) {
  for (const auto& e : d.dlq())
    EXPECT_EQ(e.status, ferry::core::DlqStatus::Resolved) << "entry " << e.id << " (key " << e.record_key << ")";
}

}  // namespace

// A replay names a batch for such a sink after its first and last entry
// ids. Killed after the sink took a replay batch, the entries stayed
// pending; a narrower replay then wrote one of them again under another
// name, and it was in two outputs. The batch left in doubt now comes again
// as it was, before anything else the replay selects.
TEST(NamedByBatch, AReplayBatchInDoubtComesAgainAsItWasWhateverTheNextReplaySelects) {
  ScenarioDir d("nb");
  ASSERT_EQ(run_with_first_batch_refused(d).exit_code, 0);
  ASSERT_EQ(d.dlq().size(), 5u);
  d.define(into_named_sink(d, R"(, "crash_point": "after_commit", "crash_at": 1)"));
  ASSERT_NE(d.replay().exit_code, 0) << "sink n was to die after committing the replayed batch";
  ASSERT_EQ(outputs_per_key(d).size(), 10u) << "sink n was to hold the replayed batch";

  d.define(into_named_sink(d, ""));
  const auto narrower = d.replay({"--id", std::to_string(entry_id_of(d, "3"))});
  ASSERT_EQ(narrower.exit_code, 0) << narrower.err;
  EXPECT_NE(narrower.err.find("delivered again as it was"), std::string::npos) << narrower.err;
  // The batch's entries count as selected: "selected 1, resolved 5" read
  // as four entries resolved unasked (an outside tester).
  EXPECT_NE(narrower.out.find("selected 5, resolved 5,"), std::string::npos) << narrower.out;
  expect_each_key_in_one_output(d, 10);
  expect_every_entry_resolved(d);
}

// A replay batch was named after its first and last entry ids only. When
// the sink refused those two and took the ones between, a later replay of
// the two alone made the same name and replaced that output: the entries
// between, resolved, were in no output any more (the soak, seed
// 146583529055). A replayed row's position now names its attempt too.
TEST(NamedByBatch, ALaterReplayOfABatchsEndsDoesNotReplaceItsOutput) {
  ScenarioDir d("nb");
  ASSERT_EQ(run_with_first_batch_refused(d).exit_code, 0);
  ASSERT_EQ(d.dlq().size(), 5u);
  d.define(into_named_sink(d, R"(, "reject_plan": [["1", "5"]])"));
  const auto first = d.replay();
  ASSERT_EQ(first.exit_code, 1) << first.out << first.err;
  EXPECT_NE(first.out.find("resolved 3, failed again 2"), std::string::npos) << first.out;
  d.define(into_named_sink(d, ""));
  const auto second = d.replay({"--status", "failed_again"});
  ASSERT_EQ(second.exit_code, 0) << second.out << second.err;
  expect_each_key_in_one_output(d, 10);
  expect_every_entry_resolved(d);
}

// If the sink cannot take that batch again now, the replay stops and the
// entries stay pending: marked failed, they would be replayed under
// another name later.
TEST(NamedByBatch, AReplayBatchInDoubtWaitsForItsSink) {
  ScenarioDir d("nb");
  ASSERT_EQ(run_with_first_batch_refused(d).exit_code, 0);
  d.define(into_named_sink(d, R"(, "crash_point": "after_commit", "crash_at": 1)"));
  ASSERT_NE(d.replay().exit_code, 0);

  d.define(into_named_sink(d, R"(, "down": true)"));
  const auto down = d.replay();
  EXPECT_EQ(down.exit_code, 1) << down.err;
  EXPECT_NE(down.err.find("sink 'n' names its output by batch and may hold a batch of partition 'ferry-replay'"),
            std::string::npos)
      << down.err;
  for (const auto& e : d.dlq()) EXPECT_EQ(e.status, ferry::core::DlqStatus::Pending) << e.id;

  d.define(into_named_sink(d, ""));
  const auto back = d.replay({"--id", std::to_string(entry_id_of(d, "4"))});
  ASSERT_EQ(back.exit_code, 0) << back.err;
  expect_each_key_in_one_output(d, 10);
  expect_every_entry_resolved(d);
}

// A transform that refuses one row in `reject_mod` (0: none), the named
// sink "n" and the transactional sink "t", each with extra options.
std::string named_and_transactional(const ScenarioDir& d, int reject_mod, const std::string& n_extra,
                                    const std::string& t_extra) {
  const std::string dir = d.dir().path().string();
  return R"({"name": "nb", "state": {"type": "sqlite", "path": "state.db"},
    "source": {"plugin": "file", "config": {"paths": "in.jsonl", "key": "id"}},
    "transforms": [{"name": "rules", "plugin": "scenario", "config": {"rename": false, "reject_mod": )" +
         std::to_string(reject_mod) + R"(}}],
    "batch": {"max_records": 50},
    "retry": {"max_attempts": 2, "initial_delay_ms": 1, "max_delay_ms": 2},
    "sinks": [{"name": "n", "plugin": "scenario-named", "config": {"dir": ")" + dir + "\"" + n_extra + R"(}},
              {"name": "t", "plugin": "scenario", "config": {"dir": ")" + dir + "\"" + t_extra + "}}]}";
}

const char* const kCrashAfterCommit = R"(, "crash_point": "after_commit", "crash_at": 1)";

void expect_each_key_once_in_t(const ScenarioDir& d, size_t keys) {
  std::map<std::string, int> in_t;
  for (const auto& row : ferry::test::sqlite_rows(d.file("t.db"), "SELECT key FROM rows")) ++in_t[row[0]];
  ASSERT_EQ(in_t.size(), keys);
  for (const auto& [key, times] : in_t) EXPECT_EQ(times, 1) << key << " is in sink t " << times << " times";
}

// The transform refuses some of 30 rows; a replay without it is killed
// after sink t committed the batch.
void replay_killed_after_t_committed(const ScenarioDir& d) {
  write_ids(d, 1, 30, false);
  d.define(named_and_transactional(d, 3, "", ""));
  ASSERT_EQ(d.run().exit_code, 0);
  ASSERT_GE(d.dlq().size(), 2u) << "the transform was to refuse some rows";
  d.define(named_and_transactional(d, 0, "", kCrashAfterCommit));
  ASSERT_NE(d.replay().exit_code, 0) << "sink t was to die after committing the replayed batch";
}

// With a transactional sink beside it: the transactional sink that holds
// the batch keeps it (nothing written twice there), the named sink gets the
// batch again, and each entry ends resolved; also when that second delivery
// is killed too.
TEST(NamedByBatch, AReplayBatchInDoubtIsNotWrittenAgainToATransactionalSinkThatHoldsIt) {
  ScenarioDir d("nb");
  replay_killed_after_t_committed(d);
  const int64_t last = d.dlq().back().id;
  d.define(named_and_transactional(d, 0, kCrashAfterCommit, ""));
  ASSERT_NE(d.replay().exit_code, 0) << "sink n was to die after committing the batch delivered again";

  d.define(named_and_transactional(d, 0, "", ""));
  const auto narrower = d.replay({"--id", std::to_string(last)});
  ASSERT_EQ(narrower.exit_code, 0) << narrower.err;
  expect_each_key_in_one_output(d, 30);
  expect_each_key_once_in_t(d, 30);
  expect_every_entry_resolved(d);
}

// The transforms now refuse what they let through into that batch: it
// could not come again as it was (the named sink's output is named after
// the rows it got). The replay stops and says how to get out; the way out
// it names works.
TEST(NamedByBatch, AReplayBatchInDoubtThatTheTransformsWouldNowCutOtherwiseStopsTheReplay) {
  ScenarioDir d("nb");
  replay_killed_after_t_committed(d);
  d.define(named_and_transactional(d, 3, "", ""));
  const auto stuck = d.replay();
  EXPECT_EQ(stuck.exit_code, 1) << stuck.err;
  EXPECT_NE(stuck.err.find("cannot be delivered again as it was: the transforms now refuse DLQ entry"),
            std::string::npos)
      << stuck.err;
  EXPECT_NE(stuck.err.find("--partition ferry-replay"), std::string::npos) << stuck.err;
  for (const auto& e : d.dlq()) EXPECT_EQ(e.status, ferry::core::DlqStatus::Pending) << e.id;

  const auto reset = d.ferry_cmd("checkpoint", {"reset", "--partition", "ferry-replay"});
  ASSERT_EQ(reset.exit_code, 0) << reset.err;
  d.define(named_and_transactional(d, 0, "", ""));
  const auto after = d.replay();
  EXPECT_EQ(after.exit_code, 0) << after.err;
  expect_every_entry_resolved(d);
}

// The named sink failed its write in the interrupted replay: it holds
// nothing, so the batch need not wait for it. The entries sink t holds are
// settled, and stay open for n alone.
TEST(NamedByBatch, AReplayBatchInDoubtDoesNotWaitForANamedSinkThatDidNotWriteIt) {
  ScenarioDir d("nb");
  write_ids(d, 1, 30, false);
  d.define(named_and_transactional(d, 3, "", ""));
  ASSERT_EQ(d.run().exit_code, 0);
  const size_t refused = d.dlq().size();
  d.define(named_and_transactional(d, 0, R"(, "down": true)", kCrashAfterCommit));
  ASSERT_NE(d.replay().exit_code, 0) << "sink t was to die after committing the replayed batch";

  d.define(named_and_transactional(d, 0, R"(, "down": true)", ""));
  const auto down = d.replay();
  EXPECT_EQ(down.err.find("may hold a batch"), std::string::npos) << down.err;
  expect_each_key_once_in_t(d, 30);
  size_t open_for_n = 0;
  for (const auto& e : d.dlq())
    if (e.sink == "n" && e.status != ferry::core::DlqStatus::Resolved) ++open_for_n;
  EXPECT_EQ(open_for_n, refused);

  d.define(named_and_transactional(d, 0, "", ""));
  ASSERT_EQ(d.replay({"--status", "failed_again"}).exit_code, 0);
  ASSERT_EQ(d.replay().exit_code, 0);
  expect_each_key_in_one_output(d, 30);
  expect_each_key_once_in_t(d, 30);
}

// An entry of a batch in doubt may be in a sink already: discarding it
// would leave a record there that the DLQ calls discarded.
TEST(NamedByBatch, AnEntryOfAReplayBatchInDoubtCannotBeDiscarded) {
  ScenarioDir d("nb");
  ASSERT_EQ(run_with_first_batch_refused(d).exit_code, 0);
  d.define(into_named_sink(d, kCrashAfterCommit));
  ASSERT_NE(d.replay().exit_code, 0);
  const auto refused = d.ferry_cmd("dlq", {"discard", "--id", std::to_string(entry_id_of(d, "3"))});
  EXPECT_EQ(refused.exit_code, 1) << refused.err;
  EXPECT_NE(refused.err.find("is in a batch an interrupted replay left in doubt"), std::string::npos) << refused.err;
  for (const auto& e : d.dlq()) EXPECT_EQ(e.status, ferry::core::DlqStatus::Pending) << e.id;
  d.define(into_named_sink(d, ""));
  ASSERT_EQ(d.replay().exit_code, 0);
  expect_each_key_in_one_output(d, 10);
}
