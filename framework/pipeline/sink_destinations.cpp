#include "pipeline/sink_destinations.h"

#include <filesystem>
#include <optional>
#include <string>
#include <system_error>

#include <boost/json/serialize.hpp>

#include <ferry/plugin.h>
#include <ferry/redact.hpp>

#include "pipeline/json_pointer.h"

namespace ferry::core::pipeline_internal {
namespace {

namespace fs = std::filesystem;

// A path as the file it names: relative to the pipeline's directory, with
// "." and ".." and symbolic links of the part that exists resolved.
fs::path named_file(const PipelineDef& def, const std::string& text) {
  fs::path p(text);
  if (p.is_relative()) p = def.base_dir / p;
  std::error_code ec;
  fs::path resolved = fs::weakly_canonical(p, ec);
  if (ec) resolved = p.lexically_normal();
  // "out/" and "out" name one directory.
  if (!resolved.has_filename() && resolved.has_relative_path()) resolved = resolved.parent_path();
  return resolved;
}

// A value as a message may quote it: without the credentials of a URL
// (http://user:pass@host) or any other secret the definition holds. The
// CLI's logger learns the secrets only once the definition is valid.
std::string shown_value(const PipelineDef& def, const boost::json::value& v) {
  std::string text = ferry::redact_dsn(boost::json::serialize(v));
  for (const std::string& secret : def.secrets) text = ferry::redact(text, secret);
  return text;
}

struct Destination {
  const SinkDef* sink = nullptr;
  std::vector<boost::json::value> values;  // one per flagged option; null when unset
  std::string shown;                       // `path "out.db", table "t"`, secrets as ***
  std::string names;                       // "path or table"
  std::optional<fs::path> file;            // a PATH option's file, for the state check
  std::string file_option;
};

const FerryKindSpec* sink_spec(const FerryPluginDescriptor& d) {
  for (size_t i = 0; d.kinds != nullptr && i < d.n_kinds; ++i)
    if (d.kinds[i].kind == FERRY_KIND_SINK) return &d.kinds[i];
  return nullptr;
}

// The options flagged `flag` (FERRY_OPTION_DESTINATION or
// FERRY_OPTION_CHECKPOINTS) of `sink`, as compared and as shown.
std::optional<Destination> destination_of(const PipelineDef& def, const SinkDef& sink,
                                          const DescriptorLookup& plugins, uint32_t flag) {
  const FerryPluginDescriptor* d = plugins.find(sink.plugin);
  const FerryKindSpec* spec = d == nullptr ? nullptr : sink_spec(*d);
  if (spec == nullptr || spec->options == nullptr) return std::nullopt;
  Destination out;
  out.sink = &sink;
  std::vector<std::string> names;
  for (size_t i = 0; i < spec->n_options; ++i) {
    const FerryOptionSpec& option = spec->options[i];
    if (option.name == nullptr || (option.flags & flag) == 0) continue;
    const boost::json::value* v = sink.config.if_contains(option.name);
    boost::json::value value = v == nullptr ? boost::json::value() : *v;
    if ((option.flags & FERRY_OPTION_PATH) != 0 && value.is_string()) {
      const fs::path file = named_file(def, std::string(value.get_string()));
      value = file.string();
      if (!out.file) {
        out.file = file;
        out.file_option = option.name;
      }
    } else if (value.is_string()) {
      // "http://h:9200/" and "http://h:9200", a prefix "t9/" and "t9": one place.
      std::string text(value.get_string());
      while (text.size() > 1 && text.back() == '/') text.pop_back();
      value = text;
    }
    if (v != nullptr) {
      if (!out.shown.empty()) out.shown += ", ";
      out.shown += std::string(option.name) + " " +
                   ((option.flags & FERRY_OPTION_SECRET) != 0 ? "***" : shown_value(def, *v));
    }
    names.emplace_back(option.name);
    out.values.push_back(std::move(value));
  }
  if (names.empty()) return std::nullopt;
  for (size_t i = 0; i < names.size(); ++i)
    out.names += (i == 0 ? "" : i + 1 == names.size() ? " or " : ", ") + names[i];
  return out;
}

}  // namespace

void check_sink_destinations(const PipelineDef& def, const DescriptorLookup& plugins,
                             std::vector<DefinitionIssue>& issues) {
  std::vector<Destination> seen, seen_checkpoints;
  for (const SinkDef& sink : def.sinks) {
    if (std::optional<Destination> here = destination_of(def, sink, plugins, FERRY_OPTION_CHECKPOINTS)) {
      for (const Destination& earlier : seen_checkpoints) {
        if (earlier.sink->plugin != sink.plugin || earlier.values != here->values) continue;
        issues.push_back({sink.json_path + "/config",
                          "sink '" + sink.name + "' keeps its checkpoints where sink '" + earlier.sink->name +
                              "' does (" + here->shown +
                              "): a batch one of them committed would count as committed by both; give one of "
                              "them another " + here->names});
        break;
      }
      seen_checkpoints.push_back(std::move(*here));
    }
    std::optional<Destination> here = destination_of(def, sink, plugins, FERRY_OPTION_DESTINATION);
    if (!here) continue;
    if (here->file && def.state.kind == StateKind::Sqlite && *here->file == named_file(def, def.state.path.string())) {
      issues.push_back({pointer_append(sink.json_path + "/config", here->file_option),
                        "sink '" + sink.name +
                            "' writes into the state store's database file (/state/path); give the sink or the "
                            "state store another file"});
      continue;
    }
    for (const Destination& earlier : seen) {
      if (earlier.sink->plugin != sink.plugin || earlier.values != here->values) continue;
      issues.push_back({sink.json_path + "/config",
                        "sink '" + sink.name + "' writes where sink '" + earlier.sink->name + "' does (" + here->shown +
                            "): each would duplicate or overwrite the other's records; give one of them another " +
                            here->names});
      break;
    }
    seen.push_back(std::move(*here));
  }
}

}  // namespace ferry::core::pipeline_internal
