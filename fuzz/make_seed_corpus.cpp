// SPDX-License-Identifier: Apache-2.0
// Writes the seed corpus of every parser fuzz target: a handful of valid
// encodings per message (v3 and v4 where both exist) plus a few near misses.
// Run once when a format changes, then commit the output under fuzz/corpus/:
//   sotto_make_seed_corpus fuzz/corpus
// The bytes are deterministic, so rerunning it rewrites identical files.
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <utility>

#include "sotto/core/bytes.hpp"
#include "sotto/crypto/secret.hpp"
#include "sotto/wire/fingerprint.hpp"
#include "sotto/wire/frame.hpp"
#include "sotto/wire/sender_key_message.hpp"
#include "sotto/wire/signal_message.hpp"

namespace {

namespace fs = std::filesystem;
using sotto::Bytes;
using namespace sotto::wire;

// Deterministic filler (xorshift32): looks random to the fuzzer, is stable in git.
Bytes filler(std::size_t size, std::uint32_t seed) {
  Bytes out(size);
  std::uint32_t x = seed | 1u;
  for (auto& b : out) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    b = static_cast<std::uint8_t>(x);
  }
  return out;
}

Bytes public_key(std::uint32_t seed) {
  Bytes key = filler(33, seed);
  key[0] = 0x05;
  return key;
}

class CorpusWriter {
 public:
  explicit CorpusWriter(fs::path root) : root_(std::move(root)) {}

  void write(const std::string& target, const std::string& name, sotto::ByteView bytes) {
    const fs::path dir = root_ / target;
    fs::create_directories(dir);
    std::ofstream out(dir / name, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(bytes.data()),
              static_cast<std::streamsize>(bytes.size()));
    if (!out) {
      std::fprintf(stderr, "cannot write %s/%s\n", target.c_str(), name.c_str());
      ok_ = false;
    }
  }
  [[nodiscard]] bool ok() const { return ok_; }

 private:
  fs::path root_;
  bool ok_ = true;
};

SignalMessage signal_message(std::uint8_t version, std::uint32_t counter, std::size_t ct_size) {
  SignalMessage m;
  m.message_version = version;
  m.ratchet_key = public_key(counter + 1);
  m.counter = counter;
  m.previous_counter = counter / 2;
  m.ciphertext = filler(ct_size, counter + 2);
  return m;
}

Bytes signal_wire(const SignalMessage& m) {
  return sotto::concat({encode_signal_message_body(m), filler(kMacSize, 99)});
}

void signal_messages(CorpusWriter& w) {
  const std::string t = "fuzz_signal_message";
  w.write(t, "v3_first", signal_wire(signal_message(3, 0, 16)));
  w.write(t, "v3_long", signal_wire(signal_message(3, 2000, 160)));
  SignalMessage v4 = signal_message(4, 1, 32);
  v4.pq_ratchet = Bytes{0x01, 0x01, 0x01, 0x00};
  w.write(t, "v4_pq_short", signal_wire(v4));
  v4.pq_ratchet = sotto::concat({Bytes{0x01, 0x01, 0x01, 0x01, 0x00}, filler(32, 7)});
  v4.addresses = filler(36, 8);
  w.write(t, "v4_pq_chunk_addresses", signal_wire(v4));
  Bytes legacy = signal_wire(signal_message(3, 5, 16));
  legacy[0] = 0x22;
  w.write(t, "legacy_v2", legacy);
  Bytes truncated = signal_wire(signal_message(3, 6, 16));
  truncated.resize(truncated.size() - 12);
  w.write(t, "truncated", truncated);
}

PreKeySignalMessage prekey_message(std::uint8_t version) {
  PreKeySignalMessage m;
  m.message_version = version;
  m.registration_id = 0x1abc;
  m.signed_pre_key_id = 3;
  m.base_key = public_key(20);
  m.identity_key = public_key(21);
  m.message = signal_wire(signal_message(version, 0, 32));
  return m;
}

void prekey_messages(CorpusWriter& w) {
  const std::string t = "fuzz_prekey_signal_message";
  PreKeySignalMessage v3 = prekey_message(3);
  v3.pre_key_id = 42;
  w.write(t, "v3_one_time", encode_prekey_signal_message(v3));
  v3.pre_key_id.reset();
  w.write(t, "v3_no_one_time", encode_prekey_signal_message(v3));
  PreKeySignalMessage v4 = prekey_message(4);
  v4.pre_key_id = 7;
  v4.kyber_pre_key_id = 9;
  Bytes kyber_ct = filler(1569, 30);
  kyber_ct[0] = 0x08;
  v4.kyber_ciphertext = kyber_ct;
  w.write(t, "v4_kyber", encode_prekey_signal_message(v4));
  v4.kyber_ciphertext.clear();
  w.write(t, "v4_kyber_id_only", encode_prekey_signal_message(v4));  // rejected
}

void sender_key_messages(CorpusWriter& w) {
  const std::string t = "fuzz_sender_key_message";
  auto wire = [](std::uint32_t chain_id, std::uint32_t iteration, std::size_t ct_size) {
    SenderKeyMessageV3 m;
    m.chain_id = chain_id;
    m.iteration = iteration;
    m.ciphertext = filler(ct_size, iteration + 40);
    return sotto::concat({encode_sender_key_message_body(m), filler(kSignatureSize, 41)});
  };
  w.write(t, "v3_first", wire(0x2f1e0d0c, 0, 16));
  w.write(t, "v3_later", wire(1, 1999, 80));
  Bytes v4 = wire(2, 3, 16);
  v4[0] = 0x44;  // unknown_version in the C layout
  w.write(t, "v4_nibble", v4);
}

void sender_key_distributions(CorpusWriter& w) {
  const std::string t = "fuzz_sender_key_distribution";
  auto wire = [](std::uint32_t chain_id, std::uint32_t iteration) {
    SenderKeyDistributionMessageV3 m;
    m.chain_id = chain_id;
    m.iteration = iteration;
    m.chain_key = sotto::crypto::SecretKey<32>::from(filler(32, iteration + 50));
    m.signing_key = public_key(chain_id);
    return encode_sender_key_distribution_message_v3(m);
  };
  w.write(t, "v3_new_chain", wire(0x3a5b7c9d, 0));
  w.write(t, "v3_advanced", wire(17, 123456));
  Bytes short_key = wire(5, 6);
  short_key.resize(short_key.size() - 1);
  w.write(t, "truncated", short_key);
}

void combined_fingerprints(CorpusWriter& w) {
  const std::string t = "fuzz_combined_fingerprints";
  // Signal's apps scan versions 1 and 2; 0 is the default an empty field reads as.
  const struct {
    std::uint32_t version;
    const char* name;
  } kSeeds[] = {{0, "v0"}, {1, "v1"}, {2, "v2"}};
  for (const auto& seed : kSeeds) {
    CombinedFingerprints f;
    f.version = seed.version;
    f.local = filler(32, 60 + seed.version);
    f.remote = filler(32, 70 + seed.version);
    w.write(t, seed.name, encode_combined_fingerprints(f));
  }
}

void frames(CorpusWriter& w) {
  const std::string t = "fuzz_frame";
  w.write(t, "request_challenge", encode_frame(Request{1, "auth.challenge", filler(34, 80)}));
  w.write(t, "request_empty_body", encode_frame(Request{0, "queue.empty", {}}));
  w.write(t, "request_large_id",
          encode_frame(Request{0xfedcba9876543210ull, "message.send", filler(300, 81)}));
  w.write(t, "response_ok", encode_frame(Response{7, 200, "", filler(16, 82)}));
  w.write(t, "response_error", encode_frame(Response{8, 409, "mismatched devices", {}}));
  Bytes no_op = encode_frame(Request{2, "x", {}});
  no_op.resize(no_op.size() - 3);  // drops the op field: rejected
  no_op[1] = static_cast<std::uint8_t>(no_op.size() - 2);
  w.write(t, "request_without_op", no_op);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s <corpus-root>\n", argv[0]);
    return 2;
  }
  CorpusWriter w{fs::path(argv[1])};
  signal_messages(w);
  prekey_messages(w);
  sender_key_messages(w);
  sender_key_distributions(w);
  combined_fingerprints(w);
  frames(w);
  return w.ok() ? 0 : 1;
}
