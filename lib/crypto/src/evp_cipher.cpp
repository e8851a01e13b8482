// SPDX-License-Identifier: Apache-2.0
#include "evp_cipher.hpp"

#include <array>
#include <cstdlib>

namespace sotto::crypto::detail {

namespace {

constexpr std::size_t kModes = 3;
constexpr std::size_t kKeySizes = 3;
constexpr const char* kNames[kModes][kKeySizes] = {
    {"AES-128-ECB", "AES-192-ECB", "AES-256-ECB"},
    {"AES-128-CBC", "AES-192-CBC", "AES-256-CBC"},
    {"AES-128-GCM", "AES-192-GCM", "AES-256-GCM"},
};

int key_index(std::size_t key_len) {
  switch (key_len) {
    case 16:
      return 0;
    case 24:
      return 1;
    case 32:
      return 2;
    default:
      return -1;
  }
}

// Fetched once: OpenSSL 3's implicit EVP_aes_*() lookup is repeated per init.
const EVP_CIPHER* cipher(std::size_t mode, std::size_t key) {
  static const auto ciphers = [] {
    std::array<std::array<EVP_CIPHER*, kKeySizes>, kModes> all{};
    for (std::size_t m = 0; m < kModes; ++m) {
      for (std::size_t k = 0; k < kKeySizes; ++k) {
        all[m][k] = EVP_CIPHER_fetch(nullptr, kNames[m][k], nullptr);
        if (all[m][k] == nullptr) std::abort();
      }
    }
    return all;
  }();
  return ciphers[mode][key];
}

struct ThreadCiphers {
  std::array<std::array<CipherSlot, kKeySizes>, kModes> slots{};
  ~ThreadCiphers() {
    for (auto& row : slots) {
      for (auto& s : row) EVP_CIPHER_CTX_free(s.ctx);  // cleanses key schedules
    }
  }
};

thread_local ThreadCiphers t_ciphers;

}  // namespace

CipherSlot* cipher_slot(AesMode mode, std::size_t key_len) {
  const int k = key_index(key_len);
  if (k < 0) return nullptr;
  const auto m = static_cast<std::size_t>(mode);
  CipherSlot& slot = t_ciphers.slots[m][static_cast<std::size_t>(k)];
  if (slot.ctx == nullptr) {
    slot.ctx = EVP_CIPHER_CTX_new();
    if (slot.ctx == nullptr || EVP_CipherInit_ex2(slot.ctx, cipher(m, static_cast<std::size_t>(k)),
                                                  nullptr, nullptr, 1, nullptr) != 1) {
      std::abort();
    }
    // We pad CBC ourselves (constant-time check on decrypt); ECB is one block.
    EVP_CIPHER_CTX_set_padding(slot.ctx, 0);
    slot.iv_len = EVP_CIPHER_CTX_get_iv_length(slot.ctx);
  }
  return &slot;
}

bool cipher_update(EVP_CIPHER_CTX* ctx, std::uint8_t* out, const std::uint8_t* in,
                   std::size_t len) {
  constexpr std::size_t kChunk = std::size_t{1} << 30;  // a multiple of the block size
  while (len > 0) {
    const std::size_t n = len < kChunk ? len : kChunk;
    int written = 0;
    if (EVP_CipherUpdate(ctx, out, &written, in, static_cast<int>(n)) != 1) return false;
    if (out != nullptr) out += written;
    in += n;
    len -= n;
  }
  return true;
}

}  // namespace sotto::crypto::detail
