// Numbers as Ferry prints them: exact (the shortest decimal that reads back
// as the same double) in JSON output and in the /metrics exposition.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <cmath>
#include <cstdlib>
#include <limits>

#include "common/json_out.h"
#include "metrics/metrics.h"

namespace {

using ferry::core::json_text;
using ferry::core::number_text;

TEST(NumberOutput, ShortestRoundTripDecimals) {
  EXPECT_EQ(number_text(0.0), "0");
  EXPECT_EQ(number_text(2.5), "2.5");
  EXPECT_EQ(number_text(0.1), "0.1");
  EXPECT_EQ(number_text(1733353203.123), "1733353203.123");
  EXPECT_EQ(number_text(-7), "-7");
  EXPECT_EQ(number_text(1e21), "1e+21");
  EXPECT_EQ(number_text(std::numeric_limits<double>::infinity()), "+Inf");
  EXPECT_EQ(number_text(std::nan("")), "NaN");
  for (double v : {0.1, 1.0 / 3, 1733353203.123456, 6.02214076e23, 5e-324})
    EXPECT_EQ(std::strtod(number_text(v).c_str(), nullptr), v) << number_text(v);
}

TEST(NumberOutput, JsonHasNoExponentFormsOfPlainNumbers) {
  const boost::json::value v = {{"age_seconds", 0.0}, {"rate", 1250.5}, {"n", 3},
                                {"list", {1.5, "x", nullptr, std::numeric_limits<double>::infinity()}},
                                {"quote\"d", "a\nb"}};
  EXPECT_EQ(json_text(v),
            R"({"age_seconds":0,"rate":1250.5,"n":3,"list":[1.5,"x",null,null],"quote\"d":"a\nb"})");
  EXPECT_EQ(boost::json::parse(json_text(v)).at("rate").as_double(), 1250.5);
}

TEST(NumberOutput, MetricsKeepMillisecondsOfATimestamp) {
  ferry::core::Metrics m;
  m.describe("ferry_checkpoint_timestamp_seconds", ferry::core::MetricType::Gauge, "When.");
  m.set("ferry_checkpoint_timestamp_seconds", {{"pipeline", "p"}}, 1733353203.123);
  EXPECT_NE(m.prometheus_text().find("ferry_checkpoint_timestamp_seconds{pipeline=\"p\"} 1733353203.123\n"),
            std::string::npos)
      << m.prometheus_text();
}

}  // namespace
