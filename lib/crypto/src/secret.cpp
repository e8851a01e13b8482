// SPDX-License-Identifier: Apache-2.0
#include "sotto/crypto/secret.hpp"

#include <sodium.h>

#include <algorithm>

namespace sotto::crypto {

void secure_wipe(void* data, std::size_t size) noexcept {
  if (data != nullptr && size != 0) sodium_memzero(data, size);
}

SecretBytes::SecretBytes(std::size_t size)
    : data_(size != 0 ? std::make_unique<std::uint8_t[]>(size) : nullptr), size_(size) {}

SecretBytes SecretBytes::from(ByteView src) {
  SecretBytes out(src.size());
  std::copy(src.begin(), src.end(), out.data_.get());
  return out;
}

SecretBytes::~SecretBytes() { secure_wipe(data_.get(), size_); }

// Moving hands over the heap buffer itself, so there is no second copy to wipe;
// the source is left empty.
SecretBytes::SecretBytes(SecretBytes&& other) noexcept
    : data_(std::move(other.data_)), size_(other.size_) {
  other.size_ = 0;
}

SecretBytes& SecretBytes::operator=(SecretBytes&& other) noexcept {
  if (this != &other) {
    secure_wipe(data_.get(), size_);
    data_ = std::move(other.data_);
    size_ = other.size_;
    other.size_ = 0;
  }
  return *this;
}

}  // namespace sotto::crypto
