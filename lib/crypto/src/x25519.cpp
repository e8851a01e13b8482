// SPDX-License-Identifier: Apache-2.0
// X25519 over libsodium's crypto_scalarmult: measured faster than OpenSSL's EVP
// path for single operations (docs/crypto-choices.md).
#include "sotto/crypto/x25519.hpp"

#include <sodium.h>

#include <cstdlib>

#include "sodium_init.hpp"
#include "sotto/crypto/ct.hpp"

namespace sotto::crypto {

void x25519_clamp(std::span<std::uint8_t, 32> scalar) noexcept {
  scalar[0] &= 248;
  scalar[31] &= 127;
  scalar[31] |= 64;
}

X25519Public x25519_public_from_private(const X25519Private& private_key) {
  detail::ensure_sodium();
  X25519Public pub{};
  // Cannot fail for a clamped scalar (the result is never the identity); an
  // unclamped all-zero key would, and is a caller bug.
  if (crypto_scalarmult_base(pub.data(), private_key.expose().data()) != 0) std::abort();
  return pub;
}

X25519KeyPair x25519_generate(Rng& rng) {
  X25519KeyPair kp;
  rng.fill(kp.private_key.mutable_bytes());
  x25519_clamp(kp.private_key.mutable_bytes());
  kp.public_key = x25519_public_from_private(kp.private_key);
  return kp;
}

Result<SecretKey<32>> x25519(const X25519Private& private_key, const X25519Public& public_key) {
  detail::ensure_sodium();
  SecretKey<32> shared;
  // libsodium already returns -1 for an all-zero output; the explicit
  // constant-time check keeps the guarantee independent of its version.
  const int rc = crypto_scalarmult(shared.mutable_bytes().data(), private_key.expose().data(),
                                   public_key.data());
  if (rc != 0 || ct_is_zero(shared.expose())) {
    return fail(Errc::zero_shared_secret, "X25519 produced the all-zero shared secret");
  }
  return shared;
}

}  // namespace sotto::crypto
