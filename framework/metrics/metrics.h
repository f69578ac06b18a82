// Process metrics in the Prometheus data model: counters, gauges and
// histograms, each a family with labels, rendered in the text exposition
// format for GET /metrics. Thread-safe; updates are cheap enough for once
// per batch or per plugin call, not per record.
#pragma once

#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace ferry::core {

using Labels = std::vector<std::pair<std::string, std::string>>;

enum class MetricType { Counter, Gauge, Histogram };

class Metrics {
 public:
  // Declares a family once (repeat calls are ignored). Names follow
  // Prometheus rules; counters end in _total, durations are in seconds.
  void describe(const std::string& name, MetricType type, const std::string& help);

  void add(const std::string& name, const Labels& labels, double delta = 1);
  void set(const std::string& name, const Labels& labels, double value);
  void observe(const std::string& name, const Labels& labels, double value);
  // Drops every series of a family (for gauges recomputed from scratch).
  void clear(const std::string& name);

  double value(const std::string& name, const Labels& labels) const;  // 0 if absent
  std::string prometheus_text() const;

  // Upper bounds of histogram buckets, in seconds.
  static const std::vector<double>& buckets();

 private:
  struct Series {
    double value = 0;              // counter / gauge; histogram sum
    uint64_t count = 0;            // histogram
    std::vector<uint64_t> bucket;  // histogram, cumulative at render time
  };
  struct Family {
    MetricType type = MetricType::Counter;
    std::string help;
    std::map<Labels, Series> series;
  };
  Family& family(const std::string& name, MetricType fallback);

  mutable std::mutex mu_;
  std::map<std::string, Family> families_;
};

}  // namespace ferry::core
