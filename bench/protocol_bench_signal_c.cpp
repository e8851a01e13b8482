// SPDX-License-Identifier: Apache-2.0
// libsignal-protocol-c's side of the protocol benchmark: the library with the
// interop peer's OpenSSL crypto provider (sotto_signal_c_provider) and, as a
// second set of cases, with the lean provider of this benchmark; either way its
// randomness comes from the same seeded ChaCha20 generator our parties use.
// Every case mirrors one in protocol_bench_sotto.cpp; keep the two in step.
//
// Bench-only code: it links the GPL library and is never shipped.
#include <curve.h>
#include <fingerprint.h>
#include <group_cipher.h>
#include <group_session_builder.h>
#include <key_helper.h>
#include <protocol.h>
#include <ratchet.h>
#include <session_builder.h>
#include <session_cipher.h>
#include <session_pre_key.h>

#include <array>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "protocol_bench.hpp"
#include "protocol_bench_signal_c_lean_provider.hpp"
#include "protocol_bench_signal_c_stores.hpp"
#include "signal_c_handles.hpp"
#include "signal_c_provider.hpp"
#include "sotto/crypto/rng.hpp"

namespace sotto::bench {
namespace {

using peer_c::Buffer;
using peer_c::Owned;
using peer_c::Ref;

using SessionBuilder = Owned<session_builder, &session_builder_free>;
using SessionCipher = Owned<session_cipher, &session_cipher_free>;
using GroupBuilder = Owned<group_session_builder, &group_session_builder_free>;
using GroupCipher = Owned<group_cipher, &group_cipher_free>;
using FingerprintGenerator = Owned<fingerprint_generator, &fingerprint_generator_free>;

const std::string kGroupId = "bench-group";

// The library's randomness, from the generator our TestParty uses, so that
// neither side pays for a different RNG.
class ChaChaRandom final : public peer_c::RandomSource {
 public:
  explicit ChaChaRandom(const std::array<std::uint8_t, 32>& seed) : rng_(seed) {}
  bool fill(std::uint8_t* out, std::size_t len) override {
    rng_.fill({out, len});
    return true;
  }

 private:
  crypto::DeterministicRng rng_;
};

enum class Provider { peer, lean };

// The provider the running benchmark uses; set by with_provider below.
Provider g_provider = Provider::peer;

std::unique_ptr<peer_c::Context> make_context(Provider provider) {
  const std::array<std::uint8_t, 32> seed{0x5c};
  auto context = peer_c::Context::create(std::make_unique<ChaChaRandom>(seed));
  if (!context) {
    std::fputs("cannot create a libsignal-protocol-c context\n", stderr);
    std::abort();
  }
  if (provider == Provider::lean) {
    // Context::create installed the peer's provider over its own source; the
    // lean one gets an equal source of its own.
    static const std::unique_ptr<peer_c::RandomSource> kLeanRandom =
        std::make_unique<ChaChaRandom>(seed);
    const signal_crypto_provider lean = make_lean_provider(kLeanRandom.get());
    if (signal_context_set_crypto_provider(context->get(), &lean) != 0) std::abort();
  }
  return context;
}

// One library context per provider, shared by every party (the benchmark is
// single-threaded).
signal_context* global_context() {
  static const std::unique_ptr<peer_c::Context> kPeer = make_context(Provider::peer);
  static const std::unique_ptr<peer_c::Context> kLean = make_context(Provider::lean);
  return g_provider == Provider::lean ? kLean->get() : kPeer->get();
}

bool check(benchmark::State& state, int rc, const char* what) {
  if (rc >= 0) return true;
  state.SkipWithError(
      (std::string(what) + " failed with libsignal-protocol-c error " + std::to_string(rc))
          .c_str());
  return false;
}

// A device: its stores and address. Creating one generates its identity.
class CParty {
 public:
  CParty(std::string name, std::uint32_t registration_id)
      : name_(std::move(name)), address_{name_.c_str(), name_.size(), 1} {
    data_.registration_id = registration_id;
    rc_ = signal_protocol_store_context_create(&store_, global_context());
    if (rc_ < 0) {
      store_ = nullptr;
      return;
    }
    rc_ = install_bench_stores(store_, &data_);
    if (rc_ < 0) return;
    Ref<ratchet_identity_key_pair> identity;
    rc_ = signal_protocol_key_helper_generate_identity_key_pair(identity.out(), global_context());
    if (rc_ < 0) return;
    Buffer pub;
    Buffer priv;
    rc_ = ec_public_key_serialize(pub.out(), ratchet_identity_key_pair_get_public(identity.get()));
    if (rc_ >= 0)
      rc_ = ec_private_key_serialize(priv.out(),
                                     ratchet_identity_key_pair_get_private(identity.get()));
    if (rc_ < 0) return;
    data_.identity_public = pub.bytes();
    data_.identity_private.assign(priv.data(), priv.data() + priv.size());
  }
  ~CParty() {
    if (store_ != nullptr) signal_protocol_store_context_destroy(store_);
  }
  CParty(const CParty&) = delete;
  CParty& operator=(const CParty&) = delete;

  // Negative when construction failed.
  [[nodiscard]] int status() const { return rc_; }
  [[nodiscard]] signal_protocol_store_context* store() const { return store_; }
  [[nodiscard]] const CStoreData& data() const { return data_; }
  // Session builders and ciphers keep this pointer (they do not copy the
  // address), so it must stay put while they live.
  [[nodiscard]] const signal_protocol_address* address() const { return &address_; }

  // Stores a signed prekey and a one-time prekey and returns the bundle.
  int make_bundle(Ref<session_pre_key_bundle>& bundle, std::uint32_t signed_id = 1,
                  std::uint32_t prekey_id = 100) {
    signal_context* ctx = global_context();
    Ref<ratchet_identity_key_pair> identity;
    int rc = signal_protocol_identity_get_key_pair(store_, identity.out());
    if (rc < 0) return rc;
    Ref<session_signed_pre_key> signed_prekey;
    rc = signal_protocol_key_helper_generate_signed_pre_key(signed_prekey.out(), identity.get(),
                                                            signed_id, 0, ctx);
    if (rc >= 0) rc = signal_protocol_signed_pre_key_store_key(store_, signed_prekey.get());
    Ref<ec_key_pair> pair;
    Ref<session_pre_key> prekey;
    if (rc >= 0) rc = curve_generate_key_pair(ctx, pair.out());
    if (rc >= 0) rc = session_pre_key_create(prekey.out(), prekey_id, pair.get());
    if (rc >= 0) rc = signal_protocol_pre_key_store_key(store_, prekey.get());
    if (rc < 0) return rc;
    return session_pre_key_bundle_create(
        bundle.out(), data_.registration_id, 1, prekey_id, ec_key_pair_get_public(pair.get()),
        signed_id, ec_key_pair_get_public(session_signed_pre_key_get_key_pair(signed_prekey.get())),
        session_signed_pre_key_get_signature(signed_prekey.get()),
        session_signed_pre_key_get_signature_len(signed_prekey.get()),
        ratchet_identity_key_pair_get_public(identity.get()));
  }

 private:
  std::string name_;
  signal_protocol_address address_;  // points into name_
  CStoreData data_;
  signal_protocol_store_context* store_ = nullptr;  // refers to data_
  int rc_ = 0;
};

const std::vector<std::uint8_t>& message_body() {
  static const std::vector<std::uint8_t> body(kMessageSize, 0x61);
  return body;
}

int make_session_cipher(SessionCipher& out, const CParty& self, const CParty& peer) {
  session_cipher* raw = nullptr;
  const int rc = session_cipher_create(&raw, self.store(), peer.address(), global_context());
  if (rc >= 0) out.reset(raw);
  return rc;
}

// Serialized message bytes and their type, as an application would send them.
struct Wire {
  int type = 0;
  std::vector<std::uint8_t> bytes;
};

int send(session_cipher* cipher, Wire& out) {
  Ref<ciphertext_message> message;
  const auto& body = message_body();
  const int rc = session_cipher_encrypt(cipher, body.data(), body.size(), message.out());
  if (rc < 0) return rc;
  const signal_buffer* serialized = ciphertext_message_get_serialized(message.get());
  out.type = ciphertext_message_get_type(message.get());
  out.bytes.assign(signal_buffer_const_data(serialized),
                   signal_buffer_const_data(serialized) + signal_buffer_len(serialized));
  return rc;
}

int receive(session_cipher* cipher, const Wire& in, Buffer& plaintext) {
  signal_context* ctx = global_context();
  if (in.type == CIPHERTEXT_PREKEY_TYPE) {
    Ref<pre_key_signal_message> message;
    const int rc =
        pre_key_signal_message_deserialize(message.out(), in.bytes.data(), in.bytes.size(), ctx);
    if (rc < 0) return rc;
    return session_cipher_decrypt_pre_key_signal_message(cipher, message.get(), nullptr,
                                                         plaintext.out());
  }
  Ref<signal_message> message;
  const int rc = signal_message_deserialize(message.out(), in.bytes.data(), in.bytes.size(), ctx);
  if (rc < 0) return rc;
  return session_cipher_decrypt_signal_message(cipher, message.get(), nullptr, plaintext.out());
}

// Two parties with a confirmed session (alice → bob, bob → alice, alice → bob)
// and a session cipher each, as a messaging app would keep them.
struct Conversation {
  CParty alice{"alice", 1111};
  CParty bob{"bob", 2222};
  SessionCipher alice_cipher;  // alice's cipher for bob
  SessionCipher bob_cipher;    // bob's cipher for alice

  int start() {
    int rc = alice.status() < 0 ? alice.status() : bob.status();
    if (rc < 0) return rc;
    Ref<session_pre_key_bundle> bundle;
    rc = bob.make_bundle(bundle);
    if (rc < 0) return rc;
    session_builder* raw = nullptr;
    rc = session_builder_create(&raw, alice.store(), bob.address(), global_context());
    if (rc < 0) return rc;
    SessionBuilder builder(raw);
    rc = session_builder_process_pre_key_bundle(builder.get(), bundle.get());
    if (rc >= 0) rc = make_session_cipher(alice_cipher, alice, bob);
    if (rc >= 0) rc = make_session_cipher(bob_cipher, bob, alice);
    for (int i = 0; i < 3 && rc >= 0; ++i) {
      session_cipher* from = i % 2 == 0 ? alice_cipher.get() : bob_cipher.get();
      session_cipher* to = i % 2 == 0 ? bob_cipher.get() : alice_cipher.get();
      Wire wire;
      Buffer plaintext;
      rc = send(from, wire);
      if (rc >= 0) rc = receive(to, wire, plaintext);
    }
    return rc;
  }
};

// ---- 1. session setup ----------------------------------------------------------

struct SetupPair {
  CParty alice{"alice", 1111};
  CParty bob{"bob", 2222};
  Ref<session_pre_key_bundle> bundle;

  int prepare() {
    int rc = alice.status() < 0 ? alice.status() : bob.status();
    return rc < 0 ? rc : bob.make_bundle(bundle);
  }
};

int set_up_session(SetupPair& p, Buffer& plaintext) {
  signal_context* ctx = global_context();
  session_builder* raw_builder = nullptr;
  int rc = session_builder_create(&raw_builder, p.alice.store(), p.bob.address(), ctx);
  if (rc < 0) return rc;
  SessionBuilder builder(raw_builder);
  rc = session_builder_process_pre_key_bundle(builder.get(), p.bundle.get());
  SessionCipher alice_cipher;
  SessionCipher bob_cipher;
  Wire wire;
  if (rc >= 0) rc = make_session_cipher(alice_cipher, p.alice, p.bob);
  if (rc >= 0) rc = send(alice_cipher.get(), wire);
  if (rc >= 0) rc = make_session_cipher(bob_cipher, p.bob, p.alice);
  if (rc >= 0) rc = receive(bob_cipher.get(), wire, plaintext);
  return rc;
}

void bm_session_setup(benchmark::State& state) {
  std::vector<std::unique_ptr<SetupPair>> batch;
  std::size_t next = 0;
  for (auto _ : state) {
    if (next == batch.size()) {
      // Identities, signed and one-time prekeys are made outside the timing.
      state.PauseTiming();
      batch.clear();
      for (std::size_t i = 0; i < kSetupBatch; ++i) {
        batch.push_back(std::make_unique<SetupPair>());
        if (!check(state, batch.back()->prepare(), "preparing a bundle")) return;
      }
      next = 0;
      state.ResumeTiming();
    }
    Buffer plaintext;
    if (!check(state, set_up_session(*batch[next++], plaintext), "session setup")) break;
    benchmark::DoNotOptimize(plaintext.data());
  }
  state.SetItemsProcessed(state.iterations());
}

// ---- 2. and 3. steady-state 1:1 -------------------------------------------------

void bm_encrypt(benchmark::State& state) {
  Conversation c;
  if (!check(state, c.start(), "session start")) return;
  Wire wire;
  for (auto _ : state) {
    if (!check(state, send(c.alice_cipher.get(), wire), "encrypt")) break;
    benchmark::DoNotOptimize(wire.bytes.data());
  }
  state.SetItemsProcessed(state.iterations());
}

void bm_decrypt(benchmark::State& state) {
  Conversation c;
  if (!check(state, c.start(), "session start")) return;
  std::vector<Wire> batch;
  std::size_t next = 0;
  for (auto _ : state) {
    if (next == batch.size()) {
      state.PauseTiming();
      batch.assign(kMessageBatch, Wire{});
      for (auto& wire : batch) {
        if (!check(state, send(c.alice_cipher.get(), wire), "encrypt")) return;
      }
      next = 0;
      state.ResumeTiming();
    }
    Buffer plaintext;
    if (!check(state, receive(c.bob_cipher.get(), batch[next++], plaintext), "decrypt")) break;
    benchmark::DoNotOptimize(plaintext.data());
  }
  state.SetItemsProcessed(state.iterations());
}

// ---- 4. ping-pong ----------------------------------------------------------------

void bm_ping_pong(benchmark::State& state) {
  Conversation c;
  if (!check(state, c.start(), "session start")) return;
  Wire ping;
  Wire pong;
  for (auto _ : state) {
    Buffer got_ping;
    Buffer got_pong;
    if (!check(state, send(c.alice_cipher.get(), ping), "alice encrypt")) break;
    if (!check(state, receive(c.bob_cipher.get(), ping, got_ping), "bob decrypt")) break;
    if (!check(state, send(c.bob_cipher.get(), pong), "bob encrypt")) break;
    if (!check(state, receive(c.alice_cipher.get(), pong, got_pong), "alice decrypt")) break;
    benchmark::DoNotOptimize(got_pong.data());
  }
  state.SetItemsProcessed(state.iterations());
}

// ---- 5. groups ----------------------------------------------------------------------

struct Group {
  CParty alice{"alice", 1111};
  CParty bob{"bob", 2222};
  // Group ciphers keep a pointer to this name (they do not copy it).
  const signal_protocol_sender_key_name name{kGroupId.c_str(), kGroupId.size(), *alice.address()};
  GroupCipher alice_cipher;
  GroupCipher bob_cipher;

  int start() {
    int rc = alice.status() < 0 ? alice.status() : bob.status();
    if (rc < 0) return rc;
    signal_context* ctx = global_context();
    group_session_builder* raw_builder = nullptr;
    rc = group_session_builder_create(&raw_builder, alice.store(), ctx);
    if (rc < 0) return rc;
    GroupBuilder alice_builder(raw_builder);
    Ref<sender_key_distribution_message> created;
    rc = group_session_builder_create_session(alice_builder.get(), created.out(), &name);
    if (rc < 0) return rc;
    const signal_buffer* serialized =
        ciphertext_message_get_serialized(reinterpret_cast<ciphertext_message*>(created.get()));
    Ref<sender_key_distribution_message> received;
    rc = sender_key_distribution_message_deserialize(
        received.out(), signal_buffer_const_data(serialized), signal_buffer_len(serialized), ctx);
    if (rc < 0) return rc;
    rc = group_session_builder_create(&raw_builder, bob.store(), ctx);
    if (rc < 0) return rc;
    GroupBuilder bob_builder(raw_builder);
    rc = group_session_builder_process_session(bob_builder.get(), &name, received.get());
    group_cipher* raw_cipher = nullptr;
    if (rc >= 0) rc = group_cipher_create(&raw_cipher, alice.store(), &name, ctx);
    if (rc < 0) return rc;
    alice_cipher.reset(raw_cipher);
    rc = group_cipher_create(&raw_cipher, bob.store(), &name, ctx);
    if (rc < 0) return rc;
    bob_cipher.reset(raw_cipher);
    return rc;
  }

  int send(std::vector<std::uint8_t>& out) {
    Ref<ciphertext_message> message;
    const auto& body = message_body();
    const int rc =
        group_cipher_encrypt(alice_cipher.get(), body.data(), body.size(), message.out());
    if (rc < 0) return rc;
    const signal_buffer* serialized = ciphertext_message_get_serialized(message.get());
    out.assign(signal_buffer_const_data(serialized),
               signal_buffer_const_data(serialized) + signal_buffer_len(serialized));
    return rc;
  }

  int receive(const std::vector<std::uint8_t>& in, Buffer& plaintext) {
    Ref<sender_key_message> message;
    const int rc =
        sender_key_message_deserialize(message.out(), in.data(), in.size(), global_context());
    if (rc < 0) return rc;
    return group_cipher_decrypt(bob_cipher.get(), message.get(), nullptr, plaintext.out());
  }
};

void bm_group_encrypt(benchmark::State& state) {
  Group g;
  if (!check(state, g.start(), "sender key distribution")) return;
  std::vector<std::uint8_t> message;
  for (auto _ : state) {
    if (!check(state, g.send(message), "group encrypt")) break;
    benchmark::DoNotOptimize(message.data());
  }
  state.SetItemsProcessed(state.iterations());
}

void bm_group_decrypt(benchmark::State& state) {
  Group g;
  if (!check(state, g.start(), "sender key distribution")) return;
  std::vector<std::vector<std::uint8_t>> batch;
  std::size_t next = 0;
  for (auto _ : state) {
    if (next == batch.size()) {
      state.PauseTiming();
      batch.assign(kMessageBatch, {});
      for (auto& message : batch) {
        if (!check(state, g.send(message), "group encrypt")) return;
      }
      next = 0;
      state.ResumeTiming();
    }
    Buffer plaintext;
    if (!check(state, g.receive(batch[next++], plaintext), "group decrypt")) break;
    benchmark::DoNotOptimize(plaintext.data());
  }
  state.SetItemsProcessed(state.iterations());
}

// ---- 6. safety number ------------------------------------------------------------------

int identity_public(const CParty& party, Ref<ec_public_key>& out) {
  const CRecord& bytes = party.data().identity_public;
  return curve_decode_point(out.out(), bytes.data(), bytes.size(), global_context());
}

void bm_fingerprint(benchmark::State& state) {
  CParty alice{"alice", 1111};
  CParty bob{"bob", 2222};
  Ref<ec_public_key> alice_key;
  Ref<ec_public_key> bob_key;
  int rc = alice.status() < 0 ? alice.status() : bob.status();
  if (rc >= 0) rc = identity_public(alice, alice_key);
  if (rc >= 0) rc = identity_public(bob, bob_key);
  fingerprint_generator* raw = nullptr;
  if (rc >= 0) rc = fingerprint_generator_create(&raw, kFingerprintIterations, 1, global_context());
  if (!check(state, rc, "fingerprint setup")) return;
  FingerprintGenerator generator(raw);
  for (auto _ : state) {
    Ref<fingerprint> fp;
    Buffer scannable;
    rc = fingerprint_generator_create_for(generator.get(), "+14152222222", alice_key.get(),
                                          "+14153333333", bob_key.get(), fp.out());
    // Our API returns the scannable form serialized; so does this side.
    if (rc >= 0)
      rc = scannable_fingerprint_serialize(scannable.out(), fingerprint_get_scannable(fp.get()));
    if (!check(state, rc, "fingerprint")) break;
    benchmark::DoNotOptimize(displayable_fingerprint_text(fingerprint_get_displayable(fp.get())));
    benchmark::DoNotOptimize(scannable.data());
  }
  state.SetItemsProcessed(state.iterations());
}

template <Provider kProvider, void (*kFunction)(benchmark::State&)>
void with_provider(benchmark::State& state) {
  g_provider = kProvider;
  kFunction(state);
}

template <Provider kProvider>
void add_cases(std::vector<BenchCase>& cases, std::string_view library) {
  cases.insert(cases.end(), {{"session_setup", library, with_provider<kProvider, bm_session_setup>},
                             {"encrypt", library, with_provider<kProvider, bm_encrypt>},
                             {"decrypt", library, with_provider<kProvider, bm_decrypt>},
                             {"ping_pong", library, with_provider<kProvider, bm_ping_pong>},
                             {"group_encrypt", library, with_provider<kProvider, bm_group_encrypt>},
                             {"group_decrypt", library, with_provider<kProvider, bm_group_decrypt>},
                             {"fingerprint", library, with_provider<kProvider, bm_fingerprint>}});
}

}  // namespace

std::vector<BenchCase> signal_c_cases() {
  std::vector<BenchCase> cases;
  add_cases<Provider::peer>(cases, kSignalC);
  add_cases<Provider::lean>(cases, kSignalCLean);
  return cases;
}

}  // namespace sotto::bench
