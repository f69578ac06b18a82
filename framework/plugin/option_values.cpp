#include "plugin/option_values.h"

#include <limits>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include "text/json_exact.h"

namespace ferry::core {

FerryBytes OptionValues::keep(std::string text) {
  texts_.push_back(std::move(text));
  return FerryBytes{texts_.back().data(), texts_.back().size()};
}

OptionValues::OptionValues(const FerryKindSpec* spec, std::string_view config_json) {
  if (spec == nullptr || spec->options == nullptr || spec->n_options == 0) return;
  boost::json::error_code ec;
  const boost::json::value parsed = support::parse_json_exact(config_json, ec);
  const boost::json::object* config = !ec && parsed.is_object() ? &parsed.get_object() : nullptr;
  values_.reserve(spec->n_options);
  for (size_t i = 0; i < spec->n_options; ++i) {
    const FerryOptionSpec& o = spec->options[i];
    FerryOptionValue v{};
    v.name = FerryBytes{o.name, o.name ? std::char_traits<char>::length(o.name) : 0};
    v.type = o.type;
    const boost::json::value* value = config && o.name ? config->if_contains(o.name) : nullptr;
    if (value != nullptr) {
      v.present = 1;
      v.json = keep(boost::json::serialize(*value));
      if (value->is_bool()) {
        v.as.boolean = value->get_bool() ? 1 : 0;
      } else if (value->is_int64()) {
        v.as.i64 = value->get_int64();
        if (o.type == FERRY_OPTION_NUMBER) v.as.f64 = static_cast<double>(value->get_int64());
      } else if (value->is_uint64()) {
        // Beyond int64: the JSON text has it exactly.
        if (o.type == FERRY_OPTION_NUMBER) v.as.f64 = static_cast<double>(value->get_uint64());
      } else if (value->is_double()) {
        v.as.f64 = value->get_double();
      } else if (value->is_string()) {
        v.as.text = keep(std::string(value->get_string()));
      }
    }
    values_.push_back(v);
  }
}

}  // namespace ferry::core
