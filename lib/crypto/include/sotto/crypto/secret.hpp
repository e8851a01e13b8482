// SPDX-License-Identifier: Apache-2.0
// Types for secret bytes. They are move-only, wiped when destroyed or moved from,
// cannot be printed or ordered, and hand out their bytes only through expose().
// Everything secret (private keys, chain and message keys, shared secrets)
// lives in one of these; public data uses sotto::Bytes.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

#include "sotto/core/bytes.hpp"

namespace sotto::crypto {

// Overwrites memory in a way the compiler cannot elide (sodium_memzero).
void secure_wipe(void* data, std::size_t size) noexcept;

// Fixed-size secret, e.g. SecretKey<32> for an X25519 private key or a chain key.
template <std::size_t N>
class SecretKey {
 public:
  static constexpr std::size_t kSize = N;

  SecretKey() noexcept { bytes_.fill(0); }
  // Copies `src` (which must hold exactly N bytes) in; the caller wipes its own copy.
  static SecretKey from(ByteView src) noexcept {
    SecretKey k;
    for (std::size_t i = 0; i < N && i < src.size(); ++i) k.bytes_[i] = src[i];
    return k;
  }
  ~SecretKey() { secure_wipe(bytes_.data(), N); }

  SecretKey(const SecretKey&) = delete;
  SecretKey& operator=(const SecretKey&) = delete;
  SecretKey(SecretKey&& other) noexcept : bytes_(other.bytes_) { secure_wipe(other.bytes_.data(), N); }
  SecretKey& operator=(SecretKey&& other) noexcept {
    if (this != &other) {
      bytes_ = other.bytes_;
      secure_wipe(other.bytes_.data(), N);
    }
    return *this;
  }

  // An explicit, greppable copy: secrets are duplicated only on purpose.
  [[nodiscard]] SecretKey clone() const noexcept { return from(expose()); }

  [[nodiscard]] std::span<const std::uint8_t, N> expose() const noexcept { return bytes_; }
  [[nodiscard]] std::span<std::uint8_t, N> mutable_bytes() noexcept { return bytes_; }
  [[nodiscard]] static constexpr std::size_t size() noexcept { return N; }

 private:
  std::array<std::uint8_t, N> bytes_;
};

// Variable-size secret. The buffer is allocated once and never grows, so no
// unwiped copy is left behind by reallocation.
class SecretBytes {
 public:
  SecretBytes() noexcept = default;
  explicit SecretBytes(std::size_t size);  // zero-filled
  static SecretBytes from(ByteView src);
  ~SecretBytes();

  SecretBytes(const SecretBytes&) = delete;
  SecretBytes& operator=(const SecretBytes&) = delete;
  SecretBytes(SecretBytes&& other) noexcept;
  SecretBytes& operator=(SecretBytes&& other) noexcept;

  [[nodiscard]] SecretBytes clone() const { return from(expose()); }
  [[nodiscard]] ByteView expose() const noexcept { return {data_.get(), size_}; }
  [[nodiscard]] std::span<std::uint8_t> mutable_bytes() noexcept { return {data_.get(), size_}; }
  [[nodiscard]] std::size_t size() const noexcept { return size_; }
  [[nodiscard]] bool empty() const noexcept { return size_ == 0; }

 private:
  std::unique_ptr<std::uint8_t[]> data_;
  std::size_t size_ = 0;
};

}  // namespace sotto::crypto
