// SPDX-License-Identifier: Apache-2.0
#include "payloads.hpp"

#include <algorithm>

#include "sotto/protocol/session_builder.hpp"
#include "sotto/protocol/session_cipher.hpp"
#include "sotto/testing/test_party.hpp"

namespace sotto::bench {

namespace {

constexpr std::size_t kTextStampSize = 32;

void put_u64(Bytes& out, std::uint64_t v) {
  for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<std::uint8_t>(v >> shift));
}

std::uint64_t get_u64(ByteView in) {
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < 8; ++i) v = (v << 8) | in[i];
  return v;
}

// Text-like bytes: what a chat message looks like before encryption.
Bytes plaintext(std::size_t size, std::uint64_t n) {
  static constexpr char kLetters[] = "abcdefghijklmnopqrstuvwxyz ,.!?";
  Bytes out(size);
  std::uint64_t x = n * 0x9e3779b97f4a7c15ULL + 1;
  for (auto& b : out) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    b = static_cast<std::uint8_t>(kLetters[x % (sizeof kLetters - 1)]);
  }
  return out;
}

Result<Bytes> decrypt(testing::TestParty& to, testing::TestParty& from,
                      const protocol::CiphertextMessage& message) {
  auto stores = to.stores();
  if (message.type == protocol::MessageType::prekey) {
    return protocol::decrypt_prekey_message(from.address, message.serialized, stores, *to.rng);
  }
  return protocol::decrypt_signal_message(from.address, message.serialized, stores, *to.rng);
}

}  // namespace

Result<PayloadPool> PayloadPool::make(std::size_t plaintext_size, std::size_t count,
                                      std::uint64_t seed) {
  if (count == 0) return fail(Errc::bad_request, "payload pool needs at least one message");
  testing::TestParty alice("alice", seed, 1111);
  testing::TestParty bob("bob", seed + 1, 2222);
  {
    auto stores = alice.stores();
    SOTTO_TRY(protocol::process_prekey_bundle(bob.address, bob.make_bundle(), stores, *alice.rng));
  }
  // One round trip, so the pool holds ordinary SignalMessages (type 2), as a
  // conversation in progress sends, not PreKeySignalMessages.
  auto encrypt = [](testing::TestParty& from, testing::TestParty& to, ByteView text) {
    auto stores = from.stores();
    return protocol::encrypt(to.address, text, stores, *from.rng);
  };
  auto hello = encrypt(alice, bob, plaintext(plaintext_size, 0));
  if (!hello) return tl::unexpected(hello.error());
  SOTTO_TRY(decrypt(bob, alice, *hello));
  auto reply = encrypt(bob, alice, plaintext(plaintext_size, 1));
  if (!reply) return tl::unexpected(reply.error());
  SOTTO_TRY(decrypt(alice, bob, *reply));

  PayloadPool pool;
  pool.plaintext_size_ = plaintext_size;
  for (std::size_t i = 0; i < count; ++i) {
    const Bytes text = plaintext(plaintext_size, i + 2);
    auto message = encrypt(alice, bob, text);
    if (!message) return tl::unexpected(message.error());
    auto back = decrypt(bob, alice, *message);
    if (!back || *back != text) return fail(Errc::internal, "payload pool: decrypt check failed");
    pool.pool_.push_back(
        {static_cast<std::uint32_t>(message->type), std::move(message->serialized)});
  }
  return pool;
}

PayloadPool PayloadPool::make_text(std::size_t plaintext_size) {
  PayloadPool pool;
  pool.plaintext_size_ = plaintext_size;
  return pool;
}

std::string PayloadPool::text_content(std::uint64_t seq, std::uint64_t send_ns) const {
  static constexpr char kHex[] = "0123456789abcdef";
  static constexpr char kFiller[] = "lorem ipsum dolor sit amet, consectetur adipiscing elit. ";
  std::string out(std::max(plaintext_size_, kTextStampSize), ' ');
  for (int i = 0; i < 16; ++i) {
    out[i] = kHex[(seq >> (60 - 4 * i)) & 0xf];
    out[16 + i] = kHex[(send_ns >> (60 - 4 * i)) & 0xf];
  }
  for (std::size_t i = kTextStampSize; i < out.size(); ++i) {
    out[i] = kFiller[(i + seq) % (sizeof kFiller - 1)];
  }
  return out;
}

std::optional<PayloadPool::Stamp> PayloadPool::read_text_stamp(std::string_view body) {
  if (body.size() < kTextStampSize) return std::nullopt;
  auto hex = [](std::string_view digits) -> std::optional<std::uint64_t> {
    std::uint64_t v = 0;
    for (char c : digits) {
      int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
      if (d < 0) return std::nullopt;
      v = (v << 4) | static_cast<std::uint64_t>(d);
    }
    return v;
  };
  auto seq = hex(body.substr(0, 16));
  auto send_ns = hex(body.substr(16, 16));
  if (!seq || !send_ns) return std::nullopt;
  return Stamp{*seq, *send_ns};
}

double PayloadPool::content_size() const {
  if (pool_.empty()) return static_cast<double>(std::max(plaintext_size_, kTextStampSize));
  double total = 0;
  for (const auto& c : pool_) total += static_cast<double>(c.serialized.size());
  return kContentPrefixSize + total / static_cast<double>(pool_.size());
}

Bytes PayloadPool::content(std::uint64_t seq, std::uint64_t send_ns) const {
  const Ciphertext& c = pick(seq);
  Bytes out;
  out.reserve(kContentPrefixSize + c.serialized.size());
  put_u64(out, seq);
  put_u64(out, send_ns);
  append(out, c.serialized);
  return out;
}

std::optional<PayloadPool::Stamp> PayloadPool::read_stamp(ByteView content) {
  if (content.size() < kContentPrefixSize) return std::nullopt;
  return Stamp{get_u64(content.first(8)), get_u64(content.subspan(8, 8))};
}

}  // namespace sotto::bench
