// SPDX-License-Identifier: Apache-2.0
// Bit flips anywhere in a PreKey message and a whisper message must be
// rejected, and a rejected message must change nothing at the receiver: no
// identity saved, no session created, no one-time prekey consumed, no chain
// advanced; the original then still decrypts.
//
// Tolerated positions, whose flips are tried only after the original was
// delivered (any copy is then a replay and must be refused):
// - the low nibble of the version byte (receivers ignore it; contract);
// - the PreKeySignalMessage's registration_id field (no MAC or signature;
//   contract), including its key byte: a flip there renames the field (e.g.
//   0x28 -> 0x38, field 7), parsers skip unknown fields, and the message
//   parses with the registration id merely absent;
// - the top bit of the PreKey message's base key: X25519 ignores bit 255 of a
//   u-coordinate (RFC 7748 section 5) and no MAC covers the base key;
// - once the receiver has the session a PreKey message names (by base key),
//   the fields used only to build that session: pre_key_id, signed_pre_key_id
//   (and the Kyber fields in v4). No MAC covers them and the receiver no
//   longer reads them.
// libsignal-protocol-c accepts flipped copies at each of these positions.
#include <cstdio>
#include <optional>
#include <utility>
#include <vector>

#include "conversation.hpp"
#include "protobuf_walk.hpp"
#include "scenarios.hpp"
#include "sotto/core/encoding.hpp"

namespace sotto::interop {
namespace {

// PreKeySignalMessage field numbers.
constexpr std::uint32_t kPreKeyIdField = 1;
constexpr std::uint32_t kBaseKeyField = 2;
constexpr std::uint32_t kRegistrationIdField = 5;
constexpr std::uint32_t kSignedPreKeyIdField = 6;
constexpr std::uint32_t kKyberPreKeyIdField = 7;
constexpr std::uint32_t kKyberCiphertextField = 8;
constexpr std::size_t kDjbKeySize = 33;  // 0x05 || 32-byte u-coordinate

// Messages up to this size get every bit flipped; larger ones (v4 PreKey
// messages carry a 1568-byte Kyber ciphertext) two random bits per byte.
constexpr std::size_t kFlipAllBitsUpTo = 512;
constexpr std::size_t kTamperPlaintext = 48;

struct Flip {
  std::size_t index;
  std::uint8_t mask;
};

// Offsets are into the whole message (version byte included).
struct Allowance {
  std::vector<std::pair<std::size_t, std::size_t>> ranges;  // [begin, end): any flip
  std::optional<std::size_t> base_key_last;                 // only its 0x80 bit
};

Result<Allowance> prekey_allowance(Harness& h, const Bytes& message, bool session_exists) {
  if (message.size() < 2) return h.mismatch("PreKey message shorter than two bytes");
  auto fields = walk_protobuf(ByteView(message).subspan(1));
  if (!fields) {
    return h.mismatch("PreKey message is not version byte + protobuf: " + fields.error().message);
  }
  Allowance a;
  for (const auto& f : *fields) {
    const bool build_only = f.number == kPreKeyIdField || f.number == kSignedPreKeyIdField ||
                            f.number == kKyberPreKeyIdField || f.number == kKyberCiphertextField;
    if (f.number == kRegistrationIdField || (session_exists && build_only)) {
      a.ranges.emplace_back(f.begin + 1, f.end + 1);
    }
    if (f.number == kBaseKeyField && f.wire_type == 2 && f.end - f.value_begin == kDjbKeySize + 1) {
      // One length byte precedes a 33-byte key; its last byte is f.end - 1
      // in the protobuf, f.end in the message.
      a.base_key_last = f.end;
    }
  }
  return a;
}

bool allowed(const Flip& f, const Allowance& a) {
  if (f.index == 0 && (f.mask & 0xf0) == 0) return true;  // version byte, low nibble
  if (a.base_key_last && f.index == *a.base_key_last && f.mask == 0x80) return true;
  for (const auto& [begin, end] : a.ranges) {
    if (f.index >= begin && f.index < end) return true;
  }
  return false;
}

// A flip of the version byte's high nibble has a code the contract fixes.
std::vector<std::string_view> expected_codes(const Bytes& message, const Flip& f) {
  if (f.index != 0 || (f.mask & 0xf0) == 0) return {};
  int version = (message[0] ^ f.mask) >> 4;
  if (version < 3) return {"legacy_version"};
  if (version > 4) return {"unknown_version"};
  return {};
}

std::vector<Flip> flips_for(Harness& h, std::size_t size) {
  std::vector<Flip> flips;
  for (std::size_t i = 0; i < size; ++i) {
    if (size <= kFlipAllBitsUpTo) {
      for (int bit = 0; bit < 8; ++bit) flips.push_back({i, static_cast<std::uint8_t>(1u << bit)});
    } else {
      std::uint32_t b1 = h.uniform(0, 7);
      std::uint32_t b2 = (b1 + h.uniform(1, 7)) % 8;
      flips.push_back({i, static_cast<std::uint8_t>(1u << b1)});
      flips.push_back({i, static_cast<std::uint8_t>(1u << b2)});
    }
  }
  // Version-byte flips always get every bit: their error codes are fixed.
  if (size > kFlipAllBitsUpTo) {
    std::erase_if(flips, [](const Flip& f) { return f.index == 0; });
    for (int bit = 0; bit < 8; ++bit) flips.push_back({0, static_cast<std::uint8_t>(1u << bit)});
  }
  return flips;
}

std::string flip_text(const Flip& f) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "byte %zu ^ 0x%02x", f.index, f.mask);
  return buf;
}

// Flips bits of `e` one at a time and delivers each copy to `to`; every copy
// must be rejected. Before the original is delivered (`after_original` false)
// only the flips outside the tolerated positions are tried; afterwards only
// the tolerated ones, which are replays by then.
Status sweep(Harness& h, const Party& to, const Envelope& e, const Allowance& allow,
             bool after_original) {
  INTEROP_ASSIGN(Bytes original, base64_decode(e.ciphertext));
  for (const Flip& f : flips_for(h, original.size())) {
    if (allowed(f, allow) != after_original) continue;
    Bytes tampered = original;
    tampered[f.index] ^= f.mask;
    h.step(e.type + " message " + std::to_string(e.seq) + " from " + e.from + " (" +
           std::to_string(original.size()) + " bytes) with " + flip_text(f) +
           (after_original ? " at a tolerated position, after the original" : ""));
    SOTTO_TRY(h.reject(
        to, e, after_original ? std::vector<std::string_view>{} : expected_codes(original, f),
        base64_encode(tampered)));
  }
  return ok();
}

// The whole treatment for one message: sweep, state checks, the original,
// then the tolerated positions.
Status tamper_message(Harness& h, const Party& to, const Party& from, const Envelope& e,
                      bool before_first_contact) {
  Allowance allow;
  if (e.type == "prekey") {
    INTEROP_ASSIGN(Bytes raw, base64_decode(e.ciphertext));
    INTEROP_ASSIGN(allow, prekey_allowance(h, raw, !before_first_contact));
  }
  std::optional<std::string> identity_before;
  if (!before_first_contact) identity_before = from.identity_key;

  SOTTO_TRY(sweep(h, to, e, allow, /*after_original=*/false));

  h.step("after rejecting every tampered copy of message " + std::to_string(e.seq) + ", " + to.key +
         "'s state is unchanged");
  SOTTO_TRY(h.expect_stored_identity(to, from, identity_before));
  INTEROP_ASSIGN(bool has_session, h.session_exists(to, from));
  if (has_session == before_first_contact) {
    return h.mismatch(before_first_contact ? "a session exists after only tampered messages"
                                           : "the session disappeared after tampered messages");
  }

  if (e.type == "whisper") {
    INTEROP_ASSIGN(Bytes raw, base64_decode(e.ciphertext));
    h.step("message " + std::to_string(e.seq) + " truncated by one byte");
    Bytes shorter(raw.begin(), raw.end() - 1);
    SOTTO_TRY(h.reject(to, e, {}, base64_encode(shorter)));
    h.step("message " + std::to_string(e.seq) + " with one byte appended");
    Bytes longer = raw;
    longer.push_back(0);
    SOTTO_TRY(h.reject(to, e, {}, base64_encode(longer)));
  }

  h.step("the original message " + std::to_string(e.seq) + " after tampering");
  SOTTO_TRY(h.deliver(to, e));
  SOTTO_TRY(h.expect_stored_identity(to, from, from.identity_key));

  SOTTO_TRY(sweep(h, to, e, allow, /*after_original=*/true));
  return ok();
}

}  // namespace

Status run_tamper(Harness& h) {
  h.step("create parties");
  INTEROP_ASSIGN(Party alice, h.new_party(h.a(), "alice"));
  INTEROP_ASSIGN(Party bob, h.new_party(h.b(), "bob"));
  h.step("bob publishes a bundle with a one-time prekey, alice starts a session");
  INTEROP_ASSIGN(json bundle, h.bundle(bob, 8, 12));
  SOTTO_TRY(h.from_bundle(alice, bob, bundle));

  h.step("alice sends two prekey messages");
  INTEROP_ASSIGN(Envelope p1, send(h, alice, bob, kTamperPlaintext));
  INTEROP_ASSIGN(Envelope p2, send(h, alice, bob, kTamperPlaintext));
  SOTTO_TRY(h.expect_type(p1, "prekey"));
  SOTTO_TRY(h.expect_type(p2, "prekey"));
  SOTTO_TRY(h.expect_stored_identity(bob, alice, std::nullopt));
  SOTTO_TRY(tamper_message(h, bob, alice, p1, /*before_first_contact=*/true));
  SOTTO_TRY(tamper_message(h, bob, alice, p2, /*before_first_contact=*/false));

  h.step("bob sends two whisper messages");
  INTEROP_ASSIGN(Envelope w1, send(h, bob, alice, kTamperPlaintext));
  INTEROP_ASSIGN(Envelope w2, send(h, bob, alice, kTamperPlaintext));
  SOTTO_TRY(h.expect_type(w1, "whisper"));
  // The second one first: its tampered copies take the DH-ratchet path (a new
  // chain), then the first one's take the skipped-key path.
  SOTTO_TRY(tamper_message(h, alice, bob, w2, false));
  SOTTO_TRY(tamper_message(h, alice, bob, w1, false));

  h.step("alice's whisper message after the ratchet step");
  INTEROP_ASSIGN(Envelope w3, send(h, alice, bob, kTamperPlaintext));
  SOTTO_TRY(h.expect_type(w3, "whisper"));
  SOTTO_TRY(tamper_message(h, bob, alice, w3, false));

  h.step("conversation continues after tampering");
  SOTTO_TRY(chat(h, alice, bob, 3));
  return ok();
}

}  // namespace sotto::interop
