// SPDX-License-Identifier: Apache-2.0
// A minimal protobuf field walker, written here so the runner can locate fields
// in wire messages without linking the wire layer under test (a bug there must
// not be able to hide itself from the interop checks).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "sotto/core/bytes.hpp"
#include "sotto/core/result.hpp"

namespace sotto::interop {

struct ProtoField {
  std::uint32_t number = 0;
  std::uint8_t wire_type = 0;   // 0 varint, 1 fixed64, 2 length-delimited, 5 fixed32
  std::size_t begin = 0;        // offset of the field's key (tag) byte
  std::size_t value_begin = 0;  // offset of the value (for wire type 2: of the length)
  std::size_t end = 0;          // one past the value's last byte
  std::uint64_t varint = 0;     // the value, for wire type 0
};

// Splits `data` into its top-level fields, in order, with offsets relative to
// `data`. Fails (Errc::invalid_message) on truncation, a group wire type or a
// varint longer than ten bytes.
[[nodiscard]] Result<std::vector<ProtoField>> walk_protobuf(ByteView data);

}  // namespace sotto::interop
