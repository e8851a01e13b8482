// SPDX-License-Identifier: Apache-2.0
// Internal: Ed25519 signature verification (RFC 8032 without cofactor),
// accepting and rejecting exactly what libsodium 1.0.18's
// crypto_sign_verify_detached does:
//   - s must be below L;
//   - R and A must not encode a small-order point: their y (bit 255 ignored)
//     must not be 0, 1, p - 1, p, p + 1 or the y of a point of order 8;
//   - A's y must be canonical (below p; bit 255 ignored) and on the curve;
//   - encode(s B - h A) must equal R byte for byte, with
//     h = SHA-512(R || A || M) mod L. So a non-canonical R never verifies.
// Variable time: keys, messages and signatures are public.
#pragma once

#include <cstdint>
#include <span>

#include "sotto/core/bytes.hpp"

namespace sotto::crypto::detail {

[[nodiscard]] bool ed25519_verify(std::span<const std::uint8_t, 32> public_key, ByteView message,
                                  std::span<const std::uint8_t, 64> signature);

}  // namespace sotto::crypto::detail
