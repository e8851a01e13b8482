// SPDX-License-Identifier: Apache-2.0
// Writes the seed corpus of every parser fuzz target: a handful of valid
// encodings per message (v3 and v4 where both exist) plus a few near misses.
// Run once when a format changes, then commit the output under fuzz/corpus/:
//   sotto_make_seed_corpus fuzz/corpus
// The bytes are deterministic, so rerunning it rewrites identical files.
#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

#include "sotto/core/bytes.hpp"
#include "sotto/crypto/secret.hpp"
#include "sotto/wire/fingerprint.hpp"
#include "sotto/wire/frame.hpp"
#include "sotto/wire/sender_key_message.hpp"
#include "sotto/wire/service.hpp"
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

// fuzz_service_bodies: a selector byte (the parser, in fuzz_service_bodies.cpp
// order) followed by one body.
void service_bodies(CorpusWriter& w) {
  const std::string t = "fuzz_service_bodies";
  auto put = [&](std::uint8_t selector, const std::string& name, const Bytes& body) {
    w.write(t, name, sotto::concat({Bytes{selector}, body}));
  };
  auto id16 = [](std::uint32_t seed) {
    std::array<std::uint8_t, 16> out{};
    const Bytes f = filler(16, seed);
    std::copy(f.begin(), f.end(), out.begin());
    return out;
  };
  auto signed_key = [](std::uint32_t id, std::size_t size) {
    Bytes key = filler(size, 200 + id);
    key[0] = 0x05;
    return SignedKey{id, key, filler(64, 300 + id)};
  };

  Challenge challenge;
  std::copy_n(filler(32, 90).begin(), 32, challenge.nonce.begin());
  put(0, "challenge", encode(challenge));

  Login login;
  login.account_id = id16(91);
  login.device_id = 1;
  std::copy_n(filler(64, 92).begin(), 64, login.signature.begin());
  put(1, "login", encode(login));
  Bytes short_login = encode(login);
  short_login.resize(short_login.size() - 1);  // a signature one byte short: rejected
  short_login[short_login.size() - 64] = 63;
  put(1, "login_short_signature", short_login);

  AccountCreate create;
  create.username = "alice.smith";
  std::copy_n(filler(32, 93).begin(), 32, create.device_key.begin());
  create.identity_key = public_key(94);
  create.registration_id = 12345;
  create.signed_prekey = signed_key(1, 33);
  create.one_time_prekeys = {{2, public_key(95)}, {3, public_key(96)}};
  create.kyber_prekeys = {signed_key(4, 1569)};
  create.kyber_last_resort = signed_key(5, 1569);
  put(2, "account_create", encode(create));
  put(3, "account_created", encode(AccountCreated{id16(97), 1}));
  put(4, "account_lookup", encode(AccountLookup{"bob_99"}));
  put(5, "account_lookup_result", encode(AccountLookupResult{id16(98)}));

  KeysUpload upload;
  upload.signed_prekey = signed_key(6, 33);
  upload.one_time_prekeys = {{7, public_key(99)}};
  upload.kyber_prekeys = {signed_key(8, 1569), signed_key(9, 1569)};
  put(6, "keys_upload", encode(upload));
  put(6, "keys_upload_empty", encode(KeysUpload{}));
  put(7, "key_counts", encode(KeyCounts{9, 100}));
  put(8, "keys_fetch", encode(KeysFetch{id16(100), 0}));

  KeysFetchResult fetched;
  fetched.identity_key = public_key(101);
  DeviceBundle bundle;
  bundle.device_id = 1;
  bundle.registration_id = 777;
  bundle.signed_prekey = signed_key(10, 33);
  bundle.one_time_prekey = OneTimeKey{11, public_key(102)};
  bundle.kyber_prekey = signed_key(12, 1569);
  bundle.kyber_is_last_resort = true;
  fetched.devices = {bundle};
  bundle.device_id = 2;
  bundle.one_time_prekey.reset();
  fetched.devices.push_back(bundle);
  put(9, "keys_fetch_result", encode(fetched));

  MessageSend send;
  send.destination = id16(103);
  send.timestamp = 1'700'000'000'000;
  send.envelopes = {{1, 777, 3, filler(120, 104)}, {2, 778, 1, filler(80, 105)}};
  put(10, "message_send", encode(send));
  put(11, "mismatched_devices", encode(MismatchedDevices{{2, 3}, {9}, {}}));

  Envelope envelope;
  envelope.guid = id16(106);
  envelope.source = id16(107);
  envelope.source_device = 1;
  envelope.timestamp = 1'700'000'000'000;
  envelope.server_timestamp = 1'700'000'000'123;
  envelope.type = 3;
  envelope.content = filler(100, 108);
  put(12, "envelope", encode(envelope));
  put(13, "message_expired", encode(MessageExpired{id16(109), id16(110), 1}));
  put(14, "retry_after", encode(RetryAfter{1000}));
}

// fuzz_ws_reader: [chunking seed][max_message pick] then what a client sends
// on a fresh connection (see fuzz_ws_reader.cpp). Client frames are built
// here by hand (masked), independent of the codec under test.
Bytes ws_frame(std::uint8_t first_byte, sotto::ByteView payload, std::uint32_t mask_seed) {
  Bytes f{first_byte};
  const std::size_t n = payload.size();
  if (n < 126) {
    f.push_back(static_cast<std::uint8_t>(0x80 | n));
  } else {
    f.push_back(0x80 | 126);
    f.push_back(static_cast<std::uint8_t>(n >> 8));
    f.push_back(static_cast<std::uint8_t>(n));
  }
  const Bytes mask = filler(4, mask_seed);
  sotto::append(f, mask);
  for (std::size_t i = 0; i < n; ++i) f.push_back(payload[i] ^ mask[i % 4]);
  return f;
}

Bytes ws_close(std::uint16_t code, std::string_view reason, std::uint32_t mask_seed) {
  Bytes p{static_cast<std::uint8_t>(code >> 8), static_cast<std::uint8_t>(code)};
  sotto::append(p, sotto::as_bytes(reason));
  return ws_frame(0x88, p, mask_seed);
}

void ws_reader(CorpusWriter& w) {
  const std::string t = "fuzz_ws_reader";
  auto put = [&](const std::string& name, std::uint8_t seed, std::uint8_t max_pick,
                 std::initializer_list<sotto::ByteView> parts) {
    Bytes input{seed, max_pick};
    for (auto part : parts) sotto::append(input, part);
    w.write(t, name, input);
  };
  const std::string upgrade =
      "GET /v1 HTTP/1.1\r\nHost: sotto.example:8443\r\nUpgrade: websocket\r\n"
      "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
      "Sec-WebSocket-Version: 13\r\n\r\n";
  const auto head = sotto::as_bytes(upgrade);
  const Bytes text = ws_frame(0x81, sotto::as_bytes("hello"), 1);
  const Bytes binary = ws_frame(0x82, filler(300, 2), 3);
  const Bytes ping = ws_frame(0x89, sotto::as_bytes("ping"), 4);
  const Bytes pong = ws_frame(0x8A, {}, 5);
  const Bytes first = ws_frame(0x02, filler(7, 6), 7);
  const Bytes middle = ws_frame(0x00, filler(5, 8), 9);
  const Bytes last = ws_frame(0x80, filler(3, 10), 11);
  const Bytes close = ws_close(1000, "bye", 12);

  put("upgrade_then_frames", 17, 7, {head, text, binary, ping, first, pong, middle, last, close});
  put("upgrade_only", 200, 7, {head});
  put("upgrade_version_8", 3, 7,
      {sotto::as_bytes("GET / HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                       "Sec-WebSocket-Key: AAAAAAAAAAAAAAAAAAAAAA==\r\nSec-WebSocket-Version: "
                       "8\r\n\r\n")});
  put("upgrade_post", 9, 7, {sotto::as_bytes("POST / HTTP/1.1\r\nHost: a\r\n\r\n")});
  put("frames_bytewise", 0, 7, {text, binary, ping, first, pong, middle, last, close});
  put("frames_in_large_chunks", 11, 6, {binary, first, ping, middle, middle, last, text});
  put("fragments_over_max", 5, 2, {first, middle, last});  // 15 bytes, max 10
  put("message_over_max", 1, 3, {binary});                 // 300 bytes, max 125
  put("close_empty", 2, 7, {ws_frame(0x88, {}, 13), text});
  put("close_bad_code", 4, 7, {ws_close(1005, "", 14)});
  put("close_bad_utf8", 6, 7, {ws_close(1001, "\xED\xA0\x80", 15)});
  put("close_utf8_reason", 8, 7, {ws_close(4000, "r\xC3\xA9sum\xC3\xA9 \xF0\x9F\x98\x80", 16)});
  put("reserved_bits", 10, 7, {ws_frame(0xC1, sotto::as_bytes("x"), 17)});
  put("unmasked", 12, 7, {Bytes{0x81, 0x01, 'x'}});
  // 64-bit length 0x10000 announced, the payload never sent.
  put("length_64", 14, 5, {Bytes{0x82, 0xFF, 0, 0, 0, 0, 0, 1, 0, 0, 1, 2, 3, 4}});
  put("length_16_non_minimal", 16, 7,
      {Bytes{0x82, 0xFE, 0, 5, 1, 2, 3, 4, 'a', 'b', 'c', 'd', 'e'}});
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
  service_bodies(w);
  ws_reader(w);
  return w.ok() ? 0 : 1;
}
