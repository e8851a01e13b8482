// SPDX-License-Identifier: Apache-2.0
// Internal: libsodium must be initialised once before its RNG or any
// implementation-selecting primitive (X25519, SHA-512) is used.
#pragma once

namespace sotto::crypto::detail {

// Calls sodium_init() exactly once per process (thread-safe); aborts if
// libsodium cannot initialise, since no crypto can then be trusted.
void ensure_sodium();

}  // namespace sotto::crypto::detail
