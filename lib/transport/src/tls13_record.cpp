// SPDX-License-Identifier: Apache-2.0
#include "sotto/transport/tls13_record.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <cstring>
#include <string_view>

#include "sotto/crypto/hash.hpp"

namespace sotto::transport {

namespace {

constexpr std::uint8_t kLegacyVersion[2] = {0x03, 0x03};

// One EVP context per thread, cipher and direction, keyed afresh for each
// record: a connection then holds only its key bytes, not a context of
// ~1 KB, and no context is ever shared between threads.
class AeadContext {
 public:
  AeadContext(Tls13Cipher cipher, bool encrypt) : ctx_(EVP_CIPHER_CTX_new()) {
    const EVP_CIPHER* algorithm =
        cipher == Tls13Cipher::aes_128_gcm ? EVP_aes_128_gcm() : EVP_chacha20_poly1305();
    ready_ = ctx_ != nullptr &&
             EVP_CipherInit_ex(ctx_, algorithm, nullptr, nullptr, nullptr, encrypt ? 1 : 0) == 1;
  }
  ~AeadContext() { EVP_CIPHER_CTX_free(ctx_); }
  AeadContext(const AeadContext&) = delete;
  AeadContext& operator=(const AeadContext&) = delete;

  // Null when OpenSSL could not set it up (out of memory).
  EVP_CIPHER_CTX* get() const noexcept { return ready_ ? ctx_ : nullptr; }

 private:
  EVP_CIPHER_CTX* ctx_;
  bool ready_ = false;
};

EVP_CIPHER_CTX* thread_context(Tls13Cipher cipher, bool encrypt) {
  thread_local AeadContext aes_seal(Tls13Cipher::aes_128_gcm, true);
  thread_local AeadContext aes_open(Tls13Cipher::aes_128_gcm, false);
  thread_local AeadContext chacha_seal(Tls13Cipher::chacha20_poly1305, true);
  thread_local AeadContext chacha_open(Tls13Cipher::chacha20_poly1305, false);
  if (cipher == Tls13Cipher::aes_128_gcm) return (encrypt ? aes_seal : aes_open).get();
  return (encrypt ? chacha_seal : chacha_open).get();
}

std::size_t key_size(Tls13Cipher cipher) { return cipher == Tls13Cipher::aes_128_gcm ? 16 : 32; }

void write_header(std::uint8_t* at, std::size_t ciphertext_size) {
  at[0] = tls13::kApplicationData;  // the outer type of every protected record
  at[1] = kLegacyVersion[0];
  at[2] = kLegacyVersion[1];
  at[3] = static_cast<std::uint8_t>(ciphertext_size >> 8);
  at[4] = static_cast<std::uint8_t>(ciphertext_size);
}

}  // namespace

void hkdf_expand_label(ByteView secret, std::string_view label, ByteView context,
                       std::span<std::uint8_t> out) {
  // HkdfLabel = length(2) || "tls13 " + label (1-byte length) || context
  // (1-byte length); one HMAC block suffices for out.size() <= 32:
  // T(1) = HMAC(secret, HkdfLabel || 0x01).
  constexpr std::string_view kPrefix = "tls13 ";
  std::array<std::uint8_t, 2 + 1 + 255 + 1 + 255 + 1> info{};
  std::size_t n = 0;
  info[n++] = static_cast<std::uint8_t>(out.size() >> 8);
  info[n++] = static_cast<std::uint8_t>(out.size());
  info[n++] = static_cast<std::uint8_t>(kPrefix.size() + label.size());
  n = static_cast<std::size_t>(std::copy(kPrefix.begin(), kPrefix.end(), info.begin() + n) -
                               info.begin());
  n = static_cast<std::size_t>(std::copy(label.begin(), label.end(), info.begin() + n) -
                               info.begin());
  info[n++] = static_cast<std::uint8_t>(context.size());
  n = static_cast<std::size_t>(std::copy(context.begin(), context.end(), info.begin() + n) -
                               info.begin());
  info[n++] = 0x01;
  auto block = crypto::hmac_sha256(secret, ByteView(info.data(), n));
  std::copy_n(block.begin(), std::min(out.size(), block.size()), out.begin());
  crypto::secure_wipe(block.data(), block.size());
}

tl::expected<std::size_t, RecordError> complete_record_size(ByteView input) noexcept {
  if (input.size() < tls13::kHeader) return 0;
  // After the handshake every record is protected: its outer type is
  // application_data (a change_cipher_spec is only tolerated before the
  // peer's Finished, §5).
  if (input[0] != tls13::kApplicationData || input[1] != kLegacyVersion[0] ||
      input[2] != kLegacyVersion[1]) {
    return tl::unexpected(RecordError{tls13::kUnexpectedMessage});
  }
  const std::size_t length = (std::size_t{input[3]} << 8) | input[4];
  if (length > tls13::kMaxCiphertext) return tl::unexpected(RecordError{tls13::kRecordOverflow});
  if (length < tls13::kTag + 1) return tl::unexpected(RecordError{tls13::kDecodeError});
  const std::size_t whole = tls13::kHeader + length;
  return input.size() >= whole ? whole : 0;
}

Tls13Direction::Tls13Direction(Tls13Cipher cipher, crypto::SecretKey<32> traffic_secret)
    : cipher_(cipher), secret_(std::move(traffic_secret)) {
  derive();
}

void Tls13Direction::derive() {
  hkdf_expand_label(secret_.expose(), "key", {}, key_.mutable_bytes().first(key_size(cipher_)));
  hkdf_expand_label(secret_.expose(), "iv", {}, iv_.mutable_bytes());
  sequence_ = 0;
}

void Tls13Direction::update() {
  crypto::SecretKey<32> next;
  hkdf_expand_label(secret_.expose(), "traffic upd", {}, next.mutable_bytes());
  secret_ = std::move(next);
  derive();
}

std::array<std::uint8_t, 12> Tls13Direction::nonce() const noexcept {
  // §5.3: the 64-bit sequence number, big-endian and left-padded to the IV's
  // length, XORed with the IV.
  std::array<std::uint8_t, 12> nonce;
  const auto iv = iv_.expose();
  std::copy(iv.begin(), iv.end(), nonce.begin());
  for (int i = 0; i < 8; ++i) {
    nonce[11 - i] ^= static_cast<std::uint8_t>(sequence_ >> (8 * i));
  }
  return nonce;
}

std::size_t Tls13Direction::begin(Bytes& out) {
  const std::size_t start = out.size();
  out.resize(start + tls13::kHeader);
  return start;
}

Status Tls13Direction::seal(Bytes& out, std::size_t record_start, std::uint8_t content_type) {
  const std::size_t content = out.size() - record_start - tls13::kHeader;
  if (content > tls13::kMaxPlaintext) return fail(Errc::internal, "TLS record over 2^14 bytes");
  // The sequence number must never repeat under one key (§5.3).
  if (sequence_ == UINT64_MAX) return fail(Errc::internal, "TLS sequence number exhausted");
  EVP_CIPHER_CTX* ctx = thread_context(cipher_, true);
  if (ctx == nullptr) return fail(Errc::internal, "no AEAD context");
  out.push_back(content_type);  // TLSInnerPlaintext: content || type, no padding
  const std::size_t ciphertext_size = content + 1 + tls13::kTag;
  write_header(out.data() + record_start, ciphertext_size);
  const auto nonce_bytes = nonce();
  std::uint8_t* body = out.data() + record_start + tls13::kHeader;
  int length = 0;
  int final_length = 0;
  const bool sealed =
      EVP_EncryptInit_ex(ctx, nullptr, nullptr, key_.expose().data(), nonce_bytes.data()) == 1 &&
      EVP_EncryptUpdate(ctx, nullptr, &length, out.data() + record_start,
                        static_cast<int>(tls13::kHeader)) == 1 &&
      EVP_EncryptUpdate(ctx, body, &length, body, static_cast<int>(content + 1)) == 1 &&
      EVP_EncryptFinal_ex(ctx, body + length, &final_length) == 1;
  if (!sealed) return fail(Errc::internal, "AEAD seal failed");
  out.resize(out.size() + tls13::kTag);
  if (EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, static_cast<int>(tls13::kTag),
                          out.data() + out.size() - tls13::kTag) != 1) {
    return fail(Errc::internal, "AEAD tag failed");
  }
  ++sequence_;
  return ok();
}

Status Tls13Direction::seal_record(Bytes& out, std::uint8_t content_type, ByteView content) {
  const std::size_t start = begin(out);
  out.insert(out.end(), content.begin(), content.end());
  return seal(out, start, content_type);
}

Status Tls13Direction::seal_application_data(Bytes& out, ByteView plaintext) {
  for (std::size_t at = 0; at < plaintext.size(); at += tls13::kMaxPlaintext) {
    const std::size_t size = std::min(tls13::kMaxPlaintext, plaintext.size() - at);
    SOTTO_TRY(seal_record(out, tls13::kApplicationData, plaintext.subspan(at, size)));
  }
  return ok();
}

namespace {
constexpr std::uint8_t kKeyUpdateType = 24;
}  // namespace

Status Tls13Direction::seal_key_update(Bytes& out) {
  // type, 3-byte length 1, update_not_requested
  constexpr std::uint8_t kKeyUpdate[5] = {kKeyUpdateType, 0, 0, 1, 0};
  SOTTO_TRY(seal_record(out, tls13::kHandshake, kKeyUpdate));
  update();
  return ok();
}

tl::expected<bool, RecordError> Tls13Direction::take_key_update(ByteView content) {
  // The message must fill its record: the records after it use the next key.
  if (content.empty() || content[0] != kKeyUpdateType) {
    return tl::unexpected(RecordError{tls13::kUnexpectedMessage});
  }
  if (content.size() != 5 || content[1] != 0 || content[2] != 0 || content[3] != 1) {
    return tl::unexpected(RecordError{tls13::kDecodeError});
  }
  if (content[4] > 1) return tl::unexpected(RecordError{tls13::kIllegalParameter});
  update();
  return content[4] == 1;
}

tl::expected<OpenedRecord, RecordError> Tls13Direction::open(std::span<std::uint8_t> record) {
  if (record.size() < tls13::kHeader + tls13::kTag + 1) {
    return tl::unexpected(RecordError{tls13::kDecodeError});
  }
  const std::size_t ciphertext_size = record.size() - tls13::kHeader;
  if (sequence_ == UINT64_MAX) return tl::unexpected(RecordError{tls13::kBadRecordMac});
  EVP_CIPHER_CTX* ctx = thread_context(cipher_, false);
  if (ctx == nullptr) return tl::unexpected(RecordError{tls13::kBadRecordMac});
  const std::size_t inner_size = ciphertext_size - tls13::kTag;
  std::uint8_t* body = record.data() + tls13::kHeader;
  const auto nonce_bytes = nonce();
  int length = 0;
  int final_length = 0;
  // EVP_DecryptFinal_ex checks the tag (in constant time) before anything
  // decrypted is used.
  const bool opened =
      EVP_DecryptInit_ex(ctx, nullptr, nullptr, key_.expose().data(), nonce_bytes.data()) == 1 &&
      EVP_DecryptUpdate(ctx, nullptr, &length, record.data(), static_cast<int>(tls13::kHeader)) ==
          1 &&
      EVP_DecryptUpdate(ctx, body, &length, body, static_cast<int>(inner_size)) == 1 &&
      EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, static_cast<int>(tls13::kTag),
                          body + inner_size) == 1 &&
      EVP_DecryptFinal_ex(ctx, body + length, &final_length) == 1;
  if (!opened) return tl::unexpected(RecordError{tls13::kBadRecordMac});
  ++sequence_;
  // The content type is the last non-zero byte; zeros after it are padding.
  std::size_t end = inner_size;
  while (end > 0 && body[end - 1] == 0) --end;
  if (end == 0) return tl::unexpected(RecordError{tls13::kUnexpectedMessage});
  const std::size_t content_size = end - 1;
  if (content_size > tls13::kMaxPlaintext) {
    return tl::unexpected(RecordError{tls13::kRecordOverflow});
  }
  return OpenedRecord{body[end - 1], std::span<std::uint8_t>(body, content_size)};
}

}  // namespace sotto::transport
