// SPDX-License-Identifier: Apache-2.0
// A long conversation over a lossy, reordering network: 1000 messages whose
// direction changes at random, each delivered at a random time within the
// next 50 sends (so reordered inside a window of 50), 5% never delivered.
// Exercises skipped-message keys, DH ratchet steps with messages of old
// chains still in flight, and the prekey-message phase ending exactly when
// the initiator first hears back.
#include <algorithm>
#include <array>

#include "conversation.hpp"
#include "scenarios.hpp"

namespace sotto::interop {
namespace {

constexpr std::size_t kMessages = 1000;
constexpr double kWindow = 50.0;
constexpr double kLossRate = 0.05;
// Runs of messages in one direction are 1..20 long. Simulating the ratchet
// showed that this keeps every delayed message's receiving chain among the
// five a receiver keeps (libsignal's limit), so every delivery must succeed.
constexpr std::uint32_t kMaxRun = 20;

struct Event {
  double time;
  bool is_delivery;
  std::size_t message;
  bool operator<(const Event& o) const { return time < o.time; }
};

}  // namespace

Status run_conversation_1000(Harness& h) {
  h.step("create parties");
  INTEROP_ASSIGN(Party alice, h.new_party(h.a(), "alice"));
  INTEROP_ASSIGN(Party bob, h.new_party(h.b(), "bob"));
  h.step("bob publishes a bundle, alice starts a session");
  INTEROP_ASSIGN(json bundle, h.bundle(bob, 5, 9));
  SOTTO_TRY(h.from_bundle(alice, bob, bundle));

  // Send events at integer times, deliveries at a random later time.
  std::uniform_real_distribution<double> delay(0.0, kWindow);
  std::bernoulli_distribution lost(kLossRate);
  std::vector<Event> events;
  std::size_t lost_count = 0;
  for (std::size_t i = 0; i < kMessages; ++i) {
    events.push_back({static_cast<double>(i), false, i});
    if (lost(h.rng())) {
      ++lost_count;
    } else {
      events.push_back({static_cast<double>(i) + delay(h.rng()), true, i});
    }
  }
  std::stable_sort(events.begin(), events.end());

  // Who sends message i: runs of random length, alternating. Bob can only send
  // once he has a session, i.e. after decrypting something from alice.
  std::array<const Party*, 2> parties = {&alice, &bob};
  std::size_t side = 0;
  std::uint32_t run_left = h.uniform(1, kMaxRun);
  std::array<bool, 2> has_session = {true, false};
  std::array<bool, 2> heard_from_peer = {false, false};
  std::vector<std::optional<Envelope>> sent(kMessages);
  std::vector<std::size_t> sender_of(kMessages);

  for (const Event& ev : events) {
    const std::size_t i = ev.message;
    if (!ev.is_delivery) {
      if (run_left == 0) {
        side ^= 1;
        run_left = h.uniform(1, kMaxRun);
      }
      --run_left;
      std::size_t s = has_session[side] ? side : side ^ 1;
      const Party& from = *parties[s];
      const Party& to = *parties[s ^ 1];
      h.step("message " + std::to_string(i) + " " + from.key + " -> " + to.key + " (encrypt)");
      INTEROP_ASSIGN(Envelope e, send(h, from, to));
      // The initiator's messages are PreKey messages until it first decrypts a
      // reply; the responder never sends one.
      SOTTO_TRY(h.expect_type(e, (s == 0 && !heard_from_peer[0]) ? "prekey" : "whisper"));
      sent[i] = std::move(e);
      sender_of[i] = s;
    } else {
      const std::size_t s = sender_of[i];
      const Party& to = *parties[s ^ 1];
      h.step("message " + std::to_string(i) + " " + parties[s]->key + " -> " + to.key +
             " (delivery)");
      SOTTO_TRY(h.deliver(to, *sent[i]));
      has_session[s ^ 1] = true;
      heard_from_peer[s ^ 1] = true;
    }
  }

  h.step("after " + std::to_string(kMessages) + " messages (" + std::to_string(lost_count) +
         " lost), both directions still work");
  SOTTO_TRY(chat(h, alice, bob, 2));
  return ok();
}

}  // namespace sotto::interop
