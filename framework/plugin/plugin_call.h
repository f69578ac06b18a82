// The plugin call a thread is in, for the one moment the host cannot ask
// anything any more: a fatal signal raised by plugin code. The handler
// names the plugin, stage and call, then hands the signal on to what
// handled it before (the default action: exit status 128 + signal and a
// core dump where enabled; or a sanitizer's report).
#pragma once

namespace ferry::core {

// Marks the calling thread as inside `call` of `plugin` for `stage` until
// the scope ends. The strings must outlive the scope; nothing is copied, so
// it costs two stores per call.
class PluginCallScope {
 public:
  PluginCallScope(const char* plugin, const char* stage, const char* call);
  ~PluginCallScope();
  PluginCallScope(const PluginCallScope&) = delete;
  PluginCallScope& operator=(const PluginCallScope&) = delete;

  const char* plugin;
  const char* stage;
  const char* call;

 private:
  const PluginCallScope* outer_;
};

// Installs handlers for SIGSEGV, SIGBUS, SIGILL, SIGFPE and SIGABRT that,
// when the signal comes from inside a plugin call, print one line naming
// it before the process ends (as one JSON object when `json`). Once per
// process, before any worker starts.
void install_plugin_crash_report(bool json);

}  // namespace ferry::core
