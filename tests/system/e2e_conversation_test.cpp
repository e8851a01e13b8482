// SPDX-License-Identifier: Apache-2.0
// Three people on one sottod, each `sotto` command its own process (issue 3,
// points 5 and 7): first contact, a conversation both ways, offline delivery,
// receipts, safety numbers, server restarts (SIGTERM and kill -9) with work
// queued while the server is down, and an identity change after verification.
#include <signal.h>

#include <algorithm>
#include <string>
#include <vector>

#include "e2e_support.hpp"

namespace sotto::systest::e2e {
namespace {

// Sends and expects `code`; returns the message's timestamp (0 if none).
std::uint64_t send_ok(const User& from, const std::string& to, const std::string& text,
                      int code = kExitOk) {
  const CliRun r = from.send(to, text);
  EXPECT_EQ(r.code(), code) << r.describe();
  const std::uint64_t ts = sent_timestamp(r);
  EXPECT_NE(ts, 0U) << r.describe();
  return ts;
}

// For each timestamp: a delivery receipt and then a read receipt from `from`.
void expect_receipts(const std::vector<json>& events, const std::string& from,
                     const std::vector<std::uint64_t>& timestamps, const std::string& context) {
  auto first_index = [&](const std::string& kind, std::uint64_t ts) -> std::ptrdiff_t {
    for (std::size_t i = 0; i < events.size(); ++i) {
      const json& e = events[i];
      if (e.value("type", "") != "receipt" || e.value("receiptType", "") != kind) continue;
      if (!e.contains("from") || e["from"] != from) continue;
      const auto& list = e["timestamps"];
      if (std::find(list.begin(), list.end(), json(ts)) != list.end()) {
        return static_cast<std::ptrdiff_t>(i);
      }
    }
    return -1;
  };
  for (std::uint64_t ts : timestamps) {
    const auto delivery = first_index("delivery", ts);
    const auto read = first_index("read", ts);
    EXPECT_GE(delivery, 0) << context << ": no delivery receipt for " << ts;
    EXPECT_GE(read, 0) << context << ": no read receipt for " << ts;
    EXPECT_LT(delivery, read) << context << ": the read receipt for " << ts
                              << " came before the delivery receipt";
  }
}

class ConversationTest : public E2eTest {};

TEST_F(ConversationTest, ThreeClientsConversation) {
  start_server();
  const User alice = registered_user("alice");
  const User bob = registered_user("bob");
  const User carol = registered_user("carol");
  ASSERT_FALSE(HasFailure());

  // --- first contact: alice has never talked to bob ---
  const std::uint64_t hello = send_ok(alice, "bob", "hello bob");
  {
    const CliRun r = bob.receive();
    ASSERT_EQ(r.code(), kExitOk) << r.describe();
    ASSERT_EQ(bodies(r.events, "alice"), std::vector<std::string>{"hello bob"}) << r.describe();
    const auto messages = of_type(r.events, "message");
    EXPECT_EQ(messages[0]["timestamp"], hello);
    EXPECT_TRUE(messages[0]["guid"].is_string());
  }

  // --- a conversation both ways; order kept ---
  std::vector<std::uint64_t> from_bob;
  for (int i = 1; i <= 3; ++i) {
    from_bob.push_back(send_ok(bob, "alice", "bob says " + std::to_string(i)));
  }
  std::vector<std::uint64_t> from_alice{hello};
  {
    const CliRun r = alice.receive();
    ASSERT_EQ(r.code(), kExitOk) << r.describe();
    EXPECT_EQ(bodies(r.events, "bob"),
              (std::vector<std::string>{"bob says 1", "bob says 2", "bob says 3"}))
        << r.describe();
    // bob read "hello bob": both receipts reached alice.
    expect_receipts(r.events, "bob", {hello}, "alice after bob read 'hello bob'");
  }
  for (int i = 1; i <= 3; ++i) {
    from_alice.push_back(send_ok(alice, "bob", "alice says " + std::to_string(i)));
  }
  {
    const CliRun r = bob.receive();
    ASSERT_EQ(r.code(), kExitOk) << r.describe();
    EXPECT_EQ(bodies(r.events, "alice"),
              (std::vector<std::string>{"alice says 1", "alice says 2", "alice says 3"}))
        << r.describe();
    expect_receipts(r.events, "alice", from_bob, "bob after alice read his messages");
  }
  {
    const CliRun r = alice.receive();
    ASSERT_EQ(r.code(), kExitOk) << r.describe();
    expect_receipts(r.events, "bob",
                    std::vector<std::uint64_t>(from_alice.begin() + 1, from_alice.end()),
                    "alice after bob read her three messages");
  }

  // --- offline delivery: carol runs nothing while both write to her ---
  send_ok(bob, "carol", "to carol 1 (bob)");
  send_ok(alice, "carol", "to carol 2 (alice)");
  send_ok(bob, "carol", "to carol 3 (bob)");
  send_ok(alice, "carol", "to carol 4 (alice)");
  send_ok(alice, "carol", "to carol 5 (alice)");
  {
    const CliRun r = carol.receive();
    ASSERT_EQ(r.code(), kExitOk) << r.describe();
    EXPECT_EQ(bodies(r.events), (std::vector<std::string>{"to carol 1 (bob)", "to carol 2 (alice)",
                                                          "to carol 3 (bob)", "to carol 4 (alice)",
                                                          "to carol 5 (alice)"}))
        << r.describe();
    EXPECT_EQ(bodies(r.events, "bob").size(), 2U) << r.describe();
    EXPECT_EQ(bodies(r.events, "alice").size(), 3U) << r.describe();
  }

  // --- safety numbers: the same on both sides; a scan verifies, a wrong one is refused ---
  const CliRun alice_view = alice.verify("bob");
  const CliRun bob_view = bob.verify("alice");
  ASSERT_EQ(alice_view.code(), kExitOk) << alice_view.describe();
  ASSERT_EQ(bob_view.code(), kExitOk) << bob_view.describe();
  ASSERT_EQ(alice_view.events.size(), 1U) << alice_view.describe();
  ASSERT_EQ(bob_view.events.size(), 1U) << bob_view.describe();
  const json& a_num = alice_view.events[0];
  const json& b_num = bob_view.events[0];
  EXPECT_EQ(a_num["safetyNumber"].get<std::string>().size(), 60U);
  EXPECT_EQ(a_num["safetyNumber"], b_num["safetyNumber"]);
  EXPECT_EQ(a_num["verified"], false);
  const std::string bobs_scannable = b_num["scannable"].get<std::string>();
  const std::string alices_scannable = a_num["scannable"].get<std::string>();
  {
    // alice's own code read back to her is not bob's code.
    const CliRun self = alice.run({"verify", "bob", "--scanned", alices_scannable});
    EXPECT_NE(self.code(), kExitOk) << self.describe();
    // bob's code for alice is no use for carol.
    const CliRun wrong = alice.run({"verify", "carol", "--scanned", bobs_scannable});
    EXPECT_NE(wrong.code(), kExitOk) << wrong.describe();
    EXPECT_NE(wrong.err.find("does not match"), std::string::npos) << wrong.describe();
    const CliRun right = alice.run({"verify", "bob", "--scanned", bobs_scannable});
    EXPECT_EQ(right.code(), kExitOk) << right.describe();
    const CliRun mark = bob.run({"verify", "alice", "--mark"});
    EXPECT_EQ(mark.code(), kExitOk) << mark.describe();

    const CliRun contacts = alice.contacts();
    ASSERT_EQ(contacts.code(), kExitOk) << contacts.describe();
    auto bob_entry = contact_entry(contacts, "bob");
    auto carol_entry = contact_entry(contacts, "carol");
    ASSERT_TRUE(bob_entry && carol_entry) << contacts.describe();
    EXPECT_EQ((*bob_entry)["verified"], true) << contacts.describe();
    EXPECT_EQ((*carol_entry)["verified"], false) << contacts.describe();
    const CliRun again = alice.verify("bob");
    ASSERT_EQ(again.events.size(), 1U) << again.describe();
    EXPECT_EQ(again.events[0]["verified"], true);
    EXPECT_EQ(again.events[0]["safetyNumber"], a_num["safetyNumber"]);
  }

  // --- the server stops cleanly (SIGTERM) with work in flight ---
  {
    auto stopped = server_->stop();
    ASSERT_TRUE(stopped) << stopped.error().message;
    const CliRun down = alice.send("bob", "sent while the server was stopped");
    EXPECT_EQ(down.code(), kExitNetwork) << down.describe();
    const CliRun recv_down = bob.receive();
    EXPECT_EQ(recv_down.code(), kExitNetwork) << recv_down.describe();
    auto restarted = server_->restart();
    ASSERT_TRUE(restarted) << restarted.error().message;
    // alice's outbox goes out with her next receive.
    const CliRun flush = alice.receive();
    EXPECT_EQ(flush.code(), kExitOk) << flush.describe();
    const CliRun r = bob.receive();
    ASSERT_EQ(r.code(), kExitOk) << r.describe();
    EXPECT_EQ(bodies(r.events, "alice"),
              std::vector<std::string>{"sent while the server was stopped"})
        << r.describe();
  }

  // --- the server is killed (-9); queued work goes with the next send ---
  {
    auto killed = server_->kill9();
    ASSERT_TRUE(killed) << killed.error().message;
    const CliRun down = bob.send("alice", "sent while the server was dead");
    EXPECT_EQ(down.code(), kExitNetwork) << down.describe();
    const auto sent = of_type(down.events, "sent");
    ASSERT_EQ(sent.size(), 1U) << down.describe();
    EXPECT_EQ(sent[0]["deliveredToServer"], false) << down.describe();
    auto restarted = server_->restart();
    ASSERT_TRUE(restarted) << restarted.error().message;
    send_ok(bob, "alice", "sent after the restart");
    send_ok(carol, "alice", "carol is back too");
    const CliRun r = alice.receive();
    ASSERT_EQ(r.code(), kExitOk) << r.describe();
    EXPECT_EQ(bodies(r.events),
              (std::vector<std::string>{"sent while the server was dead", "sent after the restart",
                                        "carol is back too"}))
        << r.describe();
  }

  // --- identity change: bob (verified by alice) starts over as a new "bob" ---
  {
    const CliRun before = alice.contacts();
    const auto old_bob = contact_entry(before, "bob");
    ASSERT_TRUE(old_bob) << before.describe();
    const CliRun deleted = bob.run({"delete-account", "--yes"});
    ASSERT_EQ(deleted.code(), kExitOk) << deleted.describe();
    const User new_bob = registered_user("bob", "bob-again");
    ASSERT_FALSE(HasFailure());

    // The new account writes first: alice sees the text, but not under the
    // name of the bob she verified.
    send_ok(new_bob, "alice", "hi alice, it's bob on a new account");
    {
      const CliRun r = alice.receive();
      ASSERT_EQ(r.code(), kExitOk) << r.describe();
      const auto messages = of_type(r.events, "message");
      ASSERT_EQ(messages.size(), 1U) << r.describe();
      EXPECT_EQ(messages[0]["body"], "hi alice, it's bob on a new account");
      EXPECT_NE(messages[0]["from"], "bob") << r.describe();
      EXPECT_NE(messages[0]["fromAccount"], (*old_bob)["account"]) << r.describe();
    }

    const CliRun refused = alice.send("bob", "is that you, bob?");
    EXPECT_EQ(refused.code(), kExitUntrusted) << refused.describe();
    EXPECT_NE(refused.err.find("sotto verify bob"), std::string::npos) << refused.describe();
    const auto changed = of_type(refused.events, "identityChanged");
    ASSERT_EQ(changed.size(), 1U) << refused.describe();
    EXPECT_EQ(changed[0]["username"], "bob");
    EXPECT_EQ(changed[0]["wasVerified"], true);

    const CliRun view = alice.verify("bob");
    ASSERT_EQ(view.code(), kExitOk) << view.describe();
    ASSERT_EQ(view.events.size(), 1U) << view.describe();
    EXPECT_EQ(view.events[0]["identityChanged"], true) << view.describe();
    EXPECT_EQ(view.events[0]["verified"], false) << view.describe();
    EXPECT_NE(view.events[0]["safetyNumber"], a_num["safetyNumber"]) << view.describe();

    // Still refused until alice decides.
    const CliRun still = alice.send("bob", "is that you, bob?");
    EXPECT_EQ(still.code(), kExitUntrusted) << still.describe();

    const CliRun trust = alice.run({"verify", "bob", "--trust"});
    ASSERT_EQ(trust.code(), kExitOk) << trust.describe();
    send_ok(alice, "bob", "welcome back, bob");
    const CliRun r = new_bob.receive();
    ASSERT_EQ(r.code(), kExitOk) << r.describe();
    EXPECT_EQ(bodies(r.events, "alice"), std::vector<std::string>{"welcome back, bob"})
        << r.describe();

    send_ok(new_bob, "alice", "new bob here");
    const CliRun back = alice.receive();
    ASSERT_EQ(back.code(), kExitOk) << back.describe();
    EXPECT_EQ(bodies(back.events, "bob"), std::vector<std::string>{"new bob here"})
        << back.describe();
    const CliRun contacts = alice.contacts();
    auto bob_entry = contact_entry(contacts, "bob");
    ASSERT_TRUE(bob_entry) << contacts.describe();
    EXPECT_EQ((*bob_entry)["verified"], false) << contacts.describe();
    EXPECT_EQ((*bob_entry)["identityChanged"], false) << contacts.describe();
  }
}

}  // namespace
}  // namespace sotto::systest::e2e
