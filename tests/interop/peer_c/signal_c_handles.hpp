// SPDX-License-Identifier: Apache-2.0
// Owning handles for objects allocated by libsignal-protocol-c, so that every
// early return in the peer driver releases what the C library handed out.
// Test-only code: linked with the GPL library, never into anything we ship.
#pragma once

#include <signal_protocol.h>

#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

namespace sotto::peer_c {

// One reference to a reference-counted library object (every such type starts
// with a signal_type_base header).
template <class T>
class Ref {
 public:
  Ref() = default;
  explicit Ref(T* adopted) : p_(adopted) {}
  ~Ref() { reset(); }
  Ref(const Ref&) = delete;
  Ref& operator=(const Ref&) = delete;
  Ref(Ref&& other) noexcept : p_(std::exchange(other.p_, nullptr)) {}
  Ref& operator=(Ref&& other) noexcept {
    if (this != &other) {
      reset();
      p_ = std::exchange(other.p_, nullptr);
    }
    return *this;
  }

  void reset() {
    if (p_ != nullptr) signal_type_unref(reinterpret_cast<signal_type_base*>(p_));
    p_ = nullptr;
  }
  // For library "T **out" parameters; drops what was held before.
  T** out() {
    reset();
    return &p_;
  }
  [[nodiscard]] T* get() const { return p_; }
  explicit operator bool() const { return p_ != nullptr; }

 private:
  T* p_ = nullptr;
};

// A signal_buffer; wiped when freed because many of them carry key material.
class Buffer {
 public:
  Buffer() = default;
  explicit Buffer(signal_buffer* adopted) : b_(adopted) {}
  ~Buffer() { reset(); }
  Buffer(const Buffer&) = delete;
  Buffer& operator=(const Buffer&) = delete;
  Buffer(Buffer&& other) noexcept : b_(std::exchange(other.b_, nullptr)) {}
  Buffer& operator=(Buffer&& other) noexcept {
    if (this != &other) {
      reset();
      b_ = std::exchange(other.b_, nullptr);
    }
    return *this;
  }

  void reset() {
    if (b_ != nullptr) signal_buffer_bzero_free(b_);
    b_ = nullptr;
  }
  signal_buffer** out() {
    reset();
    return &b_;
  }
  [[nodiscard]] signal_buffer* get() const { return b_; }
  [[nodiscard]] const std::uint8_t* data() const {
    return b_ ? signal_buffer_const_data(b_) : nullptr;
  }
  [[nodiscard]] std::size_t size() const { return b_ ? signal_buffer_len(b_) : 0; }
  [[nodiscard]] std::vector<std::uint8_t> bytes() const { return {data(), data() + size()}; }

 private:
  signal_buffer* b_ = nullptr;
};

// For the library's non-refcounted objects, each with its own *_free function.
template <auto Free>
struct FreeWith {
  template <class T>
  void operator()(T* p) const {
    Free(p);
  }
};
template <class T, auto Free>
using Owned = std::unique_ptr<T, FreeWith<Free>>;

}  // namespace sotto::peer_c
