// SPDX-License-Identifier: Apache-2.0
// Internal: OpenSSL digests fetched once per process and one reusable digest
// context per thread, so a hash of a 100-byte message costs no allocation.
#pragma once

#include <openssl/evp.h>

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <span>

namespace sotto::crypto::detail {

inline constexpr std::size_t kHmacBlock = 64;  // SHA-256 block size
inline constexpr std::uint8_t kHmacIpad = 0x36;
inline constexpr std::uint8_t kHmacOpad = 0x5c;

const EVP_MD* md_sha256();
const EVP_MD* md_sha512();

// The calling thread's context for one-shot hashing with `md`, already
// initialised (EVP_DigestInit_ex2). Callers must not nest uses of the same md.
EVP_MD_CTX* begin_digest(const EVP_MD* md);

// Digest calls only fail on allocation failure or a broken OpenSSL; there is
// no sensible recovery inside a hash, so they abort.
void check(int openssl_rc);

// SHA-256 over the concatenation of `parts` into out[0..32).
void sha256_parts(std::initializer_list<std::span<const std::uint8_t>> parts, std::uint8_t* out);

// HMAC-SHA256(key, concatenation of `parts`) into out[0..32), on the
// per-thread context (RFC 2104 built on the digest, which with SHA-NI is ~3x
// faster than libsodium's portable HMAC; see docs/crypto-choices.md).
void hmac_sha256_parts(std::span<const std::uint8_t> key,
                       std::initializer_list<std::span<const std::uint8_t>> parts,
                       std::uint8_t* out);

// The 64-byte HMAC key block (key, or SHA-256(key) when longer than 64 bytes,
// zero-padded) XORed with `pad`.
void hmac_key_block(std::span<const std::uint8_t> key, std::uint8_t pad, std::uint8_t* block);

}  // namespace sotto::crypto::detail
