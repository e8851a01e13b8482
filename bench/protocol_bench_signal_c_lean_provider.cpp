// SPDX-License-Identifier: Apache-2.0
#include "protocol_bench_signal_c_lean_provider.hpp"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <climits>
#include <cstdint>
#include <cstdlib>
#include <vector>

namespace sotto::bench {
namespace {

// Fetch failures mean a broken OpenSSL installation; a benchmark cannot go on.
template <class T>
T* required(T* fetched) {
  if (fetched == nullptr) std::abort();
  return fetched;
}

// An HMAC-SHA256 context with its digest already set; each init duplicates it,
// which copies the fetched digest instead of looking it up again.
EVP_MAC_CTX* hmac_template() {
  static EVP_MAC_CTX* const kTemplate = [] {
    EVP_MAC* mac = required(EVP_MAC_fetch(nullptr, "HMAC", nullptr));
    EVP_MAC_CTX* ctx = required(EVP_MAC_CTX_new(mac));
    EVP_MAC_free(mac);  // the context keeps its own reference
    char digest[] = "SHA256";
    const OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                                 OSSL_PARAM_construct_end()};
    if (EVP_MAC_CTX_set_params(ctx, params) != 1) std::abort();
    return ctx;
  }();
  return kTemplate;
}

int hmac_sha256_init(void** hmac_context, const std::uint8_t* key, std::size_t key_len, void*) {
  EVP_MAC_CTX* ctx = EVP_MAC_CTX_dup(hmac_template());
  if (ctx == nullptr) return SG_ERR_NOMEM;
  // HMAC zero-pads its key, so an empty key equals one zero byte, which
  // OpenSSL accepts where it refuses an empty one.
  static const std::uint8_t kZero = 0;
  if (key_len == 0) {
    key = &kZero;
    key_len = 1;
  }
  if (EVP_MAC_init(ctx, key, key_len, nullptr) != 1) {
    EVP_MAC_CTX_free(ctx);
    return SG_ERR_UNKNOWN;
  }
  *hmac_context = ctx;
  return SG_SUCCESS;
}

const EVP_MD* sha512() {
  static EVP_MD* const kMd = required(EVP_MD_fetch(nullptr, "SHA512", nullptr));
  return kMd;
}

int sha512_init(void** digest_context, void*) {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  if (ctx == nullptr) return SG_ERR_NOMEM;
  if (EVP_DigestInit_ex2(ctx, sha512(), nullptr) != 1) {
    EVP_MD_CTX_free(ctx);
    return SG_ERR_UNKNOWN;
  }
  *digest_context = ctx;
  return SG_SUCCESS;
}

// The library reuses one context for many digests, so final re-initialises it.
int sha512_final(void* digest_context, signal_buffer** output, void*) {
  auto* ctx = static_cast<EVP_MD_CTX*>(digest_context);
  std::uint8_t md[EVP_MAX_MD_SIZE];
  unsigned int md_len = 0;
  if (EVP_DigestFinal_ex(ctx, md, &md_len) != 1 ||
      EVP_DigestInit_ex2(ctx, sha512(), nullptr) != 1) {
    return SG_ERR_UNKNOWN;
  }
  signal_buffer* out = signal_buffer_create(md, md_len);
  if (out == nullptr) return SG_ERR_NOMEM;
  *output = out;
  return SG_SUCCESS;
}

const EVP_CIPHER* aes_cipher(int cipher, std::size_t key_len) {
  static EVP_CIPHER* const kCbc[3] = {required(EVP_CIPHER_fetch(nullptr, "AES-128-CBC", nullptr)),
                                      required(EVP_CIPHER_fetch(nullptr, "AES-192-CBC", nullptr)),
                                      required(EVP_CIPHER_fetch(nullptr, "AES-256-CBC", nullptr))};
  static EVP_CIPHER* const kCtr[3] = {required(EVP_CIPHER_fetch(nullptr, "AES-128-CTR", nullptr)),
                                      required(EVP_CIPHER_fetch(nullptr, "AES-192-CTR", nullptr)),
                                      required(EVP_CIPHER_fetch(nullptr, "AES-256-CTR", nullptr))};
  const int index = key_len == 16 ? 0 : key_len == 24 ? 1 : key_len == 32 ? 2 : -1;
  if (index < 0) return nullptr;
  if (cipher == SG_CIPHER_AES_CBC_PKCS5) return kCbc[index];
  if (cipher == SG_CIPHER_AES_CTR_NOPADDING) return kCtr[index];
  return nullptr;
}

// One cipher context for the process (the benchmark is single-threaded),
// re-keyed by every call; CBC pads with PKCS#7, CTR never pads.
int aes_crypt(bool encrypt, signal_buffer** output, int cipher, const std::uint8_t* key,
              std::size_t key_len, const std::uint8_t* iv, std::size_t iv_len,
              const std::uint8_t* in, std::size_t in_len) {
  static EVP_CIPHER_CTX* const kCtx = required(EVP_CIPHER_CTX_new());
  static std::vector<std::uint8_t> out;
  const EVP_CIPHER* evp = aes_cipher(cipher, key_len);
  if (evp == nullptr || iv_len != 16 || in_len > INT_MAX - 32) return SG_ERR_UNKNOWN;
  out.resize(in_len + 32);
  int n1 = 0;
  int n2 = 0;
  bool ok = EVP_CipherInit_ex2(kCtx, evp, key, iv, encrypt ? 1 : 0, nullptr) == 1;
  if (ok && in_len > 0)
    ok = EVP_CipherUpdate(kCtx, out.data(), &n1, in, static_cast<int>(in_len)) == 1;
  if (ok) ok = EVP_CipherFinal_ex(kCtx, out.data() + n1, &n2) == 1;
  int result = SG_SUCCESS;
  if (!ok) {
    // Decryption fails only on bad padding, a property of the input.
    result = encrypt ? SG_ERR_UNKNOWN : SG_ERR_INVALID_MESSAGE;
  } else if (signal_buffer* buf =
                 signal_buffer_create(out.data(), static_cast<std::size_t>(n1 + n2));
             buf) {
    *output = buf;
  } else {
    result = SG_ERR_NOMEM;
  }
  OPENSSL_cleanse(out.data(), out.size());
  return result;
}

int encrypt_func(signal_buffer** output, int cipher, const std::uint8_t* key, std::size_t key_len,
                 const std::uint8_t* iv, std::size_t iv_len, const std::uint8_t* plaintext,
                 std::size_t len, void*) {
  return aes_crypt(true, output, cipher, key, key_len, iv, iv_len, plaintext, len);
}

int decrypt_func(signal_buffer** output, int cipher, const std::uint8_t* key, std::size_t key_len,
                 const std::uint8_t* iv, std::size_t iv_len, const std::uint8_t* ciphertext,
                 std::size_t len, void*) {
  return aes_crypt(false, output, cipher, key, key_len, iv, iv_len, ciphertext, len);
}

}  // namespace

signal_crypto_provider make_lean_provider(peer_c::RandomSource* random) {
  signal_crypto_provider p = peer_c::make_crypto_provider(random);
  p.hmac_sha256_init_func = hmac_sha256_init;
  p.sha512_digest_init_func = sha512_init;
  p.sha512_digest_final_func = sha512_final;
  p.encrypt_func = encrypt_func;
  p.decrypt_func = decrypt_func;
  return p;
}

}  // namespace sotto::bench
