// The generator source: deterministic synthetic rows, resumable by id.
//
// Thread safety: one instance is called serially (ABI convention 4).
#ifndef FERRY_PLUGINS_GENERATOR_GENERATOR_SOURCE_H_
#define FERRY_PLUGINS_GENERATOR_GENERATOR_SOURCE_H_

#include <ferry/plugin.hpp>
#include <string>
#include <vector>

#include "decimal_text.h"
#include "layout.h"
#include "options.h"

namespace ferry_generator {

class GeneratorSource final : public ferry::Source {
 public:
  explicit GeneratorSource(const ferry::Context& ctx);
  // The configuration as the constructor reads it, without connecting (ABI 1.3).
  static void check_config(const ferry::Context& ctx);

  std::vector<std::string> partitions() override;
  // `position` is the last id emitted, as decimal text.
  void start(std::string_view partition, const std::string_view* position) override;
  bool next(FerryBatch* out) override;
  Estimate estimate(std::string_view partition) override;

 private:
  IdRange range_of(std::string_view partition) const;
  void fill_row(uint64_t id, std::string_view id_text);
  FerryBytes name_of(uint64_t v, std::string_view v_text);

  Options opts_;
  std::vector<FieldSpec> fields_;
  std::vector<FieldKind> kinds_;  // of fields_, apart: all the per-row loop reads
  uint64_t batch_records_;
  uint64_t batch_bytes_;  // 0: no byte limit
  ferry::BatchBuilder builder_;

  bool started_ = false;
  std::string partition_;
  uint64_t next_id_ = 0;
  uint64_t end_id_ = 0;
  uint64_t id_offset_ = 0;  // backfill window: data_date as YYYYMMDD * 10^7
};

}  // namespace ferry_generator

#endif  // FERRY_PLUGINS_GENERATOR_GENERATOR_SOURCE_H_
