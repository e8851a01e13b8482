// SPDX-License-Identifier: Apache-2.0
// Plain Ed25519 (RFC 8032) signatures, used for device authentication with
// sottod (docs/server-design.md "Authentication"). Protocol identity keys use
// XEdDSA instead (xeddsa.hpp).
#pragma once

#include <array>
#include <cstdint>

#include "sotto/core/bytes.hpp"
#include "sotto/crypto/rng.hpp"
#include "sotto/crypto/secret.hpp"

namespace sotto::crypto {

using Ed25519Public = std::array<std::uint8_t, 32>;
using Ed25519Signature = std::array<std::uint8_t, 64>;
// The 32-byte seed; the expanded signing key is derived from it on use.
using Ed25519Seed = SecretKey<32>;

struct Ed25519KeyPair {
  Ed25519Seed seed;
  Ed25519Public public_key;
};

// A new key pair from 32 bytes of `rng`.
Ed25519KeyPair ed25519_generate(Rng& rng);
// The public key of `seed`.
Ed25519Public ed25519_public_from_seed(const Ed25519Seed& seed);

// Deterministic signature (RFC 8032) by the key with `seed` over `message`.
Ed25519Signature ed25519_sign(const Ed25519Seed& seed, ByteView message);

// True only for a valid signature by `public_key` over `message`; false for any
// signature whose length is not 64 or any public key whose length is not 32.
[[nodiscard]] bool ed25519_verify(ByteView public_key, ByteView message, ByteView signature);

}  // namespace sotto::crypto
