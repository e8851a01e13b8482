// SPDX-License-Identifier: Apache-2.0
// TLS 1.3 record protection after the handshake (RFC 8446 §5, §7.1–7.3), for
// connections that OpenSSL handshakes and then hands over (tls13_handover).
//
// Why our own: OpenSSL keeps ~13.5 KB of state per connection (the SSL
// object, its record layer and cipher contexts) for as long as the
// connection lives, which is most of a messenger server's memory per idle
// device. After the handshake all a direction needs is its traffic secret,
// key, IV and sequence number: ~100 bytes. The AEAD itself is still
// OpenSSL's (EVP), with one reusable context per thread and cipher.
//
// Only the two SHA-256 suites are offered (tls_context.cpp):
// TLS_AES_128_GCM_SHA256 (the one every TLS 1.3 peer must implement) and
// TLS_CHACHA20_POLY1305_SHA256.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include "sotto/core/bytes.hpp"
#include "sotto/core/result.hpp"
#include "sotto/crypto/secret.hpp"

namespace sotto::transport {

enum class Tls13Cipher : std::uint8_t { aes_128_gcm, chacha20_poly1305 };

namespace tls13 {
inline constexpr std::size_t kHeader = 5;
inline constexpr std::size_t kTag = 16;
inline constexpr std::size_t kMaxPlaintext = 16384;                  // 2^14
inline constexpr std::size_t kMaxCiphertext = kMaxPlaintext + 256;   // §5.2
inline constexpr std::size_t kMaxRecord = kHeader + kMaxCiphertext;  // on the wire

// Content types (§5.1).
inline constexpr std::uint8_t kAlert = 21;
inline constexpr std::uint8_t kHandshake = 22;
inline constexpr std::uint8_t kApplicationData = 23;

// Alert descriptions we send or look for (§6).
inline constexpr std::uint8_t kCloseNotify = 0;
inline constexpr std::uint8_t kUnexpectedMessage = 10;
inline constexpr std::uint8_t kBadRecordMac = 20;
inline constexpr std::uint8_t kRecordOverflow = 22;
inline constexpr std::uint8_t kIllegalParameter = 47;
inline constexpr std::uint8_t kDecodeError = 50;

// A sender rolls its keys (KeyUpdate) after this many records: well below
// AES-GCM's limit of 2^24.5 full-size records per key (§5.5).
inline constexpr std::uint64_t kRecordsPerKey = std::uint64_t{1} << 23;
}  // namespace tls13

// Why a record could not be taken: the alert to answer with.
struct RecordError {
  std::uint8_t alert = tls13::kDecodeError;
};

// The size of the whole record at the front of `input` once it has all
// arrived, 0 while it has not. Refuses (record_overflow / unexpected_message)
// from the header alone, so no more than kMaxRecord bytes ever wait here.
tl::expected<std::size_t, RecordError> complete_record_size(ByteView input) noexcept;

struct OpenedRecord {
  std::uint8_t content_type = 0;
  std::span<std::uint8_t> plaintext;  // inside the record given to open()
};

// One direction of a connection: the current traffic secret and the key, IV
// and sequence number derived from it. Not thread-safe (one strand).
class Tls13Direction {
 public:
  Tls13Direction() = default;
  Tls13Direction(Tls13Cipher cipher, crypto::SecretKey<32> traffic_secret);

  // KeyUpdate (§4.6.3, §7.2): the next generation of traffic secret.
  void update();

  // Records sealed or opened under the current key.
  [[nodiscard]] std::uint64_t sequence() const noexcept { return sequence_; }

  // Sealing in place: begin() appends a header's room and returns where the
  // record starts; the caller appends at most kMaxPlaintext bytes of
  // content; seal() adds the content type and tag and fills in the header.
  static std::size_t begin(Bytes& out);
  [[nodiscard]] Status seal(Bytes& out, std::size_t record_start, std::uint8_t content_type);
  // A whole record holding `content`, appended to out.
  [[nodiscard]] Status seal_record(Bytes& out, std::uint8_t content_type, ByteView content);
  // `plaintext` as application data, in as many records as it takes (at
  // most 2^14 bytes each), appended to out.
  [[nodiscard]] Status seal_application_data(Bytes& out, ByteView plaintext);
  // A KeyUpdate (update_not_requested) sealed under the current key, then
  // the next key (§4.6.3): what a sender does when asked, or when this key has
  // sealed kRecordsPerKey records.
  [[nodiscard]] Status seal_key_update(Bytes& out);
  // The content of a handshake record from the peer, which after the
  // handshake may only be one KeyUpdate: rolls this (reading) direction to
  // the next key and says whether the peer asked for ours (update_requested).
  // unexpected_message for another message, decode_error for a malformed
  // one, illegal_parameter for a request value other than 0 or 1.
  tl::expected<bool, RecordError> take_key_update(ByteView content);

  // Decrypts one whole record (as sized by complete_record_size) in place.
  // bad_record_mac when it does not authenticate; unexpected_message for an
  // all-padding plaintext; record_overflow over kMaxPlaintext.
  tl::expected<OpenedRecord, RecordError> open(std::span<std::uint8_t> record);

 private:
  void derive();
  std::array<std::uint8_t, 12> nonce() const noexcept;

  Tls13Cipher cipher_ = Tls13Cipher::aes_128_gcm;
  crypto::SecretKey<32> secret_;
  crypto::SecretKey<32> key_;  // the first 16 bytes for AES-128-GCM
  crypto::SecretKey<12> iv_;
  std::uint64_t sequence_ = 0;
};

// HKDF-Expand-Label (§7.1) with SHA-256 for outputs of at most 32 bytes,
// all this layer needs. Exposed for the test against RFC 8448's trace.
void hkdf_expand_label(ByteView secret, std::string_view label, ByteView context,
                       std::span<std::uint8_t> out);

}  // namespace sotto::transport
