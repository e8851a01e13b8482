// SPDX-License-Identifier: Apache-2.0
// The scannable safety-number encoding (spec/signal-wire.md §5 "Fingerprint", §7):
// CombinedFingerprints{1: version, 2: local{1: content}, 3: remote{1: content}}.
#pragma once

#include <cstdint>

#include "sotto/core/bytes.hpp"
#include "sotto/core/result.hpp"

namespace sotto::wire {

struct CombinedFingerprints {
  std::uint32_t version = 0;
  Bytes local;   // 32 bytes
  Bytes remote;  // 32 bytes
};

Bytes encode_combined_fingerprints(const CombinedFingerprints& fingerprints);
// invalid_message when malformed or a part is missing.
Result<CombinedFingerprints> parse_combined_fingerprints(ByteView serialized);

}  // namespace sotto::wire
