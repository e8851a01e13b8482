// SPDX-License-Identifier: Apache-2.0
// Ed25519 over libsodium's crypto_sign_* (detached signatures).
#include "sotto/crypto/ed25519.hpp"

#include <sodium.h>

#include <cstdlib>

#include "sodium_init.hpp"

namespace sotto::crypto {

namespace {

// libsodium's expanded secret key is seed || public key; it is a secret and
// lives in a SecretKey so it is wiped after each use.
using ExpandedKey = SecretKey<crypto_sign_SECRETKEYBYTES>;

void expand(const Ed25519Seed& seed, Ed25519Public& public_key, ExpandedKey& expanded) {
  detail::ensure_sodium();
  if (crypto_sign_seed_keypair(public_key.data(), expanded.mutable_bytes().data(),
                               seed.expose().data()) != 0) {
    std::abort();  // cannot fail for any seed
  }
}

}  // namespace

Ed25519KeyPair ed25519_generate(Rng& rng) {
  Ed25519KeyPair pair;
  rng.fill(pair.seed.mutable_bytes());
  pair.public_key = ed25519_public_from_seed(pair.seed);
  return pair;
}

Ed25519Public ed25519_public_from_seed(const Ed25519Seed& seed) {
  Ed25519Public public_key{};
  ExpandedKey expanded;
  expand(seed, public_key, expanded);
  return public_key;
}

Ed25519Signature ed25519_sign(const Ed25519Seed& seed, ByteView message) {
  Ed25519Public public_key{};
  ExpandedKey expanded;
  expand(seed, public_key, expanded);
  Ed25519Signature signature{};
  if (crypto_sign_detached(signature.data(), nullptr, message.data(), message.size(),
                           expanded.expose().data()) != 0) {
    std::abort();
  }
  return signature;
}

bool ed25519_verify(ByteView public_key, ByteView message, ByteView signature) {
  if (public_key.size() != crypto_sign_PUBLICKEYBYTES || signature.size() != crypto_sign_BYTES) {
    return false;
  }
  detail::ensure_sodium();
  return crypto_sign_verify_detached(signature.data(), message.data(), message.size(),
                                     public_key.data()) == 0;
}

}  // namespace sotto::crypto
