// A sink that breaks the ABI's rules on command, written against plugin.h
// alone (the C++ layer would catch what this lets escape), so the host's
// diagnostics can be tested. Option "misbehave" picks what its first write
// does: "segfault" (a null write), "throw" (a C++ exception out of an
// extern "C" call), "status" (returns 77, a code the ABI does not define).
#include <ferry/plugin.h>

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>

namespace {

struct Sink {
  std::string misbehave;
};

FerryStatus sink_open(const FerryOpenArgs* args, FerryInstance* out) {
  const std::string config(args->config_json.data, args->config_json.size);
  auto s = std::make_unique<Sink>();
  for (const char* m : {"segfault", "throw", "status"})
    if (config.find(std::string("\"") + m + "\"") != std::string::npos) s->misbehave = m;
  *out = s.release();  // owned by the host's handle until close
  return FERRY_OK;
}

FerryStatus sink_write(FerryInstance self, const FerryBatch*, FerryRecordOutcome*) {
  const std::string& m = static_cast<Sink*>(self)->misbehave;
  if (m == "segfault") {
    // A store to an unmapped page, as a wild pointer makes it. Not null:
    // UndefinedBehaviorSanitizer would stop at a null store before the
    // fault, and the fault is what this fixture is for.
    static volatile uintptr_t unmapped = 64;  // volatile: the compiler cannot see the address
    volatile int* nowhere = reinterpret_cast<volatile int*>(unmapped);
    *nowhere = 1;
  }
  if (m == "throw") throw std::runtime_error("misbehaving sink threw on purpose");
  if (m == "status") return static_cast<FerryStatus>(77);
  return FERRY_OK;
}

FerryStatus sink_commit(FerryInstance, const FerryCheckpoint*) { return FERRY_OK; }
FerryStatus sink_abort(FerryInstance) { return FERRY_OK; }
FerryStatus sink_checkpoint(FerryInstance, FerryBytes, FerryBytes* position, int32_t* found) {
  *position = FerryBytes{nullptr, 0};
  *found = 0;
  return FERRY_OK;
}
void sink_close(FerryInstance self) { delete static_cast<Sink*>(self); }

const FerrySinkApi kSink = {sizeof(FerrySinkApi), 0, sink_open, sink_write, sink_commit,
                            sink_abort, sink_checkpoint, sink_close, nullptr, nullptr};
const FerryOptionSpec kOptions[] = {
    {"misbehave", FERRY_OPTION_STRING, FERRY_OPTION_REQUIRED, nullptr, "segfault, throw or status"}};
const FerryKindSpec kKinds[] = {{FERRY_KIND_SINK, 0, "breaks the ABI's rules on command", kOptions, 1}};

}  // namespace

extern "C" FERRY_EXPORT const FerryPluginDescriptor ferry_plugin_descriptor = {
    sizeof(FerryPluginDescriptor), FERRY_ABI_VERSION_CURRENT, "misbehaving", "1.0.0",
    "a sink that segfaults, throws or returns an unknown status", kKinds, 1};

extern "C" FERRY_EXPORT FerryStatus ferry_plugin_init(uint32_t abi_version, FerryPluginApi* api) {
  if (!ferry_plugin_api_accept(abi_version, api)) return FERRY_NOT_IMPLEMENTED;
  api->sink = &kSink;
  return FERRY_OK;
}
