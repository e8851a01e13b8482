// SPDX-License-Identifier: Apache-2.0
// A leaner crypto provider for libsignal-protocol-c, so the protocol benchmark
// can show how much of the C library's time is its host's provider rather than
// the library itself.
//
// The interop peer's provider (tests/interop/peer_c/signal_c_provider.*) is
// written for clarity: every HMAC, SHA-512 digest and AES call looks its
// algorithm up by name in OpenSSL 3 (EVP_MAC_fetch, the implicit fetch behind
// EVP_sha512() / EVP_aes_256_cbc()). This one takes that provider's table and
// replaces the calls that fetch with versions that fetch once per process;
// randomness, updates, finals and cleanups stay the peer's.
// Bench-only code: linked with the GPL library, never shipped.
#pragma once

#include <signal_protocol.h>

#include "signal_c_provider.hpp"

namespace sotto::bench {

signal_crypto_provider make_lean_provider(peer_c::RandomSource* random);

}  // namespace sotto::bench
