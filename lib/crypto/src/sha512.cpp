// SPDX-License-Identifier: Apache-2.0
// SHA-512 over OpenSSL (its AVX2 code beats libsodium's portable C; see
// docs/crypto-choices.md).
#include <cstdlib>

#include "evp_digest.hpp"
#include "sotto/crypto/hash.hpp"

namespace sotto::crypto {

Sha512Digest sha512(ByteView data) {
  Sha512Digest out{};
  EVP_MD_CTX* ctx = detail::begin_digest(detail::md_sha512());
  detail::check(EVP_DigestUpdate(ctx, data.data(), data.size()));
  detail::check(EVP_DigestFinal_ex(ctx, out.data(), nullptr));
  return out;
}

struct Sha512::State {
  EVP_MD_CTX* ctx = nullptr;
  ~State() { EVP_MD_CTX_free(ctx); }
};

Sha512::Sha512() : state_(std::make_unique<State>()) {
  state_->ctx = EVP_MD_CTX_new();
  if (state_->ctx == nullptr) std::abort();
  detail::check(EVP_DigestInit_ex2(state_->ctx, detail::md_sha512(), nullptr));
}

Sha512::~Sha512() = default;

void Sha512::update(ByteView data) {
  detail::check(EVP_DigestUpdate(state_->ctx, data.data(), data.size()));
}

Sha512Digest Sha512::finish() {
  Sha512Digest out{};
  detail::check(EVP_DigestFinal_ex(state_->ctx, out.data(), nullptr));
  return out;
}

}  // namespace sotto::crypto
