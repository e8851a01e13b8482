// SPDX-License-Identifier: Apache-2.0
// Internal: AES ciphers fetched once per process and one reusable, pre-bound
// EVP_CIPHER_CTX per (mode, key size) per thread. Re-keying a bound context
// (EVP_CipherInit_ex2 with a null cipher) costs no allocation, which halves the
// cost of a ~100-byte Signal message (docs/crypto-choices.md).
//
// The context keeps the last key schedule until the next call on that thread
// re-keys it, or until the thread exits (EVP_CIPHER_CTX_free cleanses it).
#pragma once

#include <openssl/evp.h>

#include <cstddef>
#include <cstdint>

namespace sotto::crypto::detail {

enum class AesMode { ecb, cbc, gcm };

struct CipherSlot {
  EVP_CIPHER_CTX* ctx = nullptr;  // bound to its cipher, padding disabled
  int iv_len = 0;                 // the IV length the context is set to (GCM)
};

// The calling thread's context for AES-<8*key_len>-<mode>; nullptr when
// key_len is not 16, 24 or 32.
CipherSlot* cipher_slot(AesMode mode, std::size_t key_len);

// EVP_CipherUpdate over any length (OpenSSL takes int lengths, so large
// buffers go in 1 GiB pieces). out may equal in. Returns false on failure.
bool cipher_update(EVP_CIPHER_CTX* ctx, std::uint8_t* out, const std::uint8_t* in, std::size_t len);

}  // namespace sotto::crypto::detail
