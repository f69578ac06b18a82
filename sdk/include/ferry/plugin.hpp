// Ferry plugin SDK, C++ layer (header-only, C++17).
//
// Write a class per plugin kind, deriving from ferry::Source, ferry::Transform,
// ferry::Sink, ferry::CheckpointHook or ferry::BacklogHook, with a constructor
// taking `const ferry::Context&`. Then, in one .cpp file:
//
//   static const FerryOptionSpec kOptions[] = {...};
//   static const FerryKindSpec kKinds[] = {
//       {FERRY_KIND_SINK, FERRY_CAP_TRANSACTIONAL, "what it does", kOptions,
//        FERRY_COUNT_OF(kOptions)}};
//   FERRY_PLUGIN_DESCRIPTOR("my-sink", "1.0.0", "what it is", kKinds)
//   FERRY_PLUGIN(MySink)
//
// The layer writes the C trampolines, turns exceptions into status codes
// (throw ferry::Error(FERRY_RETRY, "...") to classify), and owns batch memory.
//
// A kind class may also declare
//
//   static void check_config(const ferry::Context& ctx);
//
// which parses ctx.config_json() as the constructor would, without
// connecting anywhere, and throws ferry::Error(FERRY_ERROR_CONFIG, "...")
// for what the option specs cannot catch (ABI 1.3; `ferry validate` and the
// start of every run call it).
#ifndef FERRY_PLUGIN_HPP_
#define FERRY_PLUGIN_HPP_

#include <ferry/plugin.h>
#include <ferry/plugin/basics.hpp>
#include <ferry/plugin/context.hpp>
#include <ferry/plugin/batch.hpp>
#include <ferry/plugin/kinds.hpp>
#include <ferry/plugin/entry.hpp>

#endif  // FERRY_PLUGIN_HPP_
