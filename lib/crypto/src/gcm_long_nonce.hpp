// SPDX-License-Identifier: Apache-2.0
// Internal: OpenSSL 3.0 refuses GCM nonces longer than 128 bytes, but GCM
// (NIST SP 800-38D §7.1) defines any length. For those we compute a 16-byte
// nonce that yields the same pre-counter block J0, so OpenSSL then produces
// exactly the ciphertext and tag of the long nonce.
#pragma once

#include <array>
#include <cstdint>

#include "sotto/core/bytes.hpp"

namespace sotto::crypto::detail {

// The largest nonce OpenSSL 3.0's GCM accepts directly.
inline constexpr std::size_t kGcmMaxDirectNonce = 128;

// For key (16/24/32 bytes, checked by the caller) and any nonce whose length is
// not 12: a 16-byte nonce N' with GHASH_H(N' || len) = GHASH_H(nonce || len),
// i.e. N' = (J0 + L'·H) · H^-2 in GF(2^128), where L' is the length block of a
// 128-bit nonce. Constant-time in the key (H is secret).
std::array<std::uint8_t, 16> gcm_equivalent_nonce(ByteView key, ByteView nonce);

}  // namespace sotto::crypto::detail
