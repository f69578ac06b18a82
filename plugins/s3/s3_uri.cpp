#include "s3_uri.h"

#include <algorithm>

#include "http/percent_encode.h"

namespace ferry_s3 {

std::string canonical_query(QueryParams params) {
  for (auto& [name, value] : params) {
    name = ferry::support::http::percent_encode(name);
    value = ferry::support::http::percent_encode(value);
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
