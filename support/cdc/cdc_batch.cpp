#include "cdc_batch.h"

#include <boost/json.hpp>

#include <algorithm>

namespace ferry::support {
namespace {

std::string joined(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

}  // namespace

void CdcBatch::use(std::vector<std::string> names, const std::vector<FerryType>& types,
                   const std::vector<std::string>& key, const std::string& table) {
  key_at_ = key_positions(names, key, table);
  names_ = std::move(names);
  builder_ = std::make_unique<ferry::BatchBuilder>();
  for (size_t c = 0; c < names_.size(); ++c) {
    const bool is_key = std::find(key_at_.begin(), key_at_.end(), c) != key_at_.end();
    builder_->add_field(names_[c], types[c], is_key ? FERRY_FIELD_KEY : FERRY_FIELD_NULLABLE);
  }
}

void CdcBatch::refuse(const Shown& shown, FerryOp op, const std::string& position, const std::string& reason) {
  boost::json::object payload;
  payload["op"] = op == FERRY_OP_DELETE ? "delete" : op == FERRY_OP_UPDATE ? "update" : "insert";
  for (size_t c = 0; c < names_.size() && c < shown.size(); ++c)
    payload[names_[c]] = shown[c] ? boost::json::value(boost::json::string(*shown[c])) : boost::json::value(nullptr);
  host_.reject(partition_, position, key_of(shown, key_at_), boost::json::serialize(payload), who_ + ": " + reason);
}

void CdcBatch::finish(FerryBatch* out, const std::string& position) {
  builder_->finish(out, partition_, position);
  lag_.handed(position);
}

std::string CdcBatch::key_of(const Shown& row, const std::vector<size_t>& key_at) {
  boost::json::array key;
  for (size_t at : key_at) {
    if (at < row.size() && row[at]) key.emplace_back(boost::json::string(*row[at]));
    else key.emplace_back(nullptr);
  }
  return boost::json::serialize(key);
}

std::vector<size_t> CdcBatch::key_positions(const std::vector<std::string>& names,
                                            const std::vector<std::string>& key, const std::string& table) const {
  std::vector<size_t> at;
  for (const std::string& k : key)
    for (size_t c = 0; c < names.size(); ++c)
      if (names[c] == k) at.push_back(c);
  if (at.size() != key.size())
    throw ferry::Error(FERRY_ERROR_CONFIG,  errors_ + ": a primary key column of " + table +
                                               " is not among the columns (" + joined(names) + ")");
  return at;
}

}  // namespace ferry::support
