#include "plugin/plugin_call.h"

#include "common/crash_note.h"

#include <signal.h>
#include <unistd.h>

namespace ferry::core {
namespace {

thread_local const PluginCallScope* t_current = nullptr;

constexpr int kSignals[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT};
struct sigaction g_previous[sizeof kSignals / sizeof kSignals[0]];

bool g_json = false;

// Async-signal-safe output: a line built in a fixed buffer, written with
// write(2); nothing allocates.
class Line {
 public:
  Line& text(const char* s) {
    while (s && *s) put(*s++);
    return *this;
  }
  // As the inside of a JSON string (quotes and control characters escaped).
  Line& json(const char* s) {
    static const char kHex[] = "0123456789abcdef";
    for (; s && *s; ++s) {
      const unsigned char c = static_cast<unsigned char>(*s);
      if (c == '"' || c == '\\') {
        put('\\');
        put(static_cast<char>(c));
      } else if (c < 0x20) {
        text("\\u00");
        put(kHex[c >> 4]);
        put(kHex[c & 15]);
      } else {
        put(static_cast<char>(c));
      }
    }
    return *this;
  }
  Line& value(const char* s) { return g_json ? json(s) : text(s); }
  void write_to_crash_note() const { crash_note_write(buf_, n_); }
  void write_out() const {
    size_t done = 0;
    while (done < n_) {
      const ssize_t w = write(STDERR_FILENO, buf_ + done, n_ - done);
      if (w <= 0) return;
      done += static_cast<size_t>(w);
    }
  }

 private:
  void put(char c) {
    if (n_ < sizeof buf_ - 1) buf_[n_++] = c;
  }
  char buf_[1024];
  size_t n_ = 0;
};

const char* signal_name(int sig) {
  switch (sig) {
    case SIGSEGV: return "SIGSEGV";
    case SIGBUS: return "SIGBUS";
    case SIGILL: return "SIGILL";
    case SIGFPE: return "SIGFPE";
    case SIGABRT: return "SIGABRT";
    default: return "a fatal signal";
  }
}

constexpr const char* kAfter =
    "). The batch in flight was not committed: data and checkpoints stay as the last commit left them, "
    "and the next run resumes from there. Report this to the plugin's author.";

// The report without its advice, for the record of the run.
void leave_note(int sig, const PluginCallScope& c) {
  Line note;  // JSON whatever the log format
  note.text("{\"crashed\":\"").text(signal_name(sig)).text(" in plugin '").json(c.plugin);
  note.text("' during its ").json(c.call).text(" call (stage '").json(c.stage).text("')\"}\n");
  note.write_to_crash_note();
}

void report(int sig, const PluginCallScope& c) {
  Line line;
  if (g_json) line.text("{\"level\":\"error\",\"event\":\"plugin_crash\",\"msg\":\"");
  line.text("ferry: fatal: ").text(signal_name(sig)).text(" in plugin '").value(c.plugin).text("' during its ");
  line.value(c.call).text(" call (stage '").value(c.stage).text("'").text(kAfter);
  if (g_json) {
    line.text("\",\"signal\":\"").text(signal_name(sig)).text("\",\"plugin\":\"").json(c.plugin);
    line.text("\",\"stage\":\"").json(c.stage).text("\",\"call\":\"").json(c.call).text("\"}");
  }
  line.text("\n").write_out();
}

void on_fatal_signal(int sig, siginfo_t* info, void*) {
  if (const PluginCallScope* c = t_current) {
    report(sig, *c);
    leave_note(sig, *c);
  }
  // Hand the signal to whoever had it before (the default action, or a
  // sanitizer's report): a fault raised by an instruction happens again
  // when the handler returns; a signal sent by a process is sent again.
  for (size_t i = 0; i < sizeof kSignals / sizeof kSignals[0]; ++i)
    if (kSignals[i] == sig) sigaction(sig, &g_previous[i], nullptr);
  if (info == nullptr || info->si_code <= 0) raise(sig);
}

}  // namespace

PluginCallScope::PluginCallScope(const char* p, const char* s, const char* c)
    : plugin(p), stage(s), call(c), outer_(t_current) {
  t_current = this;
}

PluginCallScope::~PluginCallScope() { t_current = outer_; }

void install_plugin_crash_report(bool json) {
  g_json = json;
  struct sigaction sa {};
  sa.sa_sigaction = &on_fatal_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_SIGINFO | SA_NODEFER;
  for (size_t i = 0; i < sizeof kSignals / sizeof kSignals[0]; ++i) sigaction(kSignals[i], &sa, &g_previous[i]);
}

}  // namespace ferry::core
