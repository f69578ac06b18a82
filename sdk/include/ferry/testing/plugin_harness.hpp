// A host-less harness for testing one plugin .so through its C ABI.
//
// It does what the real host does at the boundary and nothing more: dlopen
// the library, read `ferry_plugin_descriptor`, call `ferry_plugin_init`, open
// instances with a FerryHost whose services record everything the plugin
// reports (logs, set_error messages, retry hints, errant records, counters),
// and release every batch it is handed. Tests then assert on statuses and on
// what was recorded, exactly as the host would see them.
//
//   ferry::testing::Plugin plugin("build/ferry-my-sink.so");
//   ferry::testing::SinkHandle sink(plugin, {R"({"path":"x.db","table":"t"})", dir});
//   assert(sink.open_status() == FERRY_OK);   // else sink.host().last_error()
//
// Part of the installed SDK (<ferry/testing/plugin_harness.hpp>); Ferry's
// own plugin tests use it too. Works with any test framework. Header-only,
// C++17, POSIX (link with -ldl where dlopen is not in libc). Not
// thread-safe: one test thread.
#ifndef FERRY_TESTING_PLUGIN_HARNESS_HPP_
#define FERRY_TESTING_PLUGIN_HARNESS_HPP_

#include <ferry/testing/values.hpp>
#include <ferry/testing/recording_host.hpp>
#include <ferry/testing/instance.hpp>
#include <ferry/testing/handles.hpp>

#endif  // FERRY_TESTING_PLUGIN_HARNESS_HPP_
