// Fuzzes ferry::core::parse_pipeline_text, the pipeline definition parser
// (JSON with positions, ${VAR} substitution, the structure checks). The
// input is the definition file's text.
//
// A bad definition must end in DefinitionError carrying at least one issue;
// any other exception escapes to libFuzzer, which reports it as a crash. A
// definition that parses must have what parsing promises: a valid name, a
// source plugin, at least one named sink, a quorum within the sinks.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "fuzz_check.h"
#include "pipeline/definition.h"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  // Variables for ${VAR} substitution (the dictionary names them).
  ::setenv("FERRY_FUZZ_DIR", "/tmp/ferry-fuzz", 1);
  ::setenv("FERRY_FUZZ_DSN", "postgresql://ferry:secret@localhost/ferry", 1);
  ::setenv("FERRY_FUZZ_EMPTY", "", 1);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    const ferry::core::PipelineDef def =
        ferry::core::parse_pipeline_text(text, "/fuzz/pipelines/orders.json");
    FUZZ_CHECK(!def.name.empty(), "a parsed definition has a name");
    FUZZ_CHECK(!def.source.plugin.empty(), "a parsed definition has a source plugin");
    FUZZ_CHECK(!def.sinks.empty(), "a parsed definition has a sink");
    for (const ferry::core::SinkDef& s : def.sinks) {
      FUZZ_CHECK(!s.name.empty() && !s.plugin.empty(), "every sink has a name and a plugin");
      FUZZ_CHECK(s.retry.max_attempts >= 1, "a sink tries at least once");
    }
    if (def.commit_policy.kind == ferry::core::CommitPolicyKind::Quorum)
      FUZZ_CHECK(def.commit_policy.quorum >= 1 && def.commit_policy.quorum <= def.sinks.size(),
                 "a quorum is within the sinks");
  } catch (const ferry::core::DefinitionError& e) {
    FUZZ_CHECK(!e.issues().empty(), "a DefinitionError carries an issue");
  }
  return 0;
}
