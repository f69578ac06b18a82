// The messages of PostgreSQL's built-in logical decoding plugin, pgoutput
// (protocol version 1, text values), as the replication stream carries
// them. Reference: "Logical Replication Message Formats" in the
// PostgreSQL 15 manual.
#ifndef FERRY_PLUGINS_POSTGRES_CDC_PGOUTPUT_H_
#define FERRY_PLUGINS_POSTGRES_CDC_PGOUTPUT_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "lsn.h"

namespace ferry_pg_cdc {

// One column of a tuple: null, a TOASTed value the change left alone (the
// server does not send it), or its text.
struct TupleValue {
  enum class Kind : char { Null = 'n', Unchanged = 'u', Text = 't' };
  Kind kind = Kind::Null;
  std::string text;
};
using Tuple = std::vector<TupleValue>;

struct RelationColumn {
  bool key = false;  // part of the replica identity
  std::string name;
  uint32_t type_oid = 0;
  int32_t typmod = -1;
};

struct Relation {
  uint32_t oid = 0;
  std::string schema;
  std::string name;
  char replica_identity = 'd';  // d(efault), n(othing), f(ull), i(ndex)
  std::vector<RelationColumn> columns;
};

struct Message {
  enum class Kind { Begin, Commit, Relation, Insert, Update, Delete, Truncate, Ignored };
  Kind kind = Kind::Ignored;
  Lsn commit_lsn = 0;  // Begin: the transaction's final LSN; Commit: its commit record
  Lsn end_lsn = 0;     // Commit: the end of the commit record, where the stream resumes
  int64_t commit_time = 0;  // Commit: microseconds since 2000-01-01 UTC
  uint32_t relation = 0;                // Insert, Update, Delete
  std::vector<uint32_t> truncated;      // Truncate
  Relation described;                   // Relation
  char old_kind = 0;                    // Update, Delete: 'K' (key columns), 'O' (whole row) or 0
  Tuple old_tuple;
  Tuple new_tuple;
};

// Decodes one message; throws ferry::Error (FERRY_ERROR_IO) when it is cut
// short or unknown, naming what was expected.
Message decode_pgoutput(std::string_view data);

}  // namespace ferry_pg_cdc

#endif  // FERRY_PLUGINS_POSTGRES_CDC_PGOUTPUT_H_
