// SPDX-License-Identifier: Apache-2.0
#include "ed25519_verify.hpp"

#include <sodium.h>

#include <algorithm>
#include <array>

#include "ed25519_key_cache.hpp"
#include "ed25519_scalar.hpp"
#include "ed25519_scalarmult.hpp"
#include "evp_digest.hpp"
#include "field25519.hpp"

namespace sotto::crypto::detail {

namespace {

using Enc = std::array<std::uint8_t, 32>;

Enc enc_from_hex(const char (&hex)[65]) {
  Enc out{};
  const auto nibble = [](char c) { return c <= '9' ? c - '0' : c - 'a' + 10; };
  for (std::size_t i = 0; i < 32; ++i) {
    out[i] = static_cast<std::uint8_t>(nibble(hex[2 * i]) << 4 | nibble(hex[2 * i + 1]));
  }
  return out;
}

// The y encodings (little-endian) of every point of order 1, 2, 4 and 8, plus
// the two non-canonical encodings p and p + 1 of y = 0 and y = 1. The
// order-8 values are the roots y of d y^4 + 2 y^2 - 1 = 0 whose x^2 = -y^2 is
// a square (2P then has y = 0).
bool small_order_encoding(std::span<const std::uint8_t, 32> s) {
  static const std::array<Enc, 7> kList = {
      enc_from_hex("0000000000000000000000000000000000000000000000000000000000000000"),
      enc_from_hex("0100000000000000000000000000000000000000000000000000000000000000"),
      enc_from_hex("26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05"),
      enc_from_hex("c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a"),
      enc_from_hex("ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"),
      enc_from_hex("edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"),
      enc_from_hex("eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f")};
  Enc y{};
  std::copy(s.begin(), s.end(), y.begin());
  y[31] &= 0x7f;
  return std::find(kList.begin(), kList.end(), y) != kList.end();
}

bool y_canonical(std::span<const std::uint8_t, 32> s) {
  Enc y{};
  std::copy(s.begin(), s.end(), y.begin());
  y[31] &= 0x7f;
  return fe_bytes_canonical(y);
}

// h = SHA-512(R || A || M) mod L.
std::array<std::uint8_t, 32> challenge(std::span<const std::uint8_t, 32> r,
                                       std::span<const std::uint8_t, 32> a, ByteView message) {
  EVP_MD_CTX* ctx = begin_digest(md_sha512());
  check(EVP_DigestUpdate(ctx, r.data(), r.size()));
  check(EVP_DigestUpdate(ctx, a.data(), a.size()));
  check(EVP_DigestUpdate(ctx, message.data(), message.size()));
  std::uint8_t wide[64];
  check(EVP_DigestFinal_ex(ctx, wide, nullptr));
  std::array<std::uint8_t, 32> h{};
  crypto_core_ed25519_scalar_reduce(h.data(), wide);
  return h;
}

}  // namespace

bool ed25519_verify(std::span<const std::uint8_t, 32> public_key, ByteView message,
                    std::span<const std::uint8_t, 64> signature) {
  const auto r = signature.first<32>();
  const auto s = signature.last<32>();
  if (!sc_is_canonical(s) || small_order_encoding(r)) return false;
  if (!y_canonical(public_key) || small_order_encoding(public_key)) return false;
  const GeCachedKey a = ge_cached_key(public_key);
  if (a.point == nullptr) return false;

  const auto h = challenge(r, public_key, message);
  const Enc check_r = ge_encode(a.table != nullptr ? ge_double_scalarmult_vartime(s, h, *a.table)
                                                   : ge_double_scalarmult_vartime(s, h, *a.point));
  return std::equal(check_r.begin(), check_r.end(), r.begin());
}

}  // namespace sotto::crypto::detail
