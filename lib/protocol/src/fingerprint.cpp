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

// SHA512(0x0000 || key || id || key), then SHA512(H || key) until `iterations`
// hashes in all. The repetition makes a brute-force search for a colliding key
// cost `iterations` times more.
crypto::Sha512Digest iterated_hash(std::uint32_t iterations, ByteView id, const PublicKey& key) {
  auto serialized = key.serialize();
  crypto::Sha512 first;
  first.update(kHashVersion);
  first.update(serialized);
  first.update(id);
  first.update(serialized);
  auto hash = first.finish();
  // The loop re-hashes one fixed buffer, previous hash || key, with the
  // one-shot digest: no allocation or context set-up per iteration.
  std::array<std::uint8_t, sizeof(hash) + kSerializedPublicKeySize> buffer;
  std::copy(serialized.begin(), serialized.end(), buffer.begin() + hash.size());
  for (std::uint32_t i = 1; i < iterations; ++i) {
    std::copy(hash.begin(), hash.end(), buffer.begin());
    hash = crypto::sha512(buffer);
  }
  return hash;
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
  auto local = iterated_hash(iterations, local_id, local_key);
  auto remote = iterated_hash(iterations, remote_id, remote_key);

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
