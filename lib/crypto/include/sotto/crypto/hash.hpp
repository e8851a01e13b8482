// SPDX-License-Identifier: Apache-2.0
// SHA-512, HMAC-SHA256 and HKDF-SHA256 (RFC 5869).
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <span>

#include "sotto/core/bytes.hpp"
#include "sotto/crypto/secret.hpp"

namespace sotto::crypto {

using Sha512Digest = std::array<std::uint8_t, 64>;
using HmacSha256Tag = std::array<std::uint8_t, 32>;

Sha512Digest sha512(ByteView data);

// SHA-512 of two independent messages at once: out_a = SHA-512(a),
// out_b = SHA-512(b). With AVX-512VL both run side by side in vector lanes,
// about 1.5x faster than two sha512() calls; otherwise it is exactly those
// two calls. For iterated hashes such as the two chains of a safety number.
// The outputs must not overlap the inputs.
void sha512_x2(ByteView a, ByteView b, Sha512Digest& out_a, Sha512Digest& out_b);

// Incremental SHA-512 (fingerprints hash iteratively over several parts).
class Sha512 {
 public:
  Sha512();
  ~Sha512();
  Sha512(const Sha512&) = delete;
  Sha512& operator=(const Sha512&) = delete;
  void update(ByteView data);
  Sha512Digest finish();  // the object may not be reused afterwards

 private:
  struct State;
  std::unique_ptr<State> state_;
};

HmacSha256Tag hmac_sha256(ByteView key, ByteView data);

// Incremental HMAC-SHA256; the key schedule is wiped on destruction.
class HmacSha256 {
 public:
  explicit HmacSha256(ByteView key);
  ~HmacSha256();
  HmacSha256(const HmacSha256&) = delete;
  HmacSha256& operator=(const HmacSha256&) = delete;
  void update(ByteView data);
  HmacSha256Tag finish();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// HKDF-SHA256 into `out` (1..255*32 bytes). An empty salt means 32 zero bytes.
void hkdf_sha256(ByteView salt, ByteView ikm, ByteView info, std::span<std::uint8_t> out);

// HKDF-SHA256 returning the output in a wiping buffer.
SecretBytes hkdf_sha256(ByteView salt, ByteView ikm, ByteView info, std::size_t length);

}  // namespace sotto::crypto
