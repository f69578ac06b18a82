// Which sink of a run writes to which database file, in this process. Two
// sinks of one run on one file would each hold a write transaction until
// the batch commits (the host writes every sink before it commits any),
// and SQLite takes one writer: the second would wait for the first on
// every batch, then send its rows to the DLQ. The second is refused at
// open instead, before any row is read. Instances of one sink (a host
// before ABI 1.7 opens one per worker) and other runs are not refused.
#ifndef FERRY_PLUGINS_SQLITE_DATABASE_CLAIM_H_
#define FERRY_PLUGINS_SQLITE_DATABASE_CLAIM_H_

#include <list>
#include <string>

namespace ferry_sqlite {

class DatabaseClaim {
 public:
  // Throws ferry::Error(FERRY_ERROR_CONFIG) when another sink of the same
  // pipeline run has claimed the same file (however its path is spelled).
  DatabaseClaim(const std::string& path, std::string pipeline, std::string run_id, std::string sink);
  ~DatabaseClaim();
  DatabaseClaim(const DatabaseClaim&) = delete;
  DatabaseClaim& operator=(const DatabaseClaim&) = delete;

  struct Entry {
    std::string file, pipeline, run_id, sink;
  };

 private:
  std::list<Entry>::iterator entry_;
  bool claimed_ = false;
};

}  // namespace ferry_sqlite

#endif  // FERRY_PLUGINS_SQLITE_DATABASE_CLAIM_H_
