// SPDX-License-Identifier: Apache-2.0
// X25519 (RFC 7748). Keys here are raw 32-byte values; the 0x05-prefixed
// Signal serialization lives in the protocol layer.
#pragma once

#include <array>
#include <cstdint>

#include "sotto/core/result.hpp"
#include "sotto/crypto/rng.hpp"
#include "sotto/crypto/secret.hpp"

namespace sotto::crypto {

using X25519Public = std::array<std::uint8_t, 32>;
using X25519Private = SecretKey<32>;

struct X25519KeyPair {
  X25519Private private_key;  // stored clamped
  X25519Public public_key;
};

// Clamps a private scalar as RFC 7748 §5 does (libsignal stores keys clamped).
void x25519_clamp(std::span<std::uint8_t, 32> scalar) noexcept;

X25519KeyPair x25519_generate(Rng& rng);
X25519Public x25519_public_from_private(const X25519Private& private_key);

// DH(private, public). Fails with Errc::zero_shared_secret when the result is
// all zeros (a small-order or otherwise contributory-breaking public key).
Result<SecretKey<32>> x25519(const X25519Private& private_key, const X25519Public& public_key);

}  // namespace sotto::crypto
