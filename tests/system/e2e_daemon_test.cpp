// SPDX-License-Identifier: Apache-2.0
// `sotto daemon` as a process: a JSON-RPC subscriber sees what another user
// sends with the CLI, `send` over RPC reaches them, and SIGTERM stops the
// daemon cleanly (issue 3, point 5).
#include "e2e_daemon.hpp"

#include "e2e_support.hpp"

namespace sotto::systest::e2e {
namespace {

class DaemonTest : public E2eTest {};

TEST_F(DaemonTest, DaemonSubscription) {
  start_server();
  const User alice = registered_user("alice");
  const User bob = registered_user("bob");
  ASSERT_FALSE(HasFailure());

  RunningDaemon daemon(alice, root() / "alice.sock");
  ASSERT_TRUE(daemon.start()) << daemon.failure();

  auto who = daemon.call("whoami", json::object());
  ASSERT_TRUE(who) << who.error().message;
  EXPECT_EQ((*who)["username"], "alice");

  auto subscription = daemon.call("subscribeReceive", json::object());
  ASSERT_TRUE(subscription) << subscription.error().message;
  ASSERT_TRUE(subscription->is_number_unsigned()) << subscription->dump();

  // bob writes with the CLI; the daemon receives and pushes it.
  const CliRun sent = bob.send("alice", "hello daemon");
  ASSERT_EQ(sent.code(), kExitOk) << sent.describe();
  auto message = daemon.next_event("message", 20s);
  ASSERT_TRUE(message) << "no message notification; daemon stderr:\n" << daemon.stderr_text();
  EXPECT_EQ((*message)["body"], "hello daemon");
  EXPECT_EQ((*message)["from"], "bob");
  EXPECT_EQ((*message)["timestamp"], sent_timestamp(sent));
  EXPECT_EQ(daemon.last_subscription(), *subscription);

  // alice answers over RPC.
  auto reply = daemon.call("send", {{"recipient", "bob"}, {"message", "hello from the daemon"}});
  ASSERT_TRUE(reply) << reply.error().message;
  EXPECT_EQ((*reply)["deliveredToServer"], true) << reply->dump();
  const CliRun received = bob.receive();
  ASSERT_EQ(received.code(), kExitOk) << received.describe();
  EXPECT_EQ(bodies(received.events, "alice"), std::vector<std::string>{"hello from the daemon"})
      << received.describe();

  // bob's receipts for it come back as notifications.
  auto receipt = daemon.next_event("receipt", 20s);
  ASSERT_TRUE(receipt) << "no receipt notification";
  EXPECT_EQ((*receipt)["from"], "bob");

  auto contacts = daemon.call("listContacts", json::object());
  ASSERT_TRUE(contacts) << contacts.error().message;
  ASSERT_TRUE(contacts->is_array());
  ASSERT_EQ(contacts->size(), 1U) << contacts->dump();
  EXPECT_EQ((*contacts)[0]["username"], "bob");
  auto number = daemon.call("getSafetyNumber", {{"username", "bob"}});
  ASSERT_TRUE(number) << number.error().message;
  const CliRun bob_view = bob.verify("alice");
  ASSERT_EQ(bob_view.events.size(), 1U) << bob_view.describe();
  EXPECT_EQ((*number)["safetyNumber"], bob_view.events[0]["safetyNumber"]);

  auto stopped = daemon.stop();
  EXPECT_TRUE(stopped) << stopped.error().message;
}

}  // namespace
}  // namespace sotto::systest::e2e
