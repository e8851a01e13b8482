// SPDX-License-Identifier: Apache-2.0
#include "gcm_long_nonce.hpp"

#include <algorithm>
#include <cstdlib>
#include <cstring>

#include "evp_cipher.hpp"
#include "sotto/crypto/secret.hpp"

namespace sotto::crypto::detail {

namespace {

// A GF(2^128) element in GCM's bit order: bit 0 (the x^0 coefficient) is the
// most significant bit of byte 0; hi holds bytes 0..7 big-endian.
struct Gf {
  std::uint64_t hi = 0;
  std::uint64_t lo = 0;
};

Gf load(const std::uint8_t* b) {
  Gf r;
  for (int i = 0; i < 8; ++i) r.hi = (r.hi << 8) | b[i];
  for (int i = 8; i < 16; ++i) r.lo = (r.lo << 8) | b[i];
  return r;
}

void store(const Gf& a, std::uint8_t* b) {
  for (int i = 0; i < 8; ++i) b[i] = static_cast<std::uint8_t>(a.hi >> (56 - 8 * i));
  for (int i = 0; i < 8; ++i) b[8 + i] = static_cast<std::uint8_t>(a.lo >> (56 - 8 * i));
}

Gf gf_xor(const Gf& a, const Gf& b) { return {a.hi ^ b.hi, a.lo ^ b.lo}; }

// SP 800-38D Algorithm 1, with masks instead of branches.
Gf gf_mul(const Gf& x, const Gf& y) {
  Gf z;
  Gf v = y;
  for (int i = 0; i < 128; ++i) {
    const std::uint64_t bit = i < 64 ? (x.hi >> (63 - i)) & 1 : (x.lo >> (127 - i)) & 1;
    const std::uint64_t take = 0 - bit;
    z.hi ^= v.hi & take;
    z.lo ^= v.lo & take;
    const std::uint64_t carry = 0 - (v.lo & 1);
    v.lo = (v.lo >> 1) | (v.hi << 63);
    v.hi = (v.hi >> 1) ^ (0xE100000000000000ULL & carry);
  }
  return z;
}

// a^(2^128 - 2) = a^-1 (and 0 for 0): 127 squarings, 126 multiplications.
Gf gf_invert(const Gf& a) {
  Gf r = a;
  for (int i = 0; i < 126; ++i) r = gf_mul(gf_mul(r, r), a);  // a^(2^(i+2) - 1)
  return gf_mul(r, r);
}

}  // namespace

std::array<std::uint8_t, 16> gcm_equivalent_nonce(ByteView key, ByteView nonce) {
  // H = AES_K(0^128).
  CipherSlot* ecb = cipher_slot(AesMode::ecb, key.size());
  if (ecb == nullptr) std::abort();  // the caller validated the key length
  std::uint8_t h_bytes[16] = {};
  if (EVP_CipherInit_ex2(ecb->ctx, nullptr, key.data(), nullptr, 1, nullptr) != 1 ||
      !cipher_update(ecb->ctx, h_bytes, h_bytes, sizeof h_bytes)) {
    std::abort();
  }
  const Gf h = load(h_bytes);
  secure_wipe(h_bytes, sizeof h_bytes);

  // J0 = GHASH_H(nonce || 0-pad || 0^64 || [bitlen(nonce)]_64).
  Gf y;
  for (std::size_t off = 0; off < nonce.size(); off += 16) {
    std::uint8_t block[16] = {};
    std::memcpy(block, nonce.data() + off, std::min<std::size_t>(16, nonce.size() - off));
    y = gf_mul(gf_xor(y, load(block)), h);
  }
  y = gf_mul(gf_xor(y, Gf{0, static_cast<std::uint64_t>(nonce.size()) * 8}), h);

  // A 16-byte nonce N' gives J0' = (N'·H + L')·H = N'·H^2 + L'·H with L' = 128
  // bits; solve J0' = J0. (If H = 0 every nonce gives J0 = 0 and N' = 0 works.)
  const Gf l_h = gf_mul(Gf{0, 128}, h);
  const Gf h_inv = gf_invert(h);
  const Gf n = gf_mul(gf_xor(y, l_h), gf_mul(h_inv, h_inv));

  std::array<std::uint8_t, 16> out{};
  store(n, out.data());
  return out;
}

}  // namespace sotto::crypto::detail
