// SPDX-License-Identifier: Apache-2.0
// The one source of randomness. Protocol code never calls the OS directly: it
// takes an Rng& so tests can make every key and nonce deterministic.
#pragma once

#include <array>
#include <cstdint>
#include <span>

#include "sotto/crypto/secret.hpp"

namespace sotto::crypto {

class Rng {
 public:
  virtual ~Rng() = default;
  // Fills `out` with random bytes. Never fails (an OS RNG failure aborts).
  virtual void fill(std::span<std::uint8_t> out) = 0;

  std::uint32_t next_u32();
};

// The OS CSPRNG (libsodium randombytes_buf). Thread-safe.
class OsRng final : public Rng {
 public:
  void fill(std::span<std::uint8_t> out) override;
};

// A seeded stream (ChaCha20 keyed by the seed, counter-addressed), for tests and
// reproducible driver runs only. Not thread-safe. The same seed always yields
// the same byte stream regardless of how reads are split into fill() calls.
class DeterministicRng final : public Rng {
 public:
  explicit DeterministicRng(std::span<const std::uint8_t, 32> seed);
  void fill(std::span<std::uint8_t> out) override;

 private:
  SecretKey<32> key_;
  std::uint64_t position_ = 0;  // bytes produced so far
};

// Process-wide OS RNG instance.
Rng& os_rng();

}  // namespace sotto::crypto
