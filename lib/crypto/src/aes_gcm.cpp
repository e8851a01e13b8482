// SPDX-License-Identifier: Apache-2.0
// AES-GCM with a 16-byte tag.
#include <array>
#include <cstring>

#include "evp_cipher.hpp"
#include "gcm_long_nonce.hpp"
#include "sotto/crypto/aes.hpp"
#include "sotto/crypto/secret.hpp"

namespace sotto::crypto {

namespace {

constexpr std::size_t kTag = 16;

// Keys the thread's GCM context for `nonce`, checking key and nonce first.
Result<EVP_CIPHER_CTX*> gcm_begin(ByteView key, ByteView nonce, int enc) {
  detail::CipherSlot* slot = detail::cipher_slot(detail::AesMode::gcm, key.size());
  if (slot == nullptr) return fail(Errc::invalid_key, "AES key must be 16, 24 or 32 bytes");
  if (nonce.empty()) return fail(Errc::invalid_message, "AES-GCM nonce must not be empty");

  std::array<std::uint8_t, 16> short_nonce{};
  if (nonce.size() > detail::kGcmMaxDirectNonce) {
    short_nonce = detail::gcm_equivalent_nonce(key, nonce);
    nonce = short_nonce;
  }
  const int iv_len = static_cast<int>(nonce.size());
  if (slot->iv_len != iv_len) {
    if (EVP_CIPHER_CTX_ctrl(slot->ctx, EVP_CTRL_AEAD_SET_IVLEN, iv_len, nullptr) != 1) {
      slot->iv_len = -1;  // unknown now; set again next time
      return fail(Errc::internal, "AES-GCM nonce length rejected");
    }
    slot->iv_len = iv_len;
  }
  if (EVP_CipherInit_ex2(slot->ctx, nullptr, key.data(), nonce.data(), enc, nullptr) != 1) {
    return fail(Errc::internal, "AES-GCM initialisation failed");
  }
  return slot->ctx;
}

}  // namespace

Result<Bytes> aes_gcm_seal(ByteView key, ByteView nonce, ByteView aad, ByteView plaintext) {
  auto ctx = gcm_begin(key, nonce, 1);
  if (!ctx) return tl::unexpected(ctx.error());

  Bytes out(plaintext.size() + kTag);
  // GCM's final step emits no bytes; the scratch block keeps OpenSSL off `out`.
  std::array<std::uint8_t, kTag> final_block{};
  int final_len = 0;
  if (!detail::cipher_update(*ctx, nullptr, aad.data(), aad.size()) ||
      !detail::cipher_update(*ctx, out.data(), plaintext.data(), plaintext.size()) ||
      EVP_CipherFinal_ex(*ctx, final_block.data(), &final_len) != 1 ||
      EVP_CIPHER_CTX_ctrl(*ctx, EVP_CTRL_AEAD_GET_TAG, kTag, out.data() + plaintext.size()) != 1) {
    secure_wipe(out.data(), out.size());
    return fail(Errc::internal, "AES-GCM encryption failed");
  }
  return out;
}

Result<Bytes> aes_gcm_open(ByteView key, ByteView nonce, ByteView aad, ByteView sealed) {
  if (sealed.size() < kTag) {
    return fail(Errc::invalid_message, "AES-GCM input shorter than its 16-byte tag");
  }
  auto ctx = gcm_begin(key, nonce, 0);
  if (!ctx) return tl::unexpected(ctx.error());

  const std::size_t body = sealed.size() - kTag;
  std::array<std::uint8_t, kTag> tag{};
  std::memcpy(tag.data(), sealed.data() + body, kTag);
  Bytes out(body);
  // GCM's final step emits no bytes; the scratch block keeps OpenSSL off `out`.
  std::array<std::uint8_t, kTag> final_block{};
  int final_len = 0;
  if (!detail::cipher_update(*ctx, nullptr, aad.data(), aad.size()) ||
      !detail::cipher_update(*ctx, out.data(), sealed.data(), body) ||
      EVP_CIPHER_CTX_ctrl(*ctx, EVP_CTRL_AEAD_SET_TAG, kTag, tag.data()) != 1) {
    secure_wipe(out.data(), out.size());
    return fail(Errc::internal, "AES-GCM decryption failed");
  }
  // The tag comparison inside OpenSSL is constant-time (CRYPTO_memcmp).
  if (EVP_CipherFinal_ex(*ctx, final_block.data(), &final_len) != 1) {
    secure_wipe(out.data(), out.size());  // never release unauthenticated plaintext
    return fail(Errc::invalid_mac, "AES-GCM authentication failed");
  }
  return out;
}

}  // namespace sotto::crypto
