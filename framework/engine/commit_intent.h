// The intent of a batch in flight: saved in the state store after every sink
// wrote the batch and before any commits it, removed when its checkpoint is
// stored. After a crash it says which batch may have reached which sink, so
// the next run can finish the commit (every sink holds it), or deliver the
// batch again to exactly the sinks that lack it.
//
// A run's batch is named by its checkpoint positions and the number of rows
// the source gave for it; a replay's by a token unique to the attempt.
// Transactional sinks hold the `to` position in their own checkpoint, so
// "does sink S hold this batch" is a question S answers itself.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "state/state_store.h"

namespace ferry::core {

// Where one replayed DLQ entry went.
struct ReplayTarget {
  std::string sink;
  bool tried = true;       // false: meant for this sink, but the replay went elsewhere (--sink)
  bool delivered = false;  // the sink took the row (if it committed)
  std::string failure;     // why not, when it was tried; empty: not tried
  std::string failure_class;  // and what kind of failure ("invalid_data", ...)
};

struct ReplayRow {
  int64_t id = 0;
  DlqStatus status = DlqStatus::Pending;  // when the replay selected it
  int64_t attempts = 1;
  // A transform refused it again: where, why, and the record it saw.
  std::string failed_stage;
  std::string failed_record;
  std::string failure;
  std::string failure_class;
  std::vector<ReplayTarget> targets;
  // The entry itself, when it is addressed to several sinks: each sink that
  // still lacks it gets a copy addressed to it.
  std::optional<DlqEntry> entry;
};

enum class IntentKind { Run, Replay };

struct CommitIntent {
  IntentKind kind = IntentKind::Run;
  std::string run_id;
  std::optional<std::string> from;  // checkpoint before the batch (run)
  std::string to;                   // position each committing sink stores
  int64_t source_rows = 0;          // rows the source gave for the batch (run)
  std::string schema_version;
  int64_t records = 0;              // added to the checkpoint's count
  std::vector<std::string> sinks;   // the sinks committing it
  std::vector<int64_t> accepted;    // rows each of them takes
  std::vector<DlqEntry> add;        // run: DLQ entries, each addressed to a sink or to none
  std::vector<ReplayRow> rows;      // replay: what each entry's outcome is
};

std::string encode_intent(const CommitIntent& intent);
// Throws Error when the body is not an intent.
CommitIntent decode_intent(const std::string& body);

// What the DLQ says about a replayed entry, given which sinks committed the
// batch. `final` is true when the replay finished the batch (a target that
// was tried and refused makes the entry failed_again); false when
// recovering after a crash (a target not known to hold it leaves the entry
// as it was, to be replayed again).
void settle_replay_row(const ReplayRow& row, const std::function<bool(const std::string&)>& committed, bool final,
                       CommitRecord& record);

}  // namespace ferry::core
