#include "conformance/kit_batch.h"

namespace ferry::core {
namespace {

FerryBytes bytes(const std::string& s) { return FerryBytes{s.data(), s.size()}; }

}  // namespace

KitBatch::KitBatch(int64_t first, int64_t last) {
  static const std::string kId = "id", kName = "name";
  fields_ = {{bytes(kId), FERRY_TYPE_INT64, FERRY_FIELD_KEY}, {bytes(kName), FERRY_TYPE_STRING, 0}};
  const size_t n = last >= first ? static_cast<size_t>(last - first + 1) : 0;
  // Two texts per row; reserved up front so the pointers into them hold.
  texts_.reserve(2 * n);
  for (int64_t id = first; id <= last; ++id) {
    texts_.push_back("row-" + std::to_string(id));
    FerryValue v_id{};
    v_id.type = FERRY_TYPE_INT64;
    v_id.as.i64 = id;
    FerryValue v_name{};
    v_name.type = FERRY_TYPE_STRING;
    v_name.as.bytes = bytes(texts_.back());
    values_.push_back(v_id);
    values_.push_back(v_name);
    texts_.push_back(std::to_string(id));
    const FerryBytes text = bytes(texts_.back());
    records_.push_back(FerryRecordMeta{text, text, FERRY_OP_INSERT, 0});
  }
  end_ = std::to_string(last);
  batch_.struct_size = sizeof batch_;
  batch_.schema = FerrySchema{fields_.size(), fields_.data()};
  batch_.n_rows = n;
  batch_.values = values_.data();
  batch_.records = records_.data();
  static const std::string kPart = kPartition;
  batch_.partition = bytes(kPart);
  batch_.end_position = bytes(end_);
  batch_.release = nullptr;
}

std::vector<FerryRecordOutcome> fresh_outcomes(size_t n) {
  return std::vector<FerryRecordOutcome>(n, FerryRecordOutcome{FERRY_OK, 0, FerryBytes{nullptr, 0}});
}

std::string outcome_problems(const std::vector<FerryRecordOutcome>& outcomes) {
  for (size_t r = 0; r < outcomes.size(); ++r) {
    const FerryRecordOutcome& o = outcomes[r];
    if (o.status != FERRY_OK && o.status != FERRY_INVALID_DATA && o.status != FERRY_RETRY)
      return "row " + std::to_string(r) + " has outcome status " + std::to_string(o.status) +
             " (only ok, invalid_data and retry are outcomes)";
    if (o.status != FERRY_OK && o.message.size == 0)
      return "row " + std::to_string(r) + " was refused without a message";
    if (o.message.size > 0 && o.message.data == nullptr)
      return "row " + std::to_string(r) + " has a message of " + std::to_string(o.message.size) +
             " bytes at a null pointer";
  }
  return "";
}

}  // namespace ferry::core
