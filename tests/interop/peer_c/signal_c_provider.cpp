// SPDX-License-Identifier: Apache-2.0
#include "signal_c_provider.hpp"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace sotto::peer_c {
namespace {

constexpr std::size_t kMaxLogLines = 256;

class OsRandom final : public RandomSource {
 public:
  bool fill(std::uint8_t* out, std::size_t len) override {
    while (len > 0) {
      const int chunk = len > INT_MAX ? INT_MAX : static_cast<int>(len);
      if (RAND_bytes(out, chunk) != 1) return false;
      out += chunk;
      len -= static_cast<std::size_t>(chunk);
    }
    return true;
  }
};

class SeededRandom final : public RandomSource {
 public:
  explicit SeededRandom(const std::array<std::uint8_t, 32>& seed) : ctx_(EVP_CIPHER_CTX_new()) {
    const std::array<std::uint8_t, 16> iv{};
    ok_ = ctx_ != nullptr &&
          EVP_EncryptInit_ex(ctx_, EVP_aes_256_ctr(), nullptr, seed.data(), iv.data()) == 1;
  }
  ~SeededRandom() override { EVP_CIPHER_CTX_free(ctx_); }
  SeededRandom(const SeededRandom&) = delete;
  SeededRandom& operator=(const SeededRandom&) = delete;

  // Encrypting zeros yields the bare keystream; CTR keeps its position across
  // calls, so the stream does not depend on how reads are split.
  bool fill(std::uint8_t* out, std::size_t len) override {
    if (!ok_) return false;
    std::memset(out, 0, len);
    while (len > 0) {
      const int chunk = len > (1u << 20) ? (1 << 20) : static_cast<int>(len);
      int written = 0;
      if (EVP_EncryptUpdate(ctx_, out, &written, out, chunk) != 1 || written != chunk) return false;
      out += chunk;
      len -= static_cast<std::size_t>(chunk);
    }
    return true;
  }

 private:
  EVP_CIPHER_CTX* ctx_;
  bool ok_ = false;
};

int random_func(std::uint8_t* data, std::size_t len, void* user_data) {
  return static_cast<RandomSource*>(user_data)->fill(data, len) ? SG_SUCCESS : SG_ERR_UNKNOWN;
}

// ---- HMAC-SHA256 -------------------------------------------------------------

int hmac_sha256_init(void** hmac_context, const std::uint8_t* key, std::size_t key_len, void*) {
  EVP_MAC* mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
  if (mac == nullptr) return SG_ERR_UNKNOWN;
  EVP_MAC_CTX* ctx = EVP_MAC_CTX_new(mac);
  EVP_MAC_free(mac);
  if (ctx == nullptr) return SG_ERR_NOMEM;
  char digest[] = "SHA256";
  const OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                               OSSL_PARAM_construct_end()};
  // HMAC pads its key with zeros to the block size, so an empty key and a
  // single zero byte are the same key; OpenSSL wants a non-empty one.
  static const std::uint8_t kZero = 0;
  if (key_len == 0) {
    key = &kZero;
    key_len = 1;
  }
  if (EVP_MAC_init(ctx, key, key_len, params) != 1) {
    EVP_MAC_CTX_free(ctx);
    return SG_ERR_UNKNOWN;
  }
  *hmac_context = ctx;
  return SG_SUCCESS;
}

int hmac_sha256_update(void* hmac_context, const std::uint8_t* data, std::size_t data_len, void*) {
  if (data_len == 0) return SG_SUCCESS;
  return EVP_MAC_update(static_cast<EVP_MAC_CTX*>(hmac_context), data, data_len) == 1
             ? SG_SUCCESS
             : SG_ERR_UNKNOWN;
}

int hmac_sha256_final(void* hmac_context, signal_buffer** output, void*) {
  std::uint8_t mac[EVP_MAX_MD_SIZE];
  std::size_t mac_len = 0;
  if (EVP_MAC_final(static_cast<EVP_MAC_CTX*>(hmac_context), mac, &mac_len, sizeof(mac)) != 1) {
    return SG_ERR_UNKNOWN;
  }
  signal_buffer* out = signal_buffer_create(mac, mac_len);
  OPENSSL_cleanse(mac, sizeof(mac));
  if (out == nullptr) return SG_ERR_NOMEM;
  *output = out;
  return SG_SUCCESS;
}

void hmac_sha256_cleanup(void* hmac_context, void*) {
  EVP_MAC_CTX_free(static_cast<EVP_MAC_CTX*>(hmac_context));
}

// ---- SHA-512 -----------------------------------------------------------------

int sha512_init(void** digest_context, void*) {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  if (ctx == nullptr) return SG_ERR_NOMEM;
  if (EVP_DigestInit_ex(ctx, EVP_sha512(), nullptr) != 1) {
    EVP_MD_CTX_free(ctx);
    return SG_ERR_UNKNOWN;
  }
  *digest_context = ctx;
  return SG_SUCCESS;
}

int sha512_update(void* digest_context, const std::uint8_t* data, std::size_t data_len, void*) {
  if (data_len == 0) return SG_SUCCESS;
  return EVP_DigestUpdate(static_cast<EVP_MD_CTX*>(digest_context), data, data_len) == 1
             ? SG_SUCCESS
             : SG_ERR_UNKNOWN;
}

// The library reuses one context for many digests (the fingerprint loop), so
// final must leave it ready for the next one.
int sha512_final(void* digest_context, signal_buffer** output, void*) {
  auto* ctx = static_cast<EVP_MD_CTX*>(digest_context);
  std::uint8_t md[EVP_MAX_MD_SIZE];
  unsigned int md_len = 0;
  if (EVP_DigestFinal_ex(ctx, md, &md_len) != 1 ||
      EVP_DigestInit_ex(ctx, EVP_sha512(), nullptr) != 1) {
    return SG_ERR_UNKNOWN;
  }
  signal_buffer* out = signal_buffer_create(md, md_len);
  if (out == nullptr) return SG_ERR_NOMEM;
  *output = out;
  return SG_SUCCESS;
}

void sha512_cleanup(void* digest_context, void*) {
  EVP_MD_CTX_free(static_cast<EVP_MD_CTX*>(digest_context));
}

// ---- AES ---------------------------------------------------------------------

const EVP_CIPHER* aes_cipher(int cipher, std::size_t key_len) {
  if (cipher == SG_CIPHER_AES_CBC_PKCS5) {
    switch (key_len) {
      case 16:
        return EVP_aes_128_cbc();
      case 24:
        return EVP_aes_192_cbc();
      case 32:
        return EVP_aes_256_cbc();
      default:
        return nullptr;
    }
  }
  if (cipher == SG_CIPHER_AES_CTR_NOPADDING) {
    switch (key_len) {
      case 16:
        return EVP_aes_128_ctr();
      case 24:
        return EVP_aes_192_ctr();
      case 32:
        return EVP_aes_256_ctr();
      default:
        return nullptr;
    }
  }
  return nullptr;
}

// CBC uses OpenSSL's default PKCS#7 padding (PKCS5 in the library's naming);
// CTR is a stream mode and never pads.
int aes_crypt(bool encrypt, signal_buffer** output, int cipher, const std::uint8_t* key,
              std::size_t key_len, const std::uint8_t* iv, std::size_t iv_len,
              const std::uint8_t* in, std::size_t in_len) {
  const EVP_CIPHER* evp = aes_cipher(cipher, key_len);
  if (evp == nullptr || iv_len != 16 || in_len > INT_MAX - 32) return SG_ERR_UNKNOWN;
  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  if (ctx == nullptr) return SG_ERR_NOMEM;
  std::vector<std::uint8_t> out(in_len + 32);
  int n1 = 0;
  int n2 = 0;
  bool ok = EVP_CipherInit_ex(ctx, evp, nullptr, key, iv, encrypt ? 1 : 0) == 1;
  if (ok && in_len > 0)
    ok = EVP_CipherUpdate(ctx, out.data(), &n1, in, static_cast<int>(in_len)) == 1;
  if (ok) ok = EVP_CipherFinal_ex(ctx, out.data() + n1, &n2) == 1;
  EVP_CIPHER_CTX_free(ctx);
  int result = SG_SUCCESS;
  if (!ok) {
    // Decryption fails only on bad padding, which is a property of the input.
    result = encrypt ? SG_ERR_UNKNOWN : SG_ERR_INVALID_MESSAGE;
  } else {
    signal_buffer* buf = signal_buffer_create(out.data(), static_cast<std::size_t>(n1 + n2));
    if (buf == nullptr) {
      result = SG_ERR_NOMEM;
    } else {
      *output = buf;
    }
  }
  OPENSSL_cleanse(out.data(), out.size());
  return result;
}

int encrypt_func(signal_buffer** output, int cipher, const std::uint8_t* key, std::size_t key_len,
                 const std::uint8_t* iv, std::size_t iv_len, const std::uint8_t* plaintext,
                 std::size_t plaintext_len, void*) {
  return aes_crypt(true, output, cipher, key, key_len, iv, iv_len, plaintext, plaintext_len);
}

int decrypt_func(signal_buffer** output, int cipher, const std::uint8_t* key, std::size_t key_len,
                 const std::uint8_t* iv, std::size_t iv_len, const std::uint8_t* ciphertext,
                 std::size_t ciphertext_len, void*) {
  return aes_crypt(false, output, cipher, key, key_len, iv, iv_len, ciphertext, ciphertext_len);
}

}  // namespace

std::unique_ptr<RandomSource> make_os_random() { return std::make_unique<OsRandom>(); }

std::unique_ptr<RandomSource> make_seeded_random(const std::array<std::uint8_t, 32>& seed) {
  return std::make_unique<SeededRandom>(seed);
}

signal_crypto_provider make_crypto_provider(RandomSource* random) {
  signal_crypto_provider p{};
  p.random_func = random_func;
  p.hmac_sha256_init_func = hmac_sha256_init;
  p.hmac_sha256_update_func = hmac_sha256_update;
  p.hmac_sha256_final_func = hmac_sha256_final;
  p.hmac_sha256_cleanup_func = hmac_sha256_cleanup;
  p.sha512_digest_init_func = sha512_init;
  p.sha512_digest_update_func = sha512_update;
  p.sha512_digest_final_func = sha512_final;
  p.sha512_digest_cleanup_func = sha512_cleanup;
  p.encrypt_func = encrypt_func;
  p.decrypt_func = decrypt_func;
  p.user_data = random;
  return p;
}

Context::Context(std::unique_ptr<RandomSource> random) : random_(std::move(random)) {
  echo_log_ = std::getenv("SOTTO_PEER_C_LOG") != nullptr;
}

std::unique_ptr<Context> Context::create(std::unique_ptr<RandomSource> random) {
  if (!random) return nullptr;
  std::unique_ptr<Context> c(new Context(std::move(random)));
  if (signal_context_create(&c->ctx_, c.get()) != 0) {
    c->ctx_ = nullptr;
    return nullptr;
  }
  const signal_crypto_provider provider = make_crypto_provider(c->random_.get());
  if (signal_context_set_crypto_provider(c->ctx_, &provider) != 0 ||
      signal_context_set_log_function(c->ctx_, &Context::on_log) != 0) {
    return nullptr;
  }
  return c;
}

Context::~Context() {
  if (ctx_ != nullptr) signal_context_destroy(ctx_);
}

void Context::on_log(int level, const char* message, std::size_t len, void* user_data) {
  auto* self = static_cast<Context*>(user_data);
  std::string line(message, len);
  if (self->echo_log_) std::fprintf(stderr, "[libsignal-protocol-c %d] %s\n", level, line.c_str());
  if (self->log_.size() >= kMaxLogLines) self->log_.erase(self->log_.begin());
  self->log_.push_back(std::move(line));
}

bool Context::log_contains(std::string_view needle) const {
  for (const auto& line : log_) {
    if (line.find(needle) != std::string::npos) return true;
  }
  return false;
}

}  // namespace sotto::peer_c
