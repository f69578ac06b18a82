#include "s3_uri.h"

#include <algorithm>

#include "codec/percent.h"

namespace ferry_s3 {

std::string canonical_query(QueryParams params) {
  for (auto& [name, value] : params) {
    name = ferry::support::percent_encode(name);
    value = ferry::support::percent_encode(value);
  }
  std::sort(params.begin(), params.end());
  std::string out;
  for (const auto& [name, value] : params) {
    if (!out.empty()) out += '&';
    out += name;
    out += '=';
    out += value;
  }
  return out;
}

}  // namespace ferry_s3
