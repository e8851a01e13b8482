// SPDX-License-Identifier: Apache-2.0
// XEdDSA in libsignal's variant (spec/signal-wire.md §2, §11): the private key
// is used as is (no negation to force a positive A), and the sign bit of A
// travels in the top bit of sig[63].
#include "sotto/crypto/xeddsa.hpp"

#include <sodium.h>

#include <array>
#include <cstdlib>
#include <cstring>
#include <span>

#include "ed25519_verify.hpp"
#include "field25519.hpp"
#include "sodium_init.hpp"

namespace sotto::crypto {

namespace {

constexpr std::size_t kScalar = crypto_core_ed25519_SCALARBYTES;          // 32
constexpr std::size_t kWide = crypto_core_ed25519_NONREDUCEDSCALARBYTES;  // 64

// r = SHA512(0xFE || 0xFF*31 || k || M || Z) mod q. The 32-byte prefix keeps
// this hash domain-separated from every Ed25519 hash of a 32-byte point.
void derive_nonce(std::span<const std::uint8_t, 32> k, ByteView message, ByteView z,
                  std::uint8_t* r) {
  std::uint8_t prefix[32];
  prefix[0] = 0xFE;
  std::memset(prefix + 1, 0xFF, 31);
  crypto_hash_sha512_state st;
  crypto_hash_sha512_init(&st);
  crypto_hash_sha512_update(&st, prefix, sizeof prefix);
  crypto_hash_sha512_update(&st, k.data(), k.size());
  crypto_hash_sha512_update(&st, message.data(), message.size());
  crypto_hash_sha512_update(&st, z.data(), z.size());
  std::uint8_t wide[kWide];
  crypto_hash_sha512_final(&st, wide);
  crypto_core_ed25519_scalar_reduce(r, wide);
  sodium_memzero(wide, sizeof wide);
  sodium_memzero(&st, sizeof st);
}

// The Edwards public key A = a·B of the last private key this thread signed
// with. A sender-key chain signs every group message with the same key, and A
// costs one of the two base-point multiplications of a signature, so this
// nearly halves a repeated signature. The entry identifies the key by a keyed
// BLAKE2b hash, never the key itself; A is public. One entry per thread: no
// locking, and no growth.
struct SigningKeyCache {
  std::uint8_t key_id[32] = {};
  std::uint8_t a_enc[32] = {};
  bool valid = false;
};
thread_local SigningKeyCache t_signing_key;

void signing_key_id(std::span<const std::uint8_t, 32> k, std::uint8_t* id) {
  // Domain separation: this hash is no input to anything but the cache.
  static constexpr char kCacheKey[] = "sotto xeddsa A cache v1";
  crypto_generichash(id, 32, k.data(), k.size(), reinterpret_cast<const std::uint8_t*>(kCacheKey),
                     sizeof kCacheKey - 1);
}

// A verifier sees the same sender key for every message of a group chain; the
// u → y map costs a field inversion. Public data only.
struct EdwardsYCache {
  X25519Public u{};
  std::array<std::uint8_t, 32> y{};
  bool valid = false;
};
thread_local EdwardsYCache t_edwards_y;

// h = SHA512(R || A || M) mod q, the Ed25519 challenge.
void challenge(const std::uint8_t* r_enc, const std::uint8_t* a_enc, ByteView message,
               std::uint8_t* h) {
  crypto_hash_sha512_state st;
  crypto_hash_sha512_init(&st);
  crypto_hash_sha512_update(&st, r_enc, 32);
  crypto_hash_sha512_update(&st, a_enc, 32);
  crypto_hash_sha512_update(&st, message.data(), message.size());
  std::uint8_t wide[kWide];
  crypto_hash_sha512_final(&st, wide);
  crypto_core_ed25519_scalar_reduce(h, wide);
}

}  // namespace

XEdDSASignature xeddsa_sign(const X25519Private& private_key, ByteView message, Rng& rng) {
  detail::ensure_sodium();
  // Keys are stored clamped, so this copy is normally unchanged; clamping it
  // anyway keeps A consistent with the X25519 public key (which libsodium
  // derives from the clamped scalar) for a caller holding a raw key.
  X25519Private clamped = private_key.clone();
  x25519_clamp(clamped.mutable_bytes());
  const auto k = clamped.expose();

  // a = k mod q (k is the clamped X25519 scalar, little-endian).
  std::uint8_t wide[kWide] = {};
  std::memcpy(wide, k.data(), k.size());
  std::uint8_t a[kScalar];
  crypto_core_ed25519_scalar_reduce(a, wide);
  sodium_memzero(wide, sizeof wide);

  // A = a·B; its encoding's top bit is the sign of x, carried in the signature.
  std::uint8_t key_id[32];
  signing_key_id(k, key_id);
  std::uint8_t a_enc[32];
  if (t_signing_key.valid && sodium_memcmp(t_signing_key.key_id, key_id, sizeof key_id) == 0) {
    std::memcpy(a_enc, t_signing_key.a_enc, sizeof a_enc);
  } else {
    if (crypto_scalarmult_ed25519_base_noclamp(a_enc, a) != 0) std::abort();  // a = 0: impossible
    std::memcpy(t_signing_key.key_id, key_id, sizeof key_id);
    std::memcpy(t_signing_key.a_enc, a_enc, sizeof a_enc);
    t_signing_key.valid = true;
  }
  const std::uint8_t sign = a_enc[31] & 0x80;

  SecretKey<64> z;
  rng.fill(z.mutable_bytes());
  std::uint8_t r[kScalar];
  derive_nonce(k, message, z.expose(), r);

  XEdDSASignature sig{};
  if (crypto_scalarmult_ed25519_base_noclamp(sig.data(), r) != 0) std::abort();  // r = 0: 2^-252

  std::uint8_t h[kScalar];
  challenge(sig.data(), a_enc, message, h);
  std::uint8_t s[kScalar];
  crypto_core_ed25519_scalar_mul(s, h, a);
  crypto_core_ed25519_scalar_add(s, s, r);
  std::memcpy(sig.data() + 32, s, kScalar);
  // s < q < 2^253, so bit 7 of sig[63] is free for the sign of A.
  sig[63] = static_cast<std::uint8_t>((sig[63] & 0x7F) | sign);

  sodium_memzero(a, sizeof a);
  sodium_memzero(r, sizeof r);
  return sig;
}

bool xeddsa_verify(const X25519Public& public_key, ByteView message, ByteView signature) {
  if (signature.size() != 64) return false;
  detail::ensure_sodium();

  // Rejects u >= p and u = -1 (no Edwards point); stricter than libsignal,
  // which reduces u, but no honest key is non-canonical.
  if (!t_edwards_y.valid || t_edwards_y.u != public_key) {
    auto y = detail::montgomery_u_to_edwards_y(public_key);
    if (!y) return false;
    t_edwards_y = {public_key, *y, true};
  }
  std::uint8_t a_enc[32];
  std::memcpy(a_enc, t_edwards_y.y.data(), 32);
  a_enc[31] |= signature[63] & 0x80;

  std::uint8_t sig[64];
  std::memcpy(sig, signature.data(), 64);
  sig[63] &= 0x7F;
  // s must be below 2^253 (the spec's check); the Ed25519 check then also
  // demands s < q and rejects small-order A and R, which honest signers never
  // produce, exactly as libsodium's crypto_sign_verify_detached does (our own
  // verifier is faster: it caches A's table across a sender-key chain).
  if ((sig[63] & 0xE0) != 0) return false;

  return detail::ed25519_verify(a_enc, message, sig);
}

}  // namespace sotto::crypto
