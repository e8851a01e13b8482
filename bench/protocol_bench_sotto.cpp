// SPDX-License-Identifier: Apache-2.0
// Our side of the protocol benchmark: sotto::protocol with the in-memory stores
// and seeded ChaCha20 RNGs of sotto::testing::TestParty. Every case mirrors one
// in protocol_bench_signal_c.cpp; keep the two files in step.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "protocol_bench.hpp"
#include "sotto/protocol/fingerprint.hpp"
#include "sotto/protocol/group_cipher.hpp"
#include "sotto/protocol/session_builder.hpp"
#include "sotto/protocol/session_cipher.hpp"
#include "sotto/testing/test_party.hpp"

namespace sotto::bench {
namespace {

using protocol::CiphertextMessage;
using protocol::MessageType;
using testing::TestParty;

const protocol::DistributionId kGroup{0x5a, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};

// Fresh seeds for every party a run creates, so no two parties share keys.
std::uint64_t next_seed() {
  static std::uint64_t seed = 0x50770000;
  return ++seed;
}

Bytes message_body() { return Bytes(kMessageSize, 0x61); }

// Returns false (and marks the run failed) on any error: a benchmark that
// silently measures error paths would be worse than none.
template <class T>
bool check(benchmark::State& state, const Result<T>& result, const char* what) {
  if (result) return true;
  state.SkipWithError((std::string(what) + ": " + std::string(errc_name(result.error().code)) +
                       ": " + result.error().message)
                          .c_str());
  return false;
}

Result<CiphertextMessage> send(TestParty& from, const TestParty& to, ByteView plaintext) {
  auto stores = from.stores();
  return protocol::encrypt(to.address, plaintext, stores, *from.rng);
}

Result<Bytes> receive(TestParty& to, const TestParty& from, const CiphertextMessage& message) {
  auto stores = to.stores();
  if (message.type == MessageType::prekey) {
    return protocol::decrypt_prekey_message(from.address, message.serialized, stores, *to.rng);
  }
  return protocol::decrypt_signal_message(from.address, message.serialized, stores, *to.rng);
}

// Two parties with a confirmed session (alice → bob, bob → alice, alice → bob),
// so alice's next messages are plain SignalMessages on an established chain.
struct Conversation {
  TestParty alice{"alice", next_seed(), 1111};
  TestParty bob{"bob", next_seed(), 2222};

  Status start() {
    auto stores = alice.stores();
    auto bundle = bob.make_bundle();
    if (auto s = protocol::process_prekey_bundle(bob.address, bundle, stores, *alice.rng); !s)
      return s;
    const Bytes body = message_body();
    for (auto [from, to] :
         {std::pair{&alice, &bob}, std::pair{&bob, &alice}, std::pair{&alice, &bob}}) {
      auto message = send(*from, *to, body);
      if (!message) return tl::unexpected(message.error());
      auto plaintext = receive(*to, *from, *message);
      if (!plaintext) return tl::unexpected(plaintext.error());
    }
    return ok();
  }
};

// ---- 1. session setup ----------------------------------------------------------

struct SetupPair {
  TestParty alice{"alice", next_seed(), 1111};
  TestParty bob{"bob", next_seed(), 2222};
  protocol::PreKeyBundle bundle = bob.make_bundle();
};

void bm_session_setup(benchmark::State& state) {
  const Bytes body = message_body();
  std::vector<std::unique_ptr<SetupPair>> batch;
  std::size_t next = 0;
  for (auto _ : state) {
    if (next == batch.size()) {
      // Identities, signed and one-time prekeys are made outside the timing.
      state.PauseTiming();
      batch.clear();
      for (std::size_t i = 0; i < kSetupBatch; ++i) batch.push_back(std::make_unique<SetupPair>());
      next = 0;
      state.ResumeTiming();
    }
    SetupPair& p = *batch[next++];
    auto stores = p.alice.stores();
    auto built = protocol::process_prekey_bundle(p.bob.address, p.bundle, stores, *p.alice.rng);
    if (!check(state, built, "process_prekey_bundle")) break;
    auto message = send(p.alice, p.bob, body);
    if (!check(state, message, "encrypt")) break;
    auto plaintext = receive(p.bob, p.alice, *message);
    if (!check(state, plaintext, "decrypt_prekey_message")) break;
    benchmark::DoNotOptimize(plaintext->data());
  }
  state.SetItemsProcessed(state.iterations());
}

// ---- 2. and 3. steady-state 1:1 -------------------------------------------------

void bm_encrypt(benchmark::State& state) {
  Conversation c;
  if (!check(state, c.start(), "session start")) return;
  const Bytes body = message_body();
  for (auto _ : state) {
    auto message = send(c.alice, c.bob, body);
    if (!check(state, message, "encrypt")) break;
    benchmark::DoNotOptimize(message->serialized.data());
  }
  state.SetItemsProcessed(state.iterations());
}

void bm_decrypt(benchmark::State& state) {
  Conversation c;
  if (!check(state, c.start(), "session start")) return;
  const Bytes body = message_body();
  std::vector<CiphertextMessage> batch;
  std::size_t next = 0;
  for (auto _ : state) {
    if (next == batch.size()) {
      state.PauseTiming();
      batch.clear();
      for (std::size_t i = 0; i < kMessageBatch; ++i) {
        auto message = send(c.alice, c.bob, body);
        if (!check(state, message, "encrypt")) return;
        batch.push_back(std::move(*message));
      }
      next = 0;
      state.ResumeTiming();
    }
    auto plaintext = receive(c.bob, c.alice, batch[next++]);
    if (!check(state, plaintext, "decrypt")) break;
    benchmark::DoNotOptimize(plaintext->data());
  }
  state.SetItemsProcessed(state.iterations());
}

// ---- 4. ping-pong ----------------------------------------------------------------

void bm_ping_pong(benchmark::State& state) {
  Conversation c;
  if (!check(state, c.start(), "session start")) return;
  const Bytes body = message_body();
  for (auto _ : state) {
    auto ping = send(c.alice, c.bob, body);
    if (!check(state, ping, "alice encrypt")) break;
    auto got_ping = receive(c.bob, c.alice, *ping);
    if (!check(state, got_ping, "bob decrypt")) break;
    auto pong = send(c.bob, c.alice, body);
    if (!check(state, pong, "bob encrypt")) break;
    auto got_pong = receive(c.alice, c.bob, *pong);
    if (!check(state, got_pong, "alice decrypt")) break;
    benchmark::DoNotOptimize(got_pong->data());
  }
  state.SetItemsProcessed(state.iterations());
}

// ---- 5. groups ----------------------------------------------------------------------

struct Group {
  TestParty alice{"alice", next_seed()};
  TestParty bob{"bob", next_seed()};

  Status start() {
    auto skdm = protocol::create_sender_key_distribution(alice.address, kGroup, alice.sender_keys,
                                                         *alice.rng);
    if (!skdm) return tl::unexpected(skdm.error());
    return protocol::process_sender_key_distribution(alice.address, kGroup, *skdm, bob.sender_keys);
  }
  Result<Bytes> send(ByteView body) {
    return protocol::group_encrypt(alice.address, kGroup, body, alice.sender_keys, *alice.rng);
  }
};

void bm_group_encrypt(benchmark::State& state) {
  Group g;
  if (!check(state, g.start(), "sender key distribution")) return;
  const Bytes body = message_body();
  for (auto _ : state) {
    auto message = g.send(body);
    if (!check(state, message, "group_encrypt")) break;
    benchmark::DoNotOptimize(message->data());
  }
  state.SetItemsProcessed(state.iterations());
}

void bm_group_decrypt(benchmark::State& state) {
  Group g;
  if (!check(state, g.start(), "sender key distribution")) return;
  const Bytes body = message_body();
  std::vector<Bytes> batch;
  std::size_t next = 0;
  for (auto _ : state) {
    if (next == batch.size()) {
      state.PauseTiming();
      batch.clear();
      for (std::size_t i = 0; i < kMessageBatch; ++i) {
        auto message = g.send(body);
        if (!check(state, message, "group_encrypt")) return;
        batch.push_back(std::move(*message));
      }
      next = 0;
      state.ResumeTiming();
    }
    auto plaintext =
        protocol::group_decrypt(g.alice.address, kGroup, batch[next++], g.bob.sender_keys);
    if (!check(state, plaintext, "group_decrypt")) break;
    benchmark::DoNotOptimize(plaintext->data());
  }
  state.SetItemsProcessed(state.iterations());
}

// ---- 6. safety number ------------------------------------------------------------------

void bm_fingerprint(benchmark::State& state) {
  TestParty alice{"alice", next_seed()};
  TestParty bob{"bob", next_seed()};
  const auto& alice_key = alice.identity.identity_key_pair().public_key;
  const auto& bob_key = bob.identity.identity_key_pair().public_key;
  for (auto _ : state) {
    auto fp = protocol::compute_fingerprint(1, kFingerprintIterations, as_bytes("+14152222222"),
                                            alice_key, as_bytes("+14153333333"), bob_key);
    if (!check(state, fp, "compute_fingerprint")) break;
    benchmark::DoNotOptimize(fp->displayable.data());
    benchmark::DoNotOptimize(fp->scannable.data());
  }
  state.SetItemsProcessed(state.iterations());
}

}  // namespace

std::vector<BenchCase> sotto_cases() {
  return {{"session_setup", kSotto, bm_session_setup},
          {"encrypt", kSotto, bm_encrypt},
          {"decrypt", kSotto, bm_decrypt},
          {"ping_pong", kSotto, bm_ping_pong},
          {"group_encrypt", kSotto, bm_group_encrypt},
          {"group_decrypt", kSotto, bm_group_decrypt},
          {"fingerprint", kSotto, bm_fingerprint}};
}

}  // namespace sotto::bench
