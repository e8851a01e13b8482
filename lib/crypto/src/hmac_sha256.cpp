// SPDX-License-Identifier: Apache-2.0
// HMAC-SHA256 (RFC 2104) on OpenSSL's SHA-256. The ratchet's hot path: a chain
// step is an HMAC over one byte and a message MAC is over ~150 bytes.
#include <cstdlib>

#include "evp_digest.hpp"
#include "sotto/crypto/hash.hpp"

namespace sotto::crypto {

HmacSha256Tag hmac_sha256(ByteView key, ByteView data) {
  HmacSha256Tag tag{};
  detail::hmac_sha256_parts(key, {data}, tag.data());
  return tag;
}

struct HmacSha256::State {
  EVP_MD_CTX* inner = nullptr;  // H(K ^ ipad || data so far)
  SecretKey<detail::kHmacBlock> opad_block;
  ~State() { EVP_MD_CTX_free(inner); }  // EVP_MD_CTX_free cleanses the hash state
};

HmacSha256::HmacSha256(ByteView key) : state_(std::make_unique<State>()) {
  state_->inner = EVP_MD_CTX_new();
  if (state_->inner == nullptr) std::abort();
  SecretKey<detail::kHmacBlock> ipad_block;
  detail::hmac_key_block(key, detail::kHmacIpad, ipad_block.mutable_bytes().data());
  detail::hmac_key_block(key, detail::kHmacOpad, state_->opad_block.mutable_bytes().data());
  detail::check(EVP_DigestInit_ex2(state_->inner, detail::md_sha256(), nullptr));
  detail::check(EVP_DigestUpdate(state_->inner, ipad_block.expose().data(), detail::kHmacBlock));
}

HmacSha256::~HmacSha256() = default;

void HmacSha256::update(ByteView data) {
  detail::check(EVP_DigestUpdate(state_->inner, data.data(), data.size()));
}

HmacSha256Tag HmacSha256::finish() {
  SecretKey<32> inner;
  detail::check(EVP_DigestFinal_ex(state_->inner, inner.mutable_bytes().data(), nullptr));
  HmacSha256Tag tag{};
  EVP_MD_CTX* ctx = detail::begin_digest(detail::md_sha256());
  detail::check(EVP_DigestUpdate(ctx, state_->opad_block.expose().data(), detail::kHmacBlock));
  detail::check(EVP_DigestUpdate(ctx, inner.expose().data(), inner.size()));
  detail::check(EVP_DigestFinal_ex(ctx, tag.data(), nullptr));
  return tag;
}

}  // namespace sotto::crypto
