// What the postgres sink refuses of a batch, row by row, and why: an op its
// mode cannot apply, a null key, a NUL byte (PostgreSQL text cannot hold
// one), a value its column would round or cut.
//
// Each row is decided once, when first asked. Append asks while it streams
// rows into COPY, so the checks run while the server is still busy with
// the rows sent before, instead of in a pass of their own with the server
// idle.
#ifndef FERRY_PLUGINS_POSTGRES_ROW_CHECK_H_
#define FERRY_PLUGINS_POSTGRES_ROW_CHECK_H_

#include <ferry/plugin.hpp>
#include <sql/row_checks.h>

#include <cstddef>
#include <string>
#include <vector>

namespace ferry_pg {

struct Rejection {
  size_t row;
  std::string message;
};

class RowCheck {
 public:
  // `limits`: per batch field, what its column keeps; `key_fields`: batch
  // field indexes of the upsert key (empty in append mode).
  RowCheck(const ferry::BatchView& batch, std::vector<ferry::support::ColumnLimits> limits,
           std::vector<size_t> key_fields, bool upsert);

  // Whether `row` is written; the first call decides and records why not.
  bool keep(size_t row);
  // The rows refused so far, in the order they were first asked about.
  std::vector<Rejection> take_rejections() { return std::move(rejections_); }

 private:
  enum class Verdict : unsigned char { kUnknown, kKeep, kRefuse };

  // Per batch field, what may be wrong with its values: text may hold a
  // NUL byte; a column with limits may narrow. Most fields need neither.
  struct FieldChecks {
    bool nul = false;
    bool narrowing = false;
  };

  const ferry::BatchView& batch_;
  std::vector<ferry::support::ColumnLimits> limits_;
  std::vector<FieldChecks> field_checks_;
  std::vector<size_t> key_fields_;
  bool upsert_;
  std::vector<Verdict> verdicts_;
  std::vector<Rejection> rejections_;
};

}  // namespace ferry_pg

#endif  // FERRY_PLUGINS_POSTGRES_ROW_CHECK_H_
