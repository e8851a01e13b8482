// SPDX-License-Identifier: Apache-2.0
// Crypto backend comparison: libsodium vs OpenSSL 3 for the primitives both
// offer, plus our own API (sotto::crypto) on the sizes a Signal message uses.
// The only file outside lib/crypto/src that includes libsodium/OpenSSL headers,
// because comparing them is its purpose. Results: docs/crypto-choices.md.
#include <benchmark/benchmark.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <sodium.h>

#include <array>
#include <cstdlib>
#include <vector>

#include "sotto/crypto/aes.hpp"
#include "sotto/crypto/hash.hpp"
#include "sotto/crypto/rng.hpp"
#include "sotto/crypto/x25519.hpp"
#include "sotto/crypto/xeddsa.hpp"

namespace {

using sotto::Bytes;
using sotto::ByteView;
namespace sc = sotto::crypto;

void init_sodium() {
  if (sodium_init() < 0) std::abort();
}

Bytes random_bytes(std::size_t n) {
  Bytes b(n);
  sc::os_rng().fill(b);
  return b;
}

// ---- X25519 DH ----------------------------------------------------------------

void BM_X25519_DH_Libsodium(benchmark::State& state) {
  init_sodium();
  auto a = sc::x25519_generate(sc::os_rng());
  auto b = sc::x25519_generate(sc::os_rng());
  std::array<std::uint8_t, 32> out{};
  for (auto _ : state) {
    benchmark::DoNotOptimize(
        crypto_scalarmult(out.data(), a.private_key.expose().data(), b.public_key.data()));
    benchmark::ClobberMemory();
  }
}
BENCHMARK(BM_X25519_DH_Libsodium);

// What an API over raw 32-byte keys has to do with OpenSSL: build both EVP_PKEYs
// (importing a raw private key also derives its public key) and derive.
void BM_X25519_DH_OpenSSL_RawKeys(benchmark::State& state) {
  auto a = sc::x25519_generate(sc::os_rng());
  auto b = sc::x25519_generate(sc::os_rng());
  std::array<std::uint8_t, 32> out{};
  for (auto _ : state) {
    EVP_PKEY* priv =
        EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, nullptr, a.private_key.expose().data(), 32);
    EVP_PKEY* peer = EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, nullptr, b.public_key.data(), 32);
    EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new(priv, nullptr);
    std::size_t len = out.size();
    if (EVP_PKEY_derive_init(ctx) != 1 || EVP_PKEY_derive_set_peer(ctx, peer) != 1 ||
        EVP_PKEY_derive(ctx, out.data(), &len) != 1) {
      state.SkipWithError("OpenSSL X25519 failed");
    }
    EVP_PKEY_CTX_free(ctx);
    EVP_PKEY_free(peer);
    EVP_PKEY_free(priv);
    benchmark::ClobberMemory();
  }
}
BENCHMARK(BM_X25519_DH_OpenSSL_RawKeys);

// OpenSSL's best case: both keys already imported, only the derivation timed.
void BM_X25519_DH_OpenSSL_PreparedKeys(benchmark::State& state) {
  auto a = sc::x25519_generate(sc::os_rng());
  auto b = sc::x25519_generate(sc::os_rng());
  EVP_PKEY* priv =
      EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, nullptr, a.private_key.expose().data(), 32);
  EVP_PKEY* peer = EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, nullptr, b.public_key.data(), 32);
  std::array<std::uint8_t, 32> out{};
  for (auto _ : state) {
    EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new(priv, nullptr);
    std::size_t len = out.size();
    if (EVP_PKEY_derive_init(ctx) != 1 || EVP_PKEY_derive_set_peer(ctx, peer) != 1 ||
        EVP_PKEY_derive(ctx, out.data(), &len) != 1) {
      state.SkipWithError("OpenSSL X25519 failed");
    }
    EVP_PKEY_CTX_free(ctx);
    benchmark::ClobberMemory();
  }
  EVP_PKEY_free(peer);
  EVP_PKEY_free(priv);
}
BENCHMARK(BM_X25519_DH_OpenSSL_PreparedKeys);

void BM_X25519_DH_Sotto(benchmark::State& state) {
  auto a = sc::x25519_generate(sc::os_rng());
  auto b = sc::x25519_generate(sc::os_rng());
  for (auto _ : state) {
    auto shared = sc::x25519(a.private_key, b.public_key);
    benchmark::DoNotOptimize(shared);
  }
}
BENCHMARK(BM_X25519_DH_Sotto);

// ---- X25519 key generation ----------------------------------------------------

void BM_X25519_Keygen_Libsodium(benchmark::State& state) {
  init_sodium();
  std::array<std::uint8_t, 32> priv{}, pub{};
  for (auto _ : state) {
    randombytes_buf(priv.data(), priv.size());
    benchmark::DoNotOptimize(crypto_scalarmult_base(pub.data(), priv.data()));
    benchmark::ClobberMemory();
  }
}
BENCHMARK(BM_X25519_Keygen_Libsodium);

void BM_X25519_Keygen_OpenSSL(benchmark::State& state) {
  std::array<std::uint8_t, 32> priv{}, pub{};
  for (auto _ : state) {
    EVP_PKEY* key = EVP_PKEY_Q_keygen(nullptr, nullptr, "X25519");
    std::size_t n1 = priv.size(), n2 = pub.size();
    if (key == nullptr || EVP_PKEY_get_raw_private_key(key, priv.data(), &n1) != 1 ||
        EVP_PKEY_get_raw_public_key(key, pub.data(), &n2) != 1) {
      state.SkipWithError("OpenSSL keygen failed");
    }
    EVP_PKEY_free(key);
    benchmark::ClobberMemory();
  }
}
BENCHMARK(BM_X25519_Keygen_OpenSSL);

void BM_X25519_Keygen_Sotto(benchmark::State& state) {
  for (auto _ : state) {
    auto kp = sc::x25519_generate(sc::os_rng());
    benchmark::DoNotOptimize(kp);
  }
}
BENCHMARK(BM_X25519_Keygen_Sotto);

// ---- HMAC-SHA256, 32-byte key (Arg = message bytes: 1 = chain step, 100, 150 =
// a SignalMessage MAC input) ---------------------------------------------------

void BM_HmacSha256_Libsodium(benchmark::State& state) {
  init_sodium();
  const Bytes key = random_bytes(32), msg = random_bytes(static_cast<std::size_t>(state.range(0)));
  std::array<std::uint8_t, 32> tag{};
  for (auto _ : state) {
    crypto_auth_hmacsha256_state st;
    crypto_auth_hmacsha256_init(&st, key.data(), key.size());
    crypto_auth_hmacsha256_update(&st, msg.data(), msg.size());
    crypto_auth_hmacsha256_final(&st, tag.data());
    benchmark::ClobberMemory();
  }
}
BENCHMARK(BM_HmacSha256_Libsodium)->Arg(1)->Arg(100)->Arg(150);

void BM_HmacSha256_OpenSSL_HMAC(benchmark::State& state) {
  const Bytes key = random_bytes(32), msg = random_bytes(static_cast<std::size_t>(state.range(0)));
  std::array<std::uint8_t, 32> tag{};
  for (auto _ : state) {
    unsigned int len = 0;
    benchmark::DoNotOptimize(HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
                                  msg.data(), msg.size(), tag.data(), &len));
    benchmark::ClobberMemory();
  }
}
BENCHMARK(BM_HmacSha256_OpenSSL_HMAC)->Arg(1)->Arg(100)->Arg(150);

void BM_HmacSha256_OpenSSL_EvpMacReused(benchmark::State& state) {
  const Bytes key = random_bytes(32), msg = random_bytes(static_cast<std::size_t>(state.range(0)));
  EVP_MAC* mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
  EVP_MAC_CTX* ctx = EVP_MAC_CTX_new(mac);
  char digest[] = "SHA256";
  const OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                               OSSL_PARAM_construct_end()};
  EVP_MAC_CTX_set_params(ctx, params);
  std::array<std::uint8_t, 32> tag{};
  for (auto _ : state) {
    std::size_t len = 0;
    EVP_MAC_init(ctx, key.data(), key.size(), nullptr);
    EVP_MAC_update(ctx, msg.data(), msg.size());
    EVP_MAC_final(ctx, tag.data(), &len, tag.size());
    benchmark::ClobberMemory();
  }
  EVP_MAC_CTX_free(ctx);
  EVP_MAC_free(mac);
}
BENCHMARK(BM_HmacSha256_OpenSSL_EvpMacReused)->Arg(1)->Arg(100)->Arg(150);

void BM_HmacSha256_Sotto(benchmark::State& state) {
  const Bytes key = random_bytes(32), msg = random_bytes(static_cast<std::size_t>(state.range(0)));
  for (auto _ : state) benchmark::DoNotOptimize(sc::hmac_sha256(key, msg));
}
BENCHMARK(BM_HmacSha256_Sotto)->Arg(1)->Arg(100)->Arg(150);

void BM_HmacSha256_SottoIncremental(benchmark::State& state) {
  const Bytes key = random_bytes(32), msg = random_bytes(static_cast<std::size_t>(state.range(0)));
  for (auto _ : state) {
    sc::HmacSha256 mac(key);
    mac.update(msg);
    benchmark::DoNotOptimize(mac.finish());
  }
}
BENCHMARK(BM_HmacSha256_SottoIncremental)->Arg(150);

void BM_HkdfSha256_Sotto(benchmark::State& state) {
  // The ratchet's KDF_RK: 32-byte salt and IKM, 64 bytes out.
  const Bytes salt = random_bytes(32), ikm = random_bytes(32);
  const ByteView info = sotto::as_bytes("WhisperRatchet");
  std::array<std::uint8_t, 64> out{};
  for (auto _ : state) {
    sc::hkdf_sha256(salt, ikm, info, out);
    benchmark::ClobberMemory();
  }
}
BENCHMARK(BM_HkdfSha256_Sotto);

// ---- SHA-512 ----------------------------------------------------------------

void BM_Sha512_Libsodium(benchmark::State& state) {
  init_sodium();
  const Bytes msg = random_bytes(static_cast<std::size_t>(state.range(0)));
  std::array<std::uint8_t, 64> out{};
  for (auto _ : state) {
    crypto_hash_sha512(out.data(), msg.data(), msg.size());
    benchmark::ClobberMemory();
  }
}
BENCHMARK(BM_Sha512_Libsodium)->Arg(100)->Arg(1024);

void BM_Sha512_OpenSSL_EvpDigest(benchmark::State& state) {
  const Bytes msg = random_bytes(static_cast<std::size_t>(state.range(0)));
  EVP_MD* md = EVP_MD_fetch(nullptr, "SHA512", nullptr);
  std::array<std::uint8_t, 64> out{};
  for (auto _ : state) {
    EVP_Digest(msg.data(), msg.size(), out.data(), nullptr, md, nullptr);
    benchmark::ClobberMemory();
  }
  EVP_MD_free(md);
}
BENCHMARK(BM_Sha512_OpenSSL_EvpDigest)->Arg(100)->Arg(1024);

void BM_Sha512_Sotto(benchmark::State& state) {
  const Bytes msg = random_bytes(static_cast<std::size_t>(state.range(0)));
  for (auto _ : state) benchmark::DoNotOptimize(sc::sha512(msg));
}
BENCHMARK(BM_Sha512_Sotto)->Arg(100)->Arg(1024);

void BM_Sha512_SottoIncremental(benchmark::State& state) {
  // Fingerprint iterations hash ~65 bytes with a fresh incremental hasher.
  const Bytes msg = random_bytes(static_cast<std::size_t>(state.range(0)));
  for (auto _ : state) {
    sc::Sha512 h;
    h.update(msg);
    benchmark::DoNotOptimize(h.finish());
  }
}
BENCHMARK(BM_Sha512_SottoIncremental)->Arg(100);

// Two independent 97-byte messages (a safety-number iteration for both
// parties): two sha512() calls against one sha512_x2().
void BM_Sha512_97B_TwoCalls_Sotto(benchmark::State& state) {
  Bytes a = random_bytes(97), b = random_bytes(97);
  sc::Sha512Digest da{}, db{};
  for (auto _ : state) {
    da = sc::sha512(a);
    db = sc::sha512(b);
    a[0] = da[0];  // chain the iterations, as the fingerprint does
    b[0] = db[0];
  }
}
BENCHMARK(BM_Sha512_97B_TwoCalls_Sotto);

void BM_Sha512_97B_X2_Sotto(benchmark::State& state) {
  Bytes a = random_bytes(97), b = random_bytes(97);
  sc::Sha512Digest da{}, db{};
  for (auto _ : state) {
    sc::sha512_x2(a, b, da, db);
    a[0] = da[0];
    b[0] = db[0];
  }
}
BENCHMARK(BM_Sha512_97B_X2_Sotto);

// ---- AES, 100-byte messages ----------------------------------------------------

void BM_Aes256Cbc_Encrypt_OpenSSL_NewCtx(benchmark::State& state) {
  const Bytes key = random_bytes(32), iv = random_bytes(16), msg = random_bytes(100);
  Bytes out(msg.size() + 16);
  for (auto _ : state) {
    EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
    int n1 = 0, n2 = 0;
    EVP_EncryptInit_ex(ctx, EVP_aes_256_cbc(), nullptr, key.data(), iv.data());
    EVP_EncryptUpdate(ctx, out.data(), &n1, msg.data(), static_cast<int>(msg.size()));
    EVP_EncryptFinal_ex(ctx, out.data() + n1, &n2);
    EVP_CIPHER_CTX_free(ctx);
    benchmark::ClobberMemory();
  }
}
BENCHMARK(BM_Aes256Cbc_Encrypt_OpenSSL_NewCtx);

void BM_Aes256Cbc_Encrypt_Sotto(benchmark::State& state) {
  const Bytes key = random_bytes(32), iv = random_bytes(16), msg = random_bytes(100);
  for (auto _ : state) benchmark::DoNotOptimize(sc::aes_cbc_encrypt(key, iv, msg));
}
BENCHMARK(BM_Aes256Cbc_Encrypt_Sotto);

void BM_Aes256Cbc_Decrypt_Sotto(benchmark::State& state) {
  const Bytes key = random_bytes(32), iv = random_bytes(16);
  const Bytes ct = *sc::aes_cbc_encrypt(key, iv, random_bytes(100));
  for (auto _ : state) benchmark::DoNotOptimize(sc::aes_cbc_decrypt(key, iv, ct));
}
BENCHMARK(BM_Aes256Cbc_Decrypt_Sotto);

void BM_Aes256Gcm_Seal_OpenSSL_NewCtx(benchmark::State& state) {
  const Bytes key = random_bytes(32), nonce = random_bytes(12), msg = random_bytes(100);
  Bytes out(msg.size() + 16);
  for (auto _ : state) {
    EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
    int n1 = 0, n2 = 0;
    EVP_EncryptInit_ex(ctx, EVP_aes_256_gcm(), nullptr, key.data(), nonce.data());
    EVP_EncryptUpdate(ctx, out.data(), &n1, msg.data(), static_cast<int>(msg.size()));
    EVP_EncryptFinal_ex(ctx, out.data() + n1, &n2);
    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, 16, out.data() + msg.size());
    EVP_CIPHER_CTX_free(ctx);
    benchmark::ClobberMemory();
  }
}
BENCHMARK(BM_Aes256Gcm_Seal_OpenSSL_NewCtx);

void BM_Aes256Gcm_Seal_Sotto(benchmark::State& state) {
  const Bytes key = random_bytes(32), nonce = random_bytes(12), msg = random_bytes(100);
  for (auto _ : state) benchmark::DoNotOptimize(sc::aes_gcm_seal(key, nonce, {}, msg));
}
BENCHMARK(BM_Aes256Gcm_Seal_Sotto);

void BM_Aes256Gcm_Open_Sotto(benchmark::State& state) {
  const Bytes key = random_bytes(32), nonce = random_bytes(12);
  const Bytes sealed = *sc::aes_gcm_seal(key, nonce, {}, random_bytes(100));
  for (auto _ : state) benchmark::DoNotOptimize(sc::aes_gcm_open(key, nonce, {}, sealed));
}
BENCHMARK(BM_Aes256Gcm_Open_Sotto);

// ---- XEdDSA over a 33-byte signed-prekey serialization --------------------------

void BM_XEdDSA_Sign_Sotto(benchmark::State& state) {
  auto kp = sc::x25519_generate(sc::os_rng());
  const Bytes msg = random_bytes(33);
  for (auto _ : state) benchmark::DoNotOptimize(sc::xeddsa_sign(kp.private_key, msg, sc::os_rng()));
}
BENCHMARK(BM_XEdDSA_Sign_Sotto);

void BM_XEdDSA_Verify_Sotto(benchmark::State& state) {
  auto kp = sc::x25519_generate(sc::os_rng());
  const Bytes msg = random_bytes(33);
  const auto sig = sc::xeddsa_sign(kp.private_key, msg, sc::os_rng());
  for (auto _ : state) {
    if (!sc::xeddsa_verify(kp.public_key, msg, sig)) state.SkipWithError("verify failed");
  }
}
BENCHMARK(BM_XEdDSA_Verify_Sotto);

// A different key every time (64 in rotation, more than the verifier's key
// cache holds): the cost of verifying a key seen once, e.g. a prekey bundle.
void BM_XEdDSA_Verify_ManyKeys_Sotto(benchmark::State& state) {
  const Bytes msg = random_bytes(33);
  std::vector<sc::X25519Public> keys;
  std::vector<sc::XEdDSASignature> sigs;
  for (int i = 0; i < 64; ++i) {
    auto kp = sc::x25519_generate(sc::os_rng());
    keys.push_back(kp.public_key);
    sigs.push_back(sc::xeddsa_sign(kp.private_key, msg, sc::os_rng()));
  }
  std::size_t i = 0;
  for (auto _ : state) {
    if (!sc::xeddsa_verify(keys[i % 64], msg, sigs[i % 64])) state.SkipWithError("verify failed");
    ++i;
  }
}
BENCHMARK(BM_XEdDSA_Verify_ManyKeys_Sotto);

// libsodium's Ed25519 verification alone, which XEdDSA verification used
// before our own verifier (lib/crypto/src/ed25519_verify.cpp).
void BM_Ed25519_Verify_Libsodium(benchmark::State& state) {
  init_sodium();
  std::array<std::uint8_t, crypto_sign_PUBLICKEYBYTES> pk{};
  std::array<std::uint8_t, crypto_sign_SECRETKEYBYTES> sk{};
  crypto_sign_keypair(pk.data(), sk.data());
  const Bytes msg = random_bytes(33);
  std::array<std::uint8_t, crypto_sign_BYTES> sig{};
  crypto_sign_detached(sig.data(), nullptr, msg.data(), msg.size(), sk.data());
  for (auto _ : state) {
    if (crypto_sign_verify_detached(sig.data(), msg.data(), msg.size(), pk.data()) != 0) {
      state.SkipWithError("verify failed");
    }
  }
}
BENCHMARK(BM_Ed25519_Verify_Libsodium);

}  // namespace
