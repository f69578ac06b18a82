#include "pipeline/json_schema.h"

#include <string>

#include <boost/json/parse.hpp>

#include "pipeline/limits.h"
#include "text/json_exact.h"

namespace ferry::core {
namespace {

namespace json = boost::json;

constexpr const char* kNamePattern = "^[A-Za-z0-9_.-]+$";

json::object integer(uint64_t min, uint64_t max, const char* description) {
  return {{"type", "integer"}, {"minimum", min}, {"maximum", max}, {"description", description}};
}

json::object option_schema(const FerryOptionSpec& o) {
  json::object s;
  switch (o.type) {
    case FERRY_OPTION_STRING: s["type"] = "string"; break;
    case FERRY_OPTION_INT: s["type"] = "integer"; break;
    case FERRY_OPTION_NUMBER: s["type"] = "number"; break;
    case FERRY_OPTION_BOOL: s["type"] = "boolean"; break;
    case FERRY_OPTION_ARRAY: s["type"] = "array"; break;
    case FERRY_OPTION_OBJECT: s["type"] = "object"; break;
    default: break;  // any value
  }
  if (o.description) s["description"] = o.description;
  if (o.default_json) {
    boost::system::error_code ec;
    json::value d = support::parse_json_exact(o.default_json, ec);
    if (!ec) s["default"] = std::move(d);
  }
  if (o.flags & FERRY_OPTION_SECRET) s["writeOnly"] = true;
  return s;
}

json::object config_schema(const FerryKindSpec& k) {
  json::object props;
  json::array required;
  for (size_t i = 0; k.options && i < k.n_options; ++i) {
    props[k.options[i].name] = option_schema(k.options[i]);
    if (k.options[i].flags & FERRY_OPTION_REQUIRED) required.push_back(json::string(k.options[i].name));
  }
  json::object c{{"type", "object"}, {"additionalProperties", false}, {"properties", std::move(props)}};
  if (!required.empty()) c["required"] = std::move(required);
  return c;
}

// One alternative per plugin of `kind`: {"plugin": "<name>", "config": ...}
// plus the host's keys for that place (`extra`).
json::value stage_choice(const std::vector<const FerryPluginDescriptor*>& plugins, FerryKind kind,
                          const json::object& extra, bool name_required) {
  json::array choices;
  for (const FerryPluginDescriptor* d : plugins)
    for (size_t i = 0; i < d->n_kinds; ++i) {
      const FerryKindSpec& k = d->kinds[i];
      if (k.kind != kind) continue;
      json::object props = extra;
      props["name"] = {{"type", "string"}, {"pattern", kNamePattern}};
      props["plugin"] = {{"const", d->name}, {"description", k.description ? k.description : ""}};
      props["config"] = config_schema(k);
      json::array required{"plugin"};
      if (name_required) required.push_back("name");
      // A required option makes config itself required.
      if (config_schema(k).contains("required")) required.push_back("config");
      choices.push_back(json::object{{"type", "object"},
                                     {"additionalProperties", false},
                                     {"required", std::move(required)},
                                     {"properties", std::move(props)}});
    }
  // No plugin of this kind: nothing fits here.
  if (choices.empty()) return false;
  return json::object{{"oneOf", std::move(choices)}};
}

json::object retry_schema() {
  using namespace limits;
  return {{"type", "object"},
          {"additionalProperties", false},
          {"properties",
           {{"max_attempts", integer(1, kMaxAttempts, "Attempts in all, the first included (1 = no retry).")},
            {"initial_delay_ms", integer(0, kMaxInitialDelayMs, "First delay.")},
            {"max_delay_ms", integer(0, kMaxDelayMs, "Cap of one delay; not less than initial_delay_ms.")},
            {"multiplier",
             {{"type", "number"}, {"minimum", 1}, {"maximum", kMaxMultiplier}, {"description", "Growth of each delay."}}},
            {"max_elapsed_ms", integer(1, kMaxElapsedMs, "Give up after this long in all.")},
            {"on_exhausted",
             {{"enum", {"dead_letter", "fail"}},
              {"description", "dead_letter: the records go to the DLQ and the pipeline goes on; fail: the run stops."}}}}}};
}

}  // namespace

boost::json::object pipeline_json_schema(const std::vector<const FerryPluginDescriptor*>& plugins) {
  using namespace limits;
  const json::object none;
  const json::object sink_keys{
      {"required", {{"type", "boolean"}, {"description", "Must acknowledge a batch under commit_policy \"required\"."}}},
      {"retry", {{"$ref", "#/$defs/retry"}}}};
  const json::object hook_keys{{"on_failure", {{"enum", {"continue", "stop"}}}}};
  json::object defs{
      {"retry", retry_schema()},
      {"source", stage_choice(plugins, FERRY_KIND_SOURCE, none, false)},
      {"transform", stage_choice(plugins, FERRY_KIND_TRANSFORM, none, false)},
      {"sink", stage_choice(plugins, FERRY_KIND_SINK, sink_keys, true)},
      {"checkpoint_hook", stage_choice(plugins, FERRY_KIND_CHECKPOINT_HOOK, hook_keys, false)},
      {"backlog_hook", stage_choice(plugins, FERRY_KIND_BACKLOG_HOOK, hook_keys, false)},
      {"orchestrator", stage_choice(plugins, FERRY_KIND_ORCHESTRATOR, none, false)}};
  json::object props{
      {"name", {{"type", "string"}, {"pattern", kNamePattern}, {"description", "Names the pipeline in its state."}}},
      {"description", {{"type", "string"}}},
      {"state",
       {{"type", "object"},
        {"additionalProperties", false},
        {"properties",
         {{"type", {{"enum", {"sqlite", "memory", "postgres"}}, {"default", "sqlite"}}},
          {"path", {{"type", "string"}, {"description", "sqlite: the state file, relative to the pipeline file."}}},
          {"dsn", {{"type", "string"}, {"writeOnly", true}, {"description", "postgres: libpq connection string."}}},
          {"group_commit_ms",
           integer(0, kMaxGroupCommitMs,
                   "sqlite, memory: longest a checkpoint without DLQ entries waits to be saved with later ones, "
                   "when every sink is idempotent (default 100; 0: every batch on its own).")}}}}},
      {"source", {{"$ref", "#/$defs/source"}}},
      {"transforms", {{"type", "array"}, {"items", {{"$ref", "#/$defs/transform"}}}}},
      {"sinks", {{"type", "array"}, {"minItems", 1}, {"items", {{"$ref", "#/$defs/sink"}}}}},
      {"hooks",
       {{"type", "object"},
        {"additionalProperties", false},
        {"properties",
         {{"checkpoint", {{"type", "array"}, {"items", {{"$ref", "#/$defs/checkpoint_hook"}}}}},
          {"backlog", {{"type", "array"}, {"items", {{"$ref", "#/$defs/backlog_hook"}}}}}}}}},
      {"batch",
       {{"type", "object"},
        {"additionalProperties", false},
        {"properties",
         {{"max_records", integer(1, kMaxBatchRecords, "Records per batch (default 1000).")},
          {"max_bytes", integer(1, kMaxBatchBytes, "Bytes per batch (default 8 MiB).")},
          {"queue_depth", integer(1, kMaxQueueDepth, "Batches in flight between reader and writers (default 4).")}}}}},
      {"retry", {{"$ref", "#/$defs/retry"}}},
      {"commit_policy",
       {{"type", "string"},
        {"pattern", "^(all|required|quorum\\([1-9][0-9]*\\))$"},
        {"description", "all, required or quorum(N)."}}},
      {"parallelism",
       {{"oneOf", {json::object{{"const", "auto"}}, integer(1, kMaxParallelism, "Workers.")}}}},
      {"lineage", {{"type", "boolean"}}},
      {"orchestrator", {{"$ref", "#/$defs/orchestrator"}}}};
  return {{"$schema", "https://json-schema.org/draft/2020-12/schema"},
          {"title", "Ferry pipeline definition"},
          {"type", "object"},
          {"additionalProperties", false},
          {"required", {"name", "source", "sinks"}},
          {"properties", std::move(props)},
          {"$defs", std::move(defs)}};
}

}  // namespace ferry::core
