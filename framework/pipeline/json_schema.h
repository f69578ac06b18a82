// A JSON Schema (draft 2020-12) of the pipeline definition: the host's keys
// with their types and ranges, and each plugin's options as the plugin
// declares them, so an editor completes and checks pipeline files.
// `ferry schema` prints it.
#pragma once

#include <vector>

#include <boost/json/object.hpp>

#include <ferry/plugin.h>

namespace ferry::core {

boost::json::object pipeline_json_schema(const std::vector<const FerryPluginDescriptor*>& plugins);

}  // namespace ferry::core
