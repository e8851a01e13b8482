// SPDX-License-Identifier: Apache-2.0
// Internal, tests only (target sotto_crypto_reference): libsodium's Ed25519
// operations as the reference our own verifier is compared against, without
// the tests including libsodium headers themselves.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>

#include "sotto/core/bytes.hpp"

namespace sotto::crypto::detail::reference {

using Bytes32 = std::array<std::uint8_t, 32>;
using Bytes64 = std::array<std::uint8_t, 64>;

// crypto_sign_verify_detached.
[[nodiscard]] bool ed25519_verify(std::span<const std::uint8_t, 32> public_key, ByteView message,
                                  std::span<const std::uint8_t, 64> signature);

// crypto_sign_seed_keypair: the public key and the 64-byte secret key.
void ed25519_keypair(std::span<const std::uint8_t, 32> seed, Bytes32& public_key,
                     Bytes64& secret_key);

// crypto_sign_detached.
Bytes64 ed25519_sign(std::span<const std::uint8_t, 64> secret_key, ByteView message);

// k B for a scalar k (crypto_scalarmult_ed25519_base_noclamp); nothing for
// k = 0 mod L.
std::optional<Bytes32> scalarmult_base(std::span<const std::uint8_t, 32> k);

// Scalar arithmetic mod L (crypto_core_ed25519_scalar_*).
Bytes32 scalar_reduce(std::span<const std::uint8_t, 64> wide);
Bytes32 scalar_mul_add(std::span<const std::uint8_t, 32> a, std::span<const std::uint8_t, 32> b,
                       std::span<const std::uint8_t, 32> c);  // a b + c

// SHA-512 of the concatenation R || A || M (crypto_hash_sha512).
Bytes64 sha512_ram(std::span<const std::uint8_t, 32> r, std::span<const std::uint8_t, 32> a,
                   ByteView message);

}  // namespace sotto::crypto::detail::reference
