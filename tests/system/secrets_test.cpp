// A secret of a pipeline never reaches what people read: stderr, the run
// record in the state store, `ferry status`. Here the secret is credentials
// written into an Elasticsearch URL, quoted back by a server that echoes
// the Authorization header in its error answer.
#include <gtest/gtest.h>

#include "support/scenario_env.h"
#include "support/webhook_receiver.h"

namespace {

using ferry::test::ScenarioDir;

TEST(Secrets, CredentialsInAUrlNeverReachStderrTheRunRecordOrStatus) {
  ferry::test::WebhookReceiver server;
  server.respond_with(401, "denied");
  server.echo_authorization(true);
  ScenarioDir d("sec");
  d.define(R"({"name": "sec", "state": {"type": "sqlite", "path": "state.db"},
    "source": {"plugin": "generator", "config": {"count": 5}},
    "sinks": [{"name": "es", "plugin": "elasticsearch",
               "config": {"url": "http://elastic:url-pass-9876@127.0.0.1:)" +
           std::to_string(server.port()) + R"(", "index": "x"}}]})");
  auto run = d.run();
  EXPECT_NE(run.exit_code, 0);
  ASSERT_FALSE(server.requests().empty()) << run.err;
  auto status = d.ferry_cmd("status", {"--json"});
  auto debug = d.ferry_cmd("validate", {"--log-level", "debug"});
  const std::string text = run.out + run.err + status.out + status.err + debug.out + debug.err;
  EXPECT_NE(text.find("401"), std::string::npos) << text;
  // base64("elastic:url-pass-9876"), and the password itself.
  for (const char* secret : {"url-pass-9876", "ZWxhc3RpYzp1cmwtcGFzcy05ODc2"})
    EXPECT_EQ(text.find(secret), std::string::npos) << secret << " leaked in: " << text;
}

}  // namespace
