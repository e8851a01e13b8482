// SPDX-License-Identifier: Apache-2.0
// HKDF-SHA256, RFC 5869, on our HMAC.
#include <algorithm>
#include <array>
#include <cassert>
#include <cstdlib>
#include <cstring>

#include "evp_digest.hpp"
#include "sotto/crypto/hash.hpp"

namespace sotto::crypto {

namespace {
constexpr std::size_t kHashLen = 32;
constexpr std::size_t kMaxOut = 255 * kHashLen;  // RFC 5869 §2.3: L <= 255*HashLen
}  // namespace

void hkdf_sha256(ByteView salt, ByteView ikm, ByteView info, std::span<std::uint8_t> out) {
  // A wrong length is a programming error (every length in the protocol is a
  // constant), so it aborts rather than returning an error nobody can handle.
  assert(!out.empty() && out.size() <= kMaxOut);
  if (out.empty() || out.size() > kMaxOut) std::abort();

  // Extract: PRK = HMAC(salt, IKM); an absent salt is HashLen zero bytes.
  static constexpr std::array<std::uint8_t, kHashLen> kZeroSalt{};
  SecretKey<kHashLen> prk;
  detail::hmac_sha256_parts(salt.empty() ? ByteView(kZeroSalt) : salt, {ikm},
                            prk.mutable_bytes().data());

  // Expand: T(i) = HMAC(PRK, T(i-1) || info || i), T(0) empty.
  SecretKey<kHashLen> t;
  std::size_t done = 0;
  for (std::uint8_t i = 1; done < out.size(); ++i) {
    const std::uint8_t counter[1] = {i};
    const ByteView previous = i == 1 ? ByteView() : ByteView(t.expose());
    // Writing T(i) over T(i-1) is safe: the parts are consumed before the output is written.
    detail::hmac_sha256_parts(prk.expose(), {previous, info, counter}, t.mutable_bytes().data());
    const std::size_t take = std::min(kHashLen, out.size() - done);
    std::memcpy(out.data() + done, t.expose().data(), take);
    done += take;
  }
}

SecretBytes hkdf_sha256(ByteView salt, ByteView ikm, ByteView info, std::size_t length) {
  SecretBytes out(length);
  hkdf_sha256(salt, ikm, info, out.mutable_bytes());
  return out;
}

}  // namespace sotto::crypto
