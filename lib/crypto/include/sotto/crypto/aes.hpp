// SPDX-License-Identifier: Apache-2.0
// AES-CBC with PKCS#7 padding and AES-GCM, over OpenSSL 3 EVP.
// Keys are 16, 24 or 32 bytes (Signal uses 32); other lengths are Errc::invalid_key.
#pragma once

#include "sotto/core/bytes.hpp"
#include "sotto/core/result.hpp"

namespace sotto::crypto {

// iv must be 16 bytes.
Result<Bytes> aes_cbc_encrypt(ByteView key, ByteView iv, ByteView plaintext);
// Fails with Errc::bad_padding on wrong PKCS#7 padding and Errc::invalid_message
// when the ciphertext is empty or not a multiple of 16 bytes.
Result<Bytes> aes_cbc_decrypt(ByteView key, ByteView iv, ByteView ciphertext);

// Returns ciphertext || 16-byte tag. Any non-empty nonce length is accepted
// (12 is the one to use).
Result<Bytes> aes_gcm_seal(ByteView key, ByteView nonce, ByteView aad, ByteView plaintext);
// Takes ciphertext || tag; fails with Errc::invalid_mac when authentication fails.
Result<Bytes> aes_gcm_open(ByteView key, ByteView nonce, ByteView aad, ByteView sealed);

}  // namespace sotto::crypto
