// SPDX-License-Identifier: Apache-2.0
// XEdDSA signatures with X25519 keys, in the exact form libsignal and
// libsignal-protocol-c produce (spec/signal-wire.md §2): the key is not negated,
// the Edwards sign bit of the public key travels in the top bit of sig[63].
#pragma once

#include <array>
#include <cstdint>
#include <span>

#include "sotto/core/bytes.hpp"
#include "sotto/crypto/rng.hpp"
#include "sotto/crypto/x25519.hpp"

namespace sotto::crypto {

using XEdDSASignature = std::array<std::uint8_t, 64>;

// Signs `message` with the (clamped) X25519 private key; 64 random bytes are
// drawn from `rng` for the nonce.
XEdDSASignature xeddsa_sign(const X25519Private& private_key, ByteView message, Rng& rng);

// True only for a valid signature by `public_key` over `message`. Rejects
// s >= 2^253 and any signature whose length is not 64.
[[nodiscard]] bool xeddsa_verify(const X25519Public& public_key, ByteView message, ByteView signature);

}  // namespace sotto::crypto
