// SPDX-License-Identifier: Apache-2.0
// Sender keys: three senders, each distributing its sender key to three
// receivers and sending 20 messages that every receiver decrypts in its own
// reordered sequence (window 10). Senders and receivers live in both drivers,
// so every sender's messages cross the driver boundary. Midway each sender
// hands a fresh distribution message to late joiners, who read from that
// point on but not before. A receiver without state for a sender or a
// distribution id answers no_session.
#include <algorithm>
#include <map>

#include "conversation.hpp"
#include "scenarios.hpp"
#include "sotto/core/encoding.hpp"

namespace sotto::interop {
namespace {

constexpr std::size_t kMessagesPerSender = 20;
constexpr std::size_t kLateJoinAt = 10;  // the late distribution precedes this message
constexpr std::size_t kWindow = 10;

struct GroupMessage {
  const Party* sender;
  std::size_t index;
  std::string ciphertext;
  Bytes plaintext;
};

json decrypt_request(const Party& receiver, const GroupMessage& m, const std::string& dist) {
  return json{{"op", "group.decrypt"},
              {"party", receiver.key},
              {"sender", m.sender->address},
              {"distribution_id", dist},
              {"ciphertext", m.ciphertext}};
}

Result<std::string> distribution(Harness& h, const Party& sender, const std::string& dist) {
  json req = {{"op", "group.distribution"}, {"party", sender.key}, {"distribution_id", dist}};
  INTEROP_ASSIGN(json r, h.expect_ok(*sender.driver, req));
  auto it = r.find("message");
  if (it == r.end() || !it->is_string() || !base64_decode(it->get<std::string>())) {
    return h.mismatch(*sender.driver, "message is not base64", req, r);
  }
  return it->get<std::string>();
}

Status process(Harness& h, const Party& receiver, const Party& sender, const std::string& dist,
               const std::string& message) {
  h.step(receiver.key + " processes " + sender.key + "'s distribution message");
  return h
      .expect_ok(*receiver.driver, {{"op", "group.process"},
                                    {"party", receiver.key},
                                    {"sender", sender.address},
                                    {"distribution_id", dist},
                                    {"message", message}})
      .map([](const json&) {});
}

Status decrypt(Harness& h, const Party& receiver, const GroupMessage& m, const std::string& dist) {
  h.step(receiver.key + " decrypts " + m.sender->key + "'s group message " +
         std::to_string(m.index));
  json req = decrypt_request(receiver, m, dist);
  INTEROP_ASSIGN(json r, h.expect_ok(*receiver.driver, req));
  auto pt = base64_decode(r.value("plaintext", std::string()));
  if (!pt || *pt != m.plaintext) {
    return h.mismatch(*receiver.driver, "group message decrypted to a different plaintext", req, r);
  }
  return ok();
}

// A receiver's delivery order: each sender's messages reordered within the
// window, the senders' streams merged at random.
std::vector<const GroupMessage*> delivery_order(
    Harness& h, const std::map<std::string, std::vector<GroupMessage>>& sent,
    const std::vector<const Party*>& senders, std::size_t from_index) {
  std::vector<std::vector<const GroupMessage*>> streams;
  for (const Party* s : senders) {
    const auto& msgs = sent.at(s->key);
    std::vector<const GroupMessage*> stream;
    for (std::size_t i : reorder_within(msgs.size() - from_index, kWindow, h.rng())) {
      stream.push_back(&msgs[from_index + i]);
    }
    streams.push_back(std::move(stream));
  }
  std::vector<const GroupMessage*> order;
  std::vector<std::size_t> pos(streams.size(), 0);
  for (;;) {
    std::vector<std::size_t> open;
    for (std::size_t k = 0; k < streams.size(); ++k) {
      if (pos[k] < streams[k].size()) open.push_back(k);
    }
    if (open.empty()) break;
    std::size_t k = open[h.uniform(0, static_cast<std::uint32_t>(open.size() - 1))];
    order.push_back(streams[k][pos[k]++]);
  }
  return order;
}

}  // namespace

Status run_group_3x3(Harness& h) {
  h.step("create parties");
  INTEROP_ASSIGN(Party alice, h.new_party(h.a(), "alice"));
  INTEROP_ASSIGN(Party bob, h.new_party(h.a(), "bob"));
  INTEROP_ASSIGN(Party carol, h.new_party(h.b(), "carol"));
  INTEROP_ASSIGN(Party dave, h.new_party(h.b(), "dave"));
  INTEROP_ASSIGN(Party erin, h.new_party(h.a(), "erin"));    // late joiner in A
  INTEROP_ASSIGN(Party frank, h.new_party(h.b(), "frank"));  // late joiner in B
  const std::vector<const Party*> senders = {&alice, &bob, &carol};
  const std::vector<const Party*> members = {&alice, &bob, &carol, &dave};
  const std::vector<const Party*> late = {&erin, &frank};
  const std::string dist = h.uuid("group distribution");

  for (const Party* s : senders) {
    h.step(s->key + " creates its sender key distribution message");
    INTEROP_ASSIGN(std::string message, distribution(h, *s, dist));
    for (const Party* r : members) {
      if (r != s) SOTTO_TRY(process(h, *r, *s, dist, message));
    }
  }

  std::map<std::string, std::vector<GroupMessage>> sent;
  for (std::size_t i = 0; i < kMessagesPerSender; ++i) {
    for (const Party* s : senders) {
      if (i == kLateJoinAt) {
        h.step(s->key + " hands a distribution message to the late joiners");
        INTEROP_ASSIGN(std::string message, distribution(h, *s, dist));
        for (const Party* r : late) {
          if (s == senders.front()) {
            // The late joiner has no state for any sender yet.
            h.step(r->key + " decrypts " + s->key + "'s message before joining: no_session");
            SOTTO_TRY(h.expect_error(*r->driver, decrypt_request(*r, sent[s->key].front(), dist),
                                     {"no_session"}));
          }
          SOTTO_TRY(process(h, *r, *s, dist, message));
        }
      }
      h.step(s->key + " encrypts group message " + std::to_string(i));
      Bytes plaintext = h.unique_plaintext(kMaxPlaintext);
      json req = {{"op", "group.encrypt"},
                  {"party", s->key},
                  {"distribution_id", dist},
                  {"plaintext", base64_encode(plaintext)}};
      INTEROP_ASSIGN(json r, h.expect_ok(*s->driver, req));
      if (!r.contains("ciphertext") || !r["ciphertext"].is_string()) {
        return h.mismatch(*s->driver, "no ciphertext", req, r);
      }
      sent[s->key].push_back({s, i, r["ciphertext"].get<std::string>(), std::move(plaintext)});
    }
  }

  for (const Party* r : members) {
    std::vector<const Party*> from;
    for (const Party* s : senders) {
      if (s != r) from.push_back(s);
    }
    for (const GroupMessage* m : delivery_order(h, sent, from, 0))
      SOTTO_TRY(decrypt(h, *r, *m, dist));
  }
  for (const Party* r : late) {
    for (const GroupMessage* m : delivery_order(h, sent, senders, kLateJoinAt)) {
      SOTTO_TRY(decrypt(h, *r, *m, dist));
    }
    for (const Party* s : senders) {
      h.step(r->key + " cannot read " + s->key + "'s messages from before joining");
      SOTTO_TRY(
          h.expect_error(*r->driver, decrypt_request(*r, sent[s->key][kLateJoinAt - 1], dist), {}));
    }
  }

  h.step("dave decrypts under a distribution id he has no state for: no_session");
  SOTTO_TRY(h.expect_error(*dave.driver,
                           decrypt_request(dave, sent["alice"][0], h.uuid("other group")),
                           {"no_session"}));
  h.step("dave decrypts a message attributed to an unknown sender: no_session");
  GroupMessage forged = sent["alice"][1];
  forged.sender = &erin;
  SOTTO_TRY(h.expect_error(*dave.driver, decrypt_request(dave, forged, dist), {"no_session"}));

  h.step("senders keep sending after all deliveries");
  for (const Party* s : senders) {
    Bytes plaintext = h.unique_plaintext(kMaxPlaintext);
    INTEROP_ASSIGN(json r, h.expect_ok(*s->driver, {{"op", "group.encrypt"},
                                                    {"party", s->key},
                                                    {"distribution_id", dist},
                                                    {"plaintext", base64_encode(plaintext)}}));
    GroupMessage m{s, kMessagesPerSender, r.value("ciphertext", std::string()),
                   std::move(plaintext)};
    SOTTO_TRY(decrypt(h, dave, m, dist));
    SOTTO_TRY(decrypt(h, erin, m, dist));
  }
  return ok();
}

}  // namespace sotto::interop
