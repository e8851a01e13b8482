// SPDX-License-Identifier: Apache-2.0
#include "evp_digest.hpp"

#include <cstdlib>
#include <cstring>

#include "sotto/crypto/secret.hpp"

namespace sotto::crypto::detail {

namespace {

const EVP_MD* fetch(const char* name) {
  // Explicit fetching once avoids the per-call name lookup that the implicit
  // EVP_sha256() path pays in OpenSSL 3.
  EVP_MD* md = EVP_MD_fetch(nullptr, name, nullptr);
  if (md == nullptr) std::abort();
  return md;  // kept for the life of the process
}

struct ThreadDigests {
  EVP_MD_CTX* sha256 = nullptr;
  EVP_MD_CTX* sha512 = nullptr;
  ~ThreadDigests() {
    EVP_MD_CTX_free(sha256);  // frees and cleanses the hash state
    EVP_MD_CTX_free(sha512);
  }
};

thread_local ThreadDigests t_digests;

}  // namespace

void check(int openssl_rc) {
  if (openssl_rc != 1) std::abort();
}

const EVP_MD* md_sha256() {
  static const EVP_MD* md = fetch("SHA256");
  return md;
}

const EVP_MD* md_sha512() {
  static const EVP_MD* md = fetch("SHA512");
  return md;
}

EVP_MD_CTX* begin_digest(const EVP_MD* md) {
  EVP_MD_CTX*& ctx = md == md_sha512() ? t_digests.sha512 : t_digests.sha256;
  if (ctx == nullptr) {
    ctx = EVP_MD_CTX_new();
    if (ctx == nullptr) std::abort();
  }
  check(EVP_DigestInit_ex2(ctx, md, nullptr));
  return ctx;
}

void sha256_parts(std::initializer_list<std::span<const std::uint8_t>> parts, std::uint8_t* out) {
  EVP_MD_CTX* ctx = begin_digest(md_sha256());
  for (auto p : parts) check(EVP_DigestUpdate(ctx, p.data(), p.size()));
  check(EVP_DigestFinal_ex(ctx, out, nullptr));
}

void hmac_key_block(std::span<const std::uint8_t> key, std::uint8_t pad, std::uint8_t* block) {
  std::memset(block, 0, kHmacBlock);
  if (key.size() > kHmacBlock) {
    sha256_parts({key}, block);  // RFC 2104: long keys are hashed first
  } else if (!key.empty()) {
    std::memcpy(block, key.data(), key.size());
  }
  for (std::size_t i = 0; i < kHmacBlock; ++i) block[i] ^= pad;
}

void hmac_sha256_parts(std::span<const std::uint8_t> key,
                       std::initializer_list<std::span<const std::uint8_t>> parts,
                       std::uint8_t* out) {
  // `parts` are all hashed before `out` is written, so out may alias a part.
  std::uint8_t block[kHmacBlock];
  std::uint8_t inner[32];

  hmac_key_block(key, kHmacIpad, block);
  EVP_MD_CTX* ctx = begin_digest(md_sha256());
  check(EVP_DigestUpdate(ctx, block, kHmacBlock));
  for (auto p : parts) check(EVP_DigestUpdate(ctx, p.data(), p.size()));
  check(EVP_DigestFinal_ex(ctx, inner, nullptr));

  // Turn the ipad block into the opad block without keeping the raw key.
  for (std::size_t i = 0; i < kHmacBlock; ++i) block[i] ^= kHmacIpad ^ kHmacOpad;
  ctx = begin_digest(md_sha256());
  check(EVP_DigestUpdate(ctx, block, kHmacBlock));
  check(EVP_DigestUpdate(ctx, inner, sizeof inner));
  check(EVP_DigestFinal_ex(ctx, out, nullptr));

  secure_wipe(block, sizeof block);
  secure_wipe(inner, sizeof inner);
}

}  // namespace sotto::crypto::detail
