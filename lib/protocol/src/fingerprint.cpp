// SPDX-License-Identifier: Apache-2.0
// Safety numbers as libsignal computes them (spec/signal-wire.md §7).
#include "sotto/protocol/fingerprint.hpp"

#include <algorithm>
#include <array>
#include <cstdio>

#include "sotto/crypto/ct.hpp"
#include "sotto/crypto/hash.hpp"
#include "sotto/wire/fingerprint.hpp"

namespace sotto::protocol {
namespace {

constexpr std::uint32_t kMinIterations = 2;
constexpr std::uint32_t kMaxIterations = 1'000'000;
constexpr std::size_t kScannableSize = 32;
constexpr std::uint8_t kHashVersion[2] = {0x00, 0x00};

// H0 = SHA512(0x0000 || key || id || key); the caller then iterates
// H = SHA512(H || key) until `iterations` hashes in all. The repetition makes a
// brute-force search for a colliding key cost `iterations` times more.
crypto::Sha512Digest first_hash(ByteView id, const PublicKey& key) {
  auto serialized = key.serialize();
  crypto::Sha512 first;
  first.update(kHashVersion);
  first.update(serialized);
  first.update(id);
  first.update(serialized);
  return first.finish();
}

// Both sides' chains are independent, so they are hashed together: two SIMD
// lanes where the CPU has them (crypto::sha512_x2).
void iterate_both(std::uint32_t iterations, const PublicKey& local_key, crypto::Sha512Digest& local,
                  const PublicKey& remote_key, crypto::Sha512Digest& remote) {
  std::array<std::uint8_t, sizeof(local) + kSerializedPublicKeySize> local_buffer;
  std::array<std::uint8_t, sizeof(remote) + kSerializedPublicKeySize> remote_buffer;
  auto local_serialized = local_key.serialize();
  auto remote_serialized = remote_key.serialize();
  std::copy(local_serialized.begin(), local_serialized.end(), local_buffer.begin() + local.size());
  std::copy(remote_serialized.begin(), remote_serialized.end(),
            remote_buffer.begin() + remote.size());
  for (std::uint32_t i = 1; i < iterations; ++i) {
    std::copy(local.begin(), local.end(), local_buffer.begin());
    std::copy(remote.begin(), remote.end(), remote_buffer.begin());
    crypto::sha512_x2(local_buffer, remote_buffer, local, remote);
  }
}

// Six 5-byte big-endian chunks, each mod 100000 and zero-padded: 30 digits.
std::string display_digits(const crypto::Sha512Digest& hash) {
  std::string out;
  out.reserve(30);
  for (std::size_t chunk = 0; chunk < 6; ++chunk) {
    std::uint64_t value = 0;
    for (std::size_t i = 0; i < 5; ++i) value = (value << 8) | hash[chunk * 5 + i];
    char digits[6];
    std::snprintf(digits, sizeof digits, "%05u", static_cast<unsigned>(value % 100000));
    out.append(digits, 5);
  }
  return out;
}

}  // namespace

Result<Fingerprint> compute_fingerprint(std::uint32_t scannable_version, std::uint32_t iterations,
                                        ByteView local_id, const PublicKey& local_key,
                                        ByteView remote_id, const PublicKey& remote_key) {
  if (iterations < kMinIterations || iterations > kMaxIterations) {
    return fail(Errc::bad_request, "fingerprint iterations must be within 2..1000000");
  }
  auto local = first_hash(local_id, local_key);
  auto remote = first_hash(remote_id, remote_key);
  iterate_both(iterations, local_key, local, remote_key, remote);

  auto local_digits = display_digits(local);
  auto remote_digits = display_digits(remote);
  Fingerprint fp;
  // Ascending order, so both sides show the same 60 digits.
  fp.displayable = local_digits <= remote_digits ? local_digits + remote_digits
                                                 : remote_digits + local_digits;
  wire::CombinedFingerprints combined;
  combined.version = scannable_version;
  combined.local.assign(local.begin(), local.begin() + kScannableSize);
  combined.remote.assign(remote.begin(), remote.begin() + kScannableSize);
  fp.scannable = wire::encode_combined_fingerprints(combined);
  return fp;
}

Result<bool> compare_scannable(ByteView ours, ByteView theirs) {
  auto a = wire::parse_combined_fingerprints(ours);
  if (!a) return tl::unexpected(a.error());
  auto b = wire::parse_combined_fingerprints(theirs);
  if (!b) return tl::unexpected(b.error());
  if (a->version != b->version) return fail(Errc::unknown_version, "scannable versions differ");
  // Their view of us must be our view of us, and the other way round.
  bool local_matches = crypto::ct_equal(a->local, b->remote);
  bool remote_matches = crypto::ct_equal(a->remote, b->local);
  return local_matches && remote_matches;
}

}  // namespace sotto::protocol
