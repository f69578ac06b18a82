#include "metrics/metrics.h"

#include <cmath>
#include <cstdio>

#include "common/json_out.h"

namespace ferry::core {
namespace {

std::string escape_label(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

std::string render_labels(const Labels& labels, const std::string& extra = "") {
  if (labels.empty() && extra.empty()) return "";
  std::string out = "{";
  for (size_t i = 0; i < labels.size(); ++i) {
    if (i) out += ",";
    out += labels[i].first + "=\"" + escape_label(labels[i].second) + "\"";
  }
  if (!extra.empty()) out += (labels.empty() ? "" : ",") + extra;
  return out + "}";
}

// Exact: a timestamp in seconds keeps its milliseconds.
std::string number(double v) { return number_text(v); }

const char* type_name(MetricType t) {
  switch (t) {
    case MetricType::Counter: return "counter";
    case MetricType::Gauge: return "gauge";
    case MetricType::Histogram: return "histogram";
  }
  return "untyped";
}

}  // namespace

const std::vector<double>& Metrics::buckets() {
  static const std::vector<double> b = {0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30};
  return b;
}

void Metrics::describe(const std::string& name, MetricType type, const std::string& help) {
  std::lock_guard<std::mutex> lock(mu_);
  Family& f = families_[name];
  if (f.help.empty()) {
    f.type = type;
    f.help = help;
  }
}

Metrics::Family& Metrics::family(const std::string& name, MetricType fallback) {
  auto it = families_.find(name);
  if (it != families_.end()) return it->second;
  Family& f = families_[name];
  f.type = fallback;
  return f;
}

void Metrics::add(const std::string& name, const Labels& labels, double delta) {
  std::lock_guard<std::mutex> lock(mu_);
  family(name, MetricType::Counter).series[labels].value += delta;
}

void Metrics::set(const std::string& name, const Labels& labels, double value) {
  std::lock_guard<std::mutex> lock(mu_);
  family(name, MetricType::Gauge).series[labels].value = value;
}

void Metrics::observe(const std::string& name, const Labels& labels, double value) {
  std::lock_guard<std::mutex> lock(mu_);
  Series& s = family(name, MetricType::Histogram).series[labels];
  if (s.bucket.empty()) s.bucket.assign(buckets().size(), 0);
  s.value += value;
  ++s.count;
  for (size_t i = 0; i < buckets().size(); ++i)
    if (value <= buckets()[i]) {
      ++s.bucket[i];
      break;
    }
}

void Metrics::clear(const std::string& name) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = families_.find(name);
  if (it != families_.end()) it->second.series.clear();
}

double Metrics::value(const std::string& name, const Labels& labels) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = families_.find(name);
  if (it == families_.end()) return 0;
  auto s = it->second.series.find(labels);
  return s == it->second.series.end() ? 0 : s->second.value;
}

std::string Metrics::prometheus_text() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::string out;
  for (const auto& [name, f] : families_) {
    if (f.series.empty()) continue;
    if (!f.help.empty()) out += "# HELP " + name + " " + f.help + "\n";
    out += "# TYPE " + name + " " + type_name(f.type) + "\n";
    for (const auto& [labels, s] : f.series) {
      if (f.type != MetricType::Histogram) {
        out += name + render_labels(labels) + " " + number(s.value) + "\n";
        continue;
      }
      uint64_t cumulative = 0;
      for (size_t i = 0; i < buckets().size(); ++i) {
        cumulative += i < s.bucket.size() ? s.bucket[i] : 0;
        out += name + "_bucket" + render_labels(labels, "le=\"" + number(buckets()[i]) + "\"") + " " +
               std::to_string(cumulative) + "\n";
      }
      out += name + "_bucket" + render_labels(labels, "le=\"+Inf\"") + " " + std::to_string(s.count) + "\n";
      out += name + "_sum" + render_labels(labels) + " " + number(s.value) + "\n";
      out += name + "_count" + render_labels(labels) + " " + std::to_string(s.count) + "\n";
    }
  }
  return out;
}

}  // namespace ferry::core
