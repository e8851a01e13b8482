// SPDX-License-Identifier: Apache-2.0
// The server's TLS 1.3 record input on arbitrary bytes. Two halves:
// - the raw stream: what a client can put on the socket after the handshake
//   goes through complete_record_size() and open() the way the session does
//   (almost every record fails its tag: the point is the header checks and
//   the sizes handed to OpenSSL);
// - sealed chunks: the input is cut into chunks, each sealed with the
//   client's key as a record of a type the first byte picks, so the inner
//   plaintext parsing (content type, padding, size) sees fuzzer-made
//   plaintexts that authenticate.
#include <cstddef>
#include <cstdint>
#include <span>

#include "fuzz_check.hpp"
#include "sotto/core/bytes.hpp"
#include "sotto/transport/tls13_record.hpp"

namespace {

using namespace sotto::transport;

sotto::crypto::SecretKey<32> fixed_secret(std::uint8_t fill) {
  sotto::crypto::SecretKey<32> key;
  for (auto& byte : key.mutable_bytes()) byte = fill;
  return key;
}

void raw_stream(std::span<const std::uint8_t> input) {
  sotto::Bytes stream(input.begin(), input.end());
  Tls13Direction reader(Tls13Cipher::aes_128_gcm, fixed_secret(1));
  std::size_t at = 0;
  while (at < stream.size()) {
    const auto size = complete_record_size(sotto::ByteView(stream).subspan(at));
    if (!size) return;
    if (*size == 0) {
      SOTTO_FUZZ_CHECK(stream.size() - at < tls13::kMaxRecord);
      return;
    }
    SOTTO_FUZZ_CHECK(*size <= tls13::kMaxRecord && at + *size <= stream.size());
    const auto opened = reader.open(std::span<std::uint8_t>(stream).subspan(at, *size));
    if (!opened) return;  // a forged tag: the session sends bad_record_mac and cuts
    SOTTO_FUZZ_CHECK(opened->plaintext.size() <= tls13::kMaxPlaintext);
    at += *size;
  }
}

void sealed_chunks(std::span<const std::uint8_t> input) {
  if (input.size() < 2) return;
  const auto cipher =
      (input[0] & 1) != 0 ? Tls13Cipher::chacha20_poly1305 : Tls13Cipher::aes_128_gcm;
  const std::size_t chunk = 1 + input[1] % 64;
  input = input.subspan(2);
  Tls13Direction writer(cipher, fixed_secret(2));
  Tls13Direction reader(cipher, fixed_secret(2));
  for (std::size_t at = 0; at < input.size(); at += chunk) {
    const auto piece = input.subspan(at, std::min(chunk, input.size() - at));
    // The first byte of the piece is the inner content type, as a client's
    // record layer would write it (zeros after it read as padding).
    sotto::Bytes record;
    const std::size_t start = Tls13Direction::begin(record);
    record.insert(record.end(), piece.begin() + 1, piece.end());
    SOTTO_FUZZ_CHECK(writer.seal(record, start, piece[0]));
    const auto size = complete_record_size(record);
    SOTTO_FUZZ_CHECK(size && *size == record.size());
    const auto opened = reader.open(record);
    if (piece[0] == 0 && piece.size() == 1) {
      SOTTO_FUZZ_CHECK(!opened && opened.error().alert == tls13::kUnexpectedMessage);
      return;
    }
    if (!opened) {
      // Only an all-zero inner plaintext fails: the type byte was 0 and so
      // was everything before it.
      SOTTO_FUZZ_CHECK(opened.error().alert == tls13::kUnexpectedMessage && piece[0] == 0);
      return;
    }
    SOTTO_FUZZ_CHECK(opened->content_type != 0);
    SOTTO_FUZZ_CHECK(opened->plaintext.size() < piece.size());
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::span<const std::uint8_t> input(data, size);
  raw_stream(input);
  sealed_chunks(input);
  return 0;
}
