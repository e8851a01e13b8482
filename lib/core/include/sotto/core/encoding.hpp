// SPDX-License-Identifier: Apache-2.0
// Text encodings for public data (driver JSON, test vectors, logs of public keys).
// Decoders are strict: any character outside the alphabet, a wrong length or
// wrong padding is Errc::invalid_encoding.
#pragma once

#include <string>
#include <string_view>

#include "sotto/core/bytes.hpp"
#include "sotto/core/result.hpp"

namespace sotto {

std::string hex_encode(ByteView data);
Result<Bytes> hex_decode(std::string_view text);

// Standard alphabet (RFC 4648 §4) with '=' padding.
std::string base64_encode(ByteView data);
Result<Bytes> base64_decode(std::string_view text);

}  // namespace sotto
