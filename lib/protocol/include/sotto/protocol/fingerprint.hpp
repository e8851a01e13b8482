// SPDX-License-Identifier: Apache-2.0
// Safety numbers (spec/signal-wire.md §7): 60 digits people compare by eye and
// a scannable form for QR codes. Both sides compute the same digits.
#pragma once

#include <cstdint>
#include <string>

#include "sotto/core/bytes.hpp"
#include "sotto/core/result.hpp"
#include "sotto/protocol/keys.hpp"

namespace sotto::protocol {

struct Fingerprint {
  std::string displayable;  // 60 digits
  Bytes scannable;          // serialized CombinedFingerprints
};

// Signal uses iterations = 5200. Errors: bad_request for iterations outside
// 2..1'000'000.
Result<Fingerprint> compute_fingerprint(std::uint32_t scannable_version, std::uint32_t iterations,
                                        ByteView local_id, const PublicKey& local_key,
                                        ByteView remote_id, const PublicKey& remote_key);

// True when `theirs` (scanned from the other device) is the mirror of `ours`.
// Errors: unknown_version when the scannable versions differ, invalid_message
// when either cannot be parsed.
Result<bool> compare_scannable(ByteView ours, ByteView theirs);

}  // namespace sotto::protocol
