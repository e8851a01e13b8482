// SPDX-License-Identifier: Apache-2.0
// A hand-rolled protobuf writer for tests. It is independent of the generated
// code on purpose: the tests state the expected wire bytes themselves, and can
// build inputs protoc never would (missing fields, odd orders, duplicates).
#pragma once

#include <cstddef>
#include <cstdint>

#include "sotto/core/bytes.hpp"

namespace sotto::wire::test {

class PbWriter {
 public:
  PbWriter& varint(std::uint32_t field, std::uint64_t value) {
    put_varint((static_cast<std::uint64_t>(field) << 3) | 0);
    put_varint(value);
    return *this;
  }
  PbWriter& bytes(std::uint32_t field, ByteView value) {
    put_varint((static_cast<std::uint64_t>(field) << 3) | 2);
    put_varint(value.size());
    append(out_, value);
    return *this;
  }
  PbWriter& raw(ByteView value) {
    append(out_, value);
    return *this;
  }
  [[nodiscard]] Bytes finish() const { return out_; }

 private:
  void put_varint(std::uint64_t v) {
    while (v >= 0x80) {
      out_.push_back(static_cast<std::uint8_t>(v | 0x80));
      v >>= 7;
    }
    out_.push_back(static_cast<std::uint8_t>(v));
  }

  Bytes out_;
};

// `size` bytes counting up from `first`: distinguishable, recognisable contents.
inline Bytes pattern(std::size_t size, std::uint8_t first) {
  Bytes out(size);
  for (std::size_t i = 0; i < size; ++i) out[i] = static_cast<std::uint8_t>(first + i);
  return out;
}

// A 33-byte public key shape (0x05 || 32 bytes).
inline Bytes key33(std::uint8_t first) {
  Bytes k = pattern(33, first);
  k[0] = 0x05;
  return k;
}

// version_byte || protobuf || trailer.
inline Bytes frame(std::uint8_t version, ByteView protobuf, ByteView trailer = {}) {
  return concat({ByteView(&version, 1), protobuf, trailer});
}

}  // namespace sotto::wire::test
