// SPDX-License-Identifier: Apache-2.0
// The crypto provider libsignal-protocol-c asks its host for (random bytes,
// HMAC-SHA256, SHA-512, AES-CBC/PKCS5 and AES-CTR), implemented with OpenSSL
// EVP, and an owning signal_context that uses it.
//
// Test-only code: it links the GPL library and is used by the interop peer
// (sotto-proto-c) and the XEdDSA cross test, never by anything we ship.
#pragma once

#include <signal_protocol.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace sotto::peer_c {

// Where a context's randomness comes from. The library draws every private
// key, base key and signature nonce through it.
class RandomSource {
 public:
  virtual ~RandomSource() = default;
  // Fills out[0..len); false if no bytes could be produced.
  virtual bool fill(std::uint8_t* out, std::size_t len) = 0;
};

// The OS CSPRNG (OpenSSL RAND_bytes).
std::unique_ptr<RandomSource> make_os_random();

// A reproducible stream: the AES-256-CTR keystream of `seed` (zero IV). Only
// for tests that want the same keys on every run; the same seed always gives
// the same bytes however reads are split.
std::unique_ptr<RandomSource> make_seeded_random(const std::array<std::uint8_t, 32>& seed);

// A provider table whose callbacks use OpenSSL and draw randomness from
// `random` (stored as the table's user_data; the caller keeps it alive).
signal_crypto_provider make_crypto_provider(RandomSource* random);

// An owning signal_context with the provider above installed. The library's
// log lines are kept (the last few hundred) because it reports several
// distinct failures under one code and tells them apart only in the log, e.g.
// "Over 2000 messages into the future!" is SG_ERR_INVALID_MESSAGE.
// Not thread-safe: one context per thread.
class Context {
 public:
  // nullptr when the library cannot allocate a context.
  static std::unique_ptr<Context> create(std::unique_ptr<RandomSource> random);
  ~Context();
  Context(const Context&) = delete;
  Context& operator=(const Context&) = delete;

  [[nodiscard]] signal_context* get() const { return ctx_; }

  void clear_log() { log_.clear(); }
  // True when a line logged since the last clear_log() contains `needle`.
  [[nodiscard]] bool log_contains(std::string_view needle) const;
  [[nodiscard]] const std::vector<std::string>& log() const { return log_; }

 private:
  explicit Context(std::unique_ptr<RandomSource> random);
  static void on_log(int level, const char* message, std::size_t len, void* user_data);

  std::unique_ptr<RandomSource> random_;
  signal_context* ctx_ = nullptr;
  std::vector<std::string> log_;
  bool echo_log_ = false;  // SOTTO_PEER_C_LOG set: copy library logs to stderr
};

}  // namespace sotto::peer_c
