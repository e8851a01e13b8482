// SPDX-License-Identifier: Apache-2.0
#include "ed25519_reference.hpp"

#include <sodium.h>

#include <cstdlib>

#include "sodium_init.hpp"

namespace sotto::crypto::detail::reference {

bool ed25519_verify(std::span<const std::uint8_t, 32> public_key, ByteView message,
                    std::span<const std::uint8_t, 64> signature) {
  ensure_sodium();
  return crypto_sign_verify_detached(signature.data(), message.data(), message.size(),
                                     public_key.data()) == 0;
}

void ed25519_keypair(std::span<const std::uint8_t, 32> seed, Bytes32& public_key,
                     Bytes64& secret_key) {
  ensure_sodium();
  if (crypto_sign_seed_keypair(public_key.data(), secret_key.data(), seed.data()) != 0) {
    std::abort();
  }
}

Bytes64 ed25519_sign(std::span<const std::uint8_t, 64> secret_key, ByteView message) {
  ensure_sodium();
  Bytes64 sig{};
  if (crypto_sign_detached(sig.data(), nullptr, message.data(), message.size(),
                           secret_key.data()) != 0) {
    std::abort();
  }
  return sig;
}

std::optional<Bytes32> scalarmult_base(std::span<const std::uint8_t, 32> k) {
  ensure_sodium();
  Bytes32 out{};
  if (crypto_scalarmult_ed25519_base_noclamp(out.data(), k.data()) != 0) return std::nullopt;
  return out;
}

Bytes32 scalar_reduce(std::span<const std::uint8_t, 64> wide) {
  Bytes32 out{};
  crypto_core_ed25519_scalar_reduce(out.data(), wide.data());
  return out;
}

Bytes32 scalar_mul_add(std::span<const std::uint8_t, 32> a, std::span<const std::uint8_t, 32> b,
                       std::span<const std::uint8_t, 32> c) {
  Bytes32 ab{}, out{};
  crypto_core_ed25519_scalar_mul(ab.data(), a.data(), b.data());
  crypto_core_ed25519_scalar_add(out.data(), ab.data(), c.data());
  return out;
}

Bytes64 sha512_ram(std::span<const std::uint8_t, 32> r, std::span<const std::uint8_t, 32> a,
                   ByteView message) {
  crypto_hash_sha512_state st;
  crypto_hash_sha512_init(&st);
  crypto_hash_sha512_update(&st, r.data(), r.size());
  crypto_hash_sha512_update(&st, a.data(), a.size());
  crypto_hash_sha512_update(&st, message.data(), message.size());
  Bytes64 out{};
  crypto_hash_sha512_final(&st, out.data());
  return out;
}

}  // namespace sotto::crypto::detail::reference
