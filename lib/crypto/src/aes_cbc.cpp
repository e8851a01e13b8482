// SPDX-License-Identifier: Apache-2.0
// AES-CBC with PKCS#7 padding (Signal message bodies, attachments).
#include <cstring>

#include "evp_cipher.hpp"
#include "sotto/crypto/aes.hpp"
#include "sotto/crypto/secret.hpp"

namespace sotto::crypto {

namespace {

constexpr std::size_t kBlock = 16;

// 0 when the last block of `data` ends in valid PKCS#7 padding (1..16 bytes
// each equal to the pad length), non-zero otherwise. Branch-free over the last
// block so its timing does not say which byte was wrong.
unsigned pkcs7_bad(const std::uint8_t* last_block) {
  const unsigned pad = last_block[kBlock - 1];
  unsigned bad = (pad - 1u) >> 8;  // pad == 0
  bad |= (kBlock - pad) >> 8;      // pad > 16
  for (unsigned i = 0; i < kBlock; ++i) {
    const unsigned in_pad = 0u - ((i - pad) >> 31);  // all ones when i < pad
    bad |= in_pad & (last_block[kBlock - 1 - i] ^ pad);
  }
  return bad;
}

}  // namespace

Result<Bytes> aes_cbc_encrypt(ByteView key, ByteView iv, ByteView plaintext) {
  detail::CipherSlot* slot = detail::cipher_slot(detail::AesMode::cbc, key.size());
  if (slot == nullptr) return fail(Errc::invalid_key, "AES key must be 16, 24 or 32 bytes");
  if (iv.size() != kBlock) return fail(Errc::invalid_message, "AES-CBC IV must be 16 bytes");

  // Pad in the output buffer and encrypt in place: one allocation per call.
  const std::size_t pad = kBlock - plaintext.size() % kBlock;
  Bytes out(plaintext.size() + pad);
  if (!plaintext.empty()) std::memcpy(out.data(), plaintext.data(), plaintext.size());
  std::memset(out.data() + plaintext.size(), static_cast<int>(pad), pad);

  if (EVP_CipherInit_ex2(slot->ctx, nullptr, key.data(), iv.data(), 1, nullptr) != 1 ||
      !detail::cipher_update(slot->ctx, out.data(), out.data(), out.size())) {
    secure_wipe(out.data(), out.size());
    return fail(Errc::internal, "AES-CBC encryption failed");
  }
  return out;
}

Result<Bytes> aes_cbc_decrypt(ByteView key, ByteView iv, ByteView ciphertext) {
  detail::CipherSlot* slot = detail::cipher_slot(detail::AesMode::cbc, key.size());
  if (slot == nullptr) return fail(Errc::invalid_key, "AES key must be 16, 24 or 32 bytes");
  if (iv.size() != kBlock) return fail(Errc::invalid_message, "AES-CBC IV must be 16 bytes");
  if (ciphertext.empty() || ciphertext.size() % kBlock != 0) {
    return fail(Errc::invalid_message, "AES-CBC ciphertext must be a non-empty multiple of 16");
  }

  Bytes out(ciphertext.size());
  if (EVP_CipherInit_ex2(slot->ctx, nullptr, key.data(), iv.data(), 0, nullptr) != 1 ||
      !detail::cipher_update(slot->ctx, out.data(), ciphertext.data(), ciphertext.size())) {
    secure_wipe(out.data(), out.size());
    return fail(Errc::internal, "AES-CBC decryption failed");
  }
  if (pkcs7_bad(out.data() + out.size() - kBlock) != 0) {
    secure_wipe(out.data(), out.size());
    return fail(Errc::bad_padding, "AES-CBC padding is invalid");
  }
  out.resize(out.size() - out.back());
  return out;
}

}  // namespace sotto::crypto
