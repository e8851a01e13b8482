// SPDX-License-Identifier: Apache-2.0
// Stateful fuzz target: a seeded alice and bob hold a conversation whose course
// the input decides (who sends, which queued message is delivered, tampered,
// replayed or given under the wrong type). Invariants checked after each step:
//   - an untouched message delivered for the first time decrypts to what was sent;
//   - a replay or a tampered message is refused and changes nothing: the
//     original still decrypts when delivered later;
//   - nothing crashes, whatever the order.
#include <cstdint>
#include <deque>
#include <string>

#include "fuzz_check.hpp"
#include "sotto/protocol/session_builder.hpp"
#include "sotto/protocol/session_cipher.hpp"
#include "sotto/testing/test_party.hpp"

namespace {

using sotto::Bytes;
using sotto::protocol::CiphertextMessage;
using sotto::protocol::MessageType;
using sotto::testing::TestParty;

struct InFlight {
  CiphertextMessage message;
  Bytes plaintext;
  std::size_t epoch = 0;  // index of the sender's ratchet key when it was sent
  bool delivered = false;
};

// A receiver keeps kMaxReceiverChains chains; a message from one of the
// sender's last few ratchet keys must therefore always be readable.
constexpr std::size_t kGuaranteedEpochs = 4;

class Input {
 public:
  Input(const std::uint8_t* data, std::size_t size) : data_(data), size_(size) {}
  bool empty() const { return pos_ >= size_; }
  std::uint8_t next() { return pos_ < size_ ? data_[pos_++] : 0; }

 private:
  const std::uint8_t* data_;
  std::size_t size_;
  std::size_t pos_ = 0;
};

sotto::Result<Bytes> deliver(TestParty& to, TestParty& from, const CiphertextMessage& m) {
  auto stores = to.stores();
  if (m.type == MessageType::prekey) {
    return sotto::protocol::decrypt_prekey_message(from.address, m.serialized, stores, *to.rng);
  }
  return sotto::protocol::decrypt_signal_message(from.address, m.serialized, stores, *to.rng);
}

struct Side {
  TestParty& self;
  TestParty& peer;
  std::deque<InFlight> outbox;  // messages from self to peer, oldest first
  std::deque<sotto::protocol::PublicKey> ratchet_keys;  // distinct sending keys, in order
};

std::size_t current_epoch(Side& side) {
  auto record = side.self.sessions.load_session(side.peer.address);
  SOTTO_FUZZ_CHECK(record && *record && (*record)->current() != nullptr);
  const auto& key = (*record)->current()->sender_ratchet.public_key;
  if (side.ratchet_keys.empty() || !(side.ratchet_keys.back() == key)) {
    side.ratchet_keys.push_back(key);
  }
  return side.ratchet_keys.size() - 1;
}

void step(Side& sender, Input& in, std::uint32_t& sequence) {
  std::uint8_t action = in.next() % 6;
  auto& queue = sender.outbox;
  switch (action) {
    case 0:
    case 1: {  // send a new message
      std::string body = "m" + std::to_string(sequence++) + std::string(in.next() % 64, 'x');
      auto stores = sender.self.stores();
      auto m = sotto::protocol::encrypt(sender.peer.address, sotto::as_bytes(body), stores,
                                        *sender.self.rng);
      SOTTO_FUZZ_CHECK(m.has_value());
      queue.push_back({std::move(*m), sotto::to_bytes(body), current_epoch(sender)});
      if (queue.size() > 64) queue.pop_front();  // lost in transit
      break;
    }
    case 2: {  // deliver one queued message (any order)
      if (queue.empty()) break;
      auto& item = queue[in.next() % queue.size()];
      auto r = deliver(sender.peer, sender.self, item.message);
      bool recent = item.epoch + kGuaranteedEpochs > current_epoch(sender);
      if (!item.delivered && recent) {
        SOTTO_FUZZ_CHECK(r.has_value());
        SOTTO_FUZZ_CHECK(*r == item.plaintext);
        item.delivered = true;
      } else if (!item.delivered) {
        if (r) SOTTO_FUZZ_CHECK(*r == item.plaintext);
        item.delivered = r.has_value();
      } else {
        SOTTO_FUZZ_CHECK(!r.has_value());  // replays never decrypt twice
      }
      break;
    }
    case 3: {  // tamper with one byte of a queued message, then deliver the copy
      if (queue.empty()) break;
      auto& item = queue[in.next() % queue.size()];
      auto copy = item.message;
      if (copy.serialized.empty()) break;
      std::size_t at = (in.next() | (in.next() << 8)) % copy.serialized.size();
      std::uint8_t flip = in.next() | 1;
      copy.serialized[at] ^= flip;
      // Accepted only where the contract allows (registration id, low version
      // nibble); then it is the original message and counts as delivered.
      auto r = deliver(sender.peer, sender.self, copy);
      if (r) {
        SOTTO_FUZZ_CHECK(!item.delivered);
        SOTTO_FUZZ_CHECK(*r == item.plaintext);
        item.delivered = true;
      }
      break;
    }
    case 4: {  // deliver under the wrong message type
      if (queue.empty()) break;
      auto copy = queue[in.next() % queue.size()].message;
      copy.type = copy.type == MessageType::prekey ? MessageType::whisper : MessageType::prekey;
      auto r = deliver(sender.peer, sender.self, copy);
      SOTTO_FUZZ_CHECK(!r.has_value());
      break;
    }
    default: {  // arbitrary bytes from the input as a message
      Bytes junk(in.next() % 96);
      for (auto& b : junk) b = in.next();
      CiphertextMessage m{in.next() % 2 ? MessageType::prekey : MessageType::whisper, junk};
      (void)deliver(sender.peer, sender.self, m);
      break;
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  Input in(data, size);
  TestParty alice{"alice", 1, 1};
  TestParty bob{"bob", 2, 2};
  auto stores = alice.stores();
  auto bundle = bob.make_bundle(in.next() % 2 == 0);
  SOTTO_FUZZ_CHECK(sotto::protocol::process_prekey_bundle(bob.address, bundle, stores, *alice.rng));

  Side a{alice, bob, {}, {}};
  Side b{bob, alice, {}, {}};
  std::uint32_t sequence = 0;
  int steps = 0;
  while (!in.empty() && steps++ < 200) {
    Side& actor = in.next() % 2 == 0 ? a : b;
    // Bob cannot send before he has a session, i.e. before a message reached him.
    auto bob_session = bob.sessions.load_session(alice.address);
    if (&actor == &b && !(bob_session && *bob_session)) continue;
    step(actor, in, sequence);
  }
  return 0;
}
