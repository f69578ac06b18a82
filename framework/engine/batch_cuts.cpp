#include "engine/batch_cuts.h"

#include <boost/json.hpp>

#include "common/error.h"

namespace ferry::core {

std::string encode_cuts(const std::vector<BatchCut>& cuts) {
  boost::json::array a;
  for (const BatchCut& c : cuts) {
    boost::json::object o;
    o["from"] = c.from ? boost::json::value(*c.from) : boost::json::value(nullptr);
    o["to"] = c.to;
    o["source_rows"] = c.source_rows;
    o["first"] = c.first;
    o["last"] = c.last;
    a.push_back(std::move(o));
  }
  return boost::json::serialize(a);
}

std::vector<BatchCut> decode_cuts(const std::string& text) {
  boost::system::error_code ec;
  const boost::json::value v = boost::json::parse(text, ec);
  if (ec || !v.is_array()) throw Error("the saved batch cuts are not a JSON array");
  std::vector<BatchCut> out;
  for (const boost::json::value& e : v.as_array()) {
    const boost::json::object* o = e.if_object();
    const boost::json::value* from = o ? o->if_contains("from") : nullptr;
    const boost::json::value* to = o ? o->if_contains("to") : nullptr;
    const boost::json::value* rows = o ? o->if_contains("source_rows") : nullptr;
    if (!from || !(from->is_null() || from->is_string()) || !to || !to->is_string() || !rows || !rows->is_int64())
      throw Error("a saved batch cut is not one this ferry wrote: " + boost::json::serialize(e));
    BatchCut c;
    if (from->is_string()) c.from = std::string(from->get_string());
    c.to = std::string(to->get_string());
    c.source_rows = rows->get_int64();
    if (const boost::json::value* f = o->if_contains("first"); f && f->is_string()) c.first = std::string(f->get_string());
    if (const boost::json::value* l = o->if_contains("last"); l && l->is_string()) c.last = std::string(l->get_string());
    out.push_back(std::move(c));
  }
  return out;
}

std::vector<BatchCut> cuts_in_doubt(const std::vector<BatchCut>& cuts, const std::optional<std::string>& resumed_at) {
  if (cuts.empty()) return {};
  if (cuts.front().from == resumed_at) return cuts;
  for (size_t i = 0; i < cuts.size(); ++i)
    if (resumed_at && cuts[i].to == *resumed_at) return std::vector<BatchCut>(cuts.begin() + i + 1, cuts.end());
  return {};
}

}  // namespace ferry::core
