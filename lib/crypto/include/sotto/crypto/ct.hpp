// SPDX-License-Identifier: Apache-2.0
// Constant-time comparison for MACs, tags, fingerprints and key matches.
#pragma once

#include "sotto/core/bytes.hpp"

namespace sotto::crypto {

// True when a and b have the same length and the same bytes. The time taken
// depends only on the lengths, never on where the first difference is.
[[nodiscard]] bool ct_equal(ByteView a, ByteView b) noexcept;

// True when every byte is zero, in time that depends only on the length.
[[nodiscard]] bool ct_is_zero(ByteView a) noexcept;

}  // namespace sotto::crypto
