// SPDX-License-Identifier: Apache-2.0
// Public bytes (keys, ciphertexts, wire messages). Secrets never live here: see
// sotto/crypto/secret.hpp.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <span>
#include <string_view>
#include <vector>

namespace sotto {

using Bytes = std::vector<std::uint8_t>;
using ByteView = std::span<const std::uint8_t>;

inline ByteView as_bytes(std::string_view s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

inline Bytes to_bytes(std::string_view s) {
  auto v = as_bytes(s);
  return Bytes(v.begin(), v.end());
}

inline std::string_view as_string(ByteView b) {
  return {reinterpret_cast<const char*>(b.data()), b.size()};
}

// Concatenates views into one buffer (one allocation).
inline Bytes concat(std::initializer_list<ByteView> parts) {
  std::size_t n = 0;
  for (auto p : parts) n += p.size();
  Bytes out;
  out.reserve(n);
  for (auto p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

inline void append(Bytes& out, ByteView part) { out.insert(out.end(), part.begin(), part.end()); }

}  // namespace sotto
