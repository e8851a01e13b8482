// SPDX-License-Identifier: Apache-2.0
// Our TLS 1.3 record layer on its own: the key schedule against RFC 8448's
// trace and OpenSSL's TLS13-KDF, sealing and opening, and the refusals. Its
// interoperation with OpenSSL's record layer is server_record_layer_test.cpp.
#include "sotto/transport/tls13_record.hpp"

#include <gtest/gtest.h>
#include <openssl/core_names.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

#include <string>

#include "sotto/core/encoding.hpp"

namespace sotto::transport {
namespace {

Bytes hex(std::string_view text) {
  auto bytes = hex_decode(text);
  EXPECT_TRUE(bytes) << text;
  return bytes ? *bytes : Bytes{};
}

// RFC 8448 §3 (simple 1-RTT handshake): the server's application traffic
// secret and the key and IV derived from it.
constexpr std::string_view kServerApplicationSecret =
    "a11af9f05531f856ad47116b45a950328204b4f44bfb6b3a4b4f1f3fcb631643";

crypto::SecretKey<32> secret_of(std::string_view text) {
  return crypto::SecretKey<32>::from(hex(text));
}

// OpenSSL's own HKDF-Expand-Label, to check ours against another
// implementation for the label the RFC trace does not show ("traffic upd").
Bytes openssl_expand_label(ByteView secret, const std::string& label, std::size_t length) {
  EVP_KDF* kdf = EVP_KDF_fetch(nullptr, "TLS13-KDF", nullptr);
  EVP_KDF_CTX* ctx = EVP_KDF_CTX_new(kdf);
  int mode = EVP_KDF_HKDF_MODE_EXPAND_ONLY;
  char digest[] = "SHA256";
  char prefix[] = "tls13 ";
  std::string label_copy = label;
  const OSSL_PARAM params[] = {
      OSSL_PARAM_construct_int(OSSL_KDF_PARAM_MODE, &mode),
      OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest, 0),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY,
                                        const_cast<std::uint8_t*>(secret.data()), secret.size()),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_PREFIX, prefix, 6),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_LABEL, label_copy.data(), label_copy.size()),
      OSSL_PARAM_construct_end()};
  Bytes out(length);
  EXPECT_EQ(EVP_KDF_derive(ctx, out.data(), out.size(), params), 1);
  EVP_KDF_CTX_free(ctx);
  EVP_KDF_free(kdf);
  return out;
}

TEST(Tls13KeySchedule, KeyAndIvMatchRfc8448) {
  const Bytes secret = hex(kServerApplicationSecret);
  Bytes key(16);
  Bytes iv(12);
  hkdf_expand_label(secret, "key", {}, key);
  hkdf_expand_label(secret, "iv", {}, iv);
  EXPECT_EQ(hex_encode(key), "9f02283b6c9c07efc26bb9f2ac92e356");
  EXPECT_EQ(hex_encode(iv), "cf782b88dd83549aadf1e984");
}

TEST(Tls13KeySchedule, EveryLabelAndLengthMatchesOpenSsl) {
  const Bytes secret = hex(kServerApplicationSecret);
  for (const char* label : {"key", "iv", "traffic upd"}) {
    for (std::size_t length : {12u, 16u, 32u}) {
      Bytes ours(length);
      hkdf_expand_label(secret, label, {}, ours);
      EXPECT_EQ(ours, openssl_expand_label(secret, label, length)) << label << " " << length;
    }
  }
}

class Tls13RecordTest : public ::testing::TestWithParam<Tls13Cipher> {
 protected:
  Tls13Direction sender{GetParam(), secret_of(kServerApplicationSecret)};
  Tls13Direction receiver{GetParam(), secret_of(kServerApplicationSecret)};
};

TEST_P(Tls13RecordTest, SealedRecordsOpenInOrderWithTheirContentType) {
  Bytes wire;
  ASSERT_TRUE(sender.seal_record(wire, tls13::kApplicationData, to_bytes("hello")));
  ASSERT_TRUE(sender.seal_record(wire, tls13::kAlert, Bytes{1, 0}));
  EXPECT_EQ(sender.sequence(), 2u);
  // Header: application_data, legacy version 3.3, length = 5 + 1 + 16.
  EXPECT_EQ(hex_encode(ByteView(wire).first(5)), "1703030016");

  auto first = complete_record_size(wire);
  ASSERT_TRUE(first);
  ASSERT_EQ(*first, 5u + 22u);
  auto opened = receiver.open(std::span<std::uint8_t>(wire).first(*first));
  ASSERT_TRUE(opened);
  EXPECT_EQ(opened->content_type, tls13::kApplicationData);
  EXPECT_EQ(Bytes(opened->plaintext.begin(), opened->plaintext.end()), to_bytes("hello"));

  auto second = std::span<std::uint8_t>(wire).subspan(*first);
  auto alert = receiver.open(second);
  ASSERT_TRUE(alert);
  EXPECT_EQ(alert->content_type, tls13::kAlert);
  EXPECT_EQ(Bytes(alert->plaintext.begin(), alert->plaintext.end()), (Bytes{1, 0}));
}

TEST_P(Tls13RecordTest, AnyFlippedBitFailsAsBadRecordMac) {
  Bytes sealed;
  ASSERT_TRUE(sender.seal_record(sealed, tls13::kApplicationData, to_bytes("attack at dawn")));
  for (std::size_t i = 3; i < sealed.size(); ++i) {  // the length too: it is authenticated
    Bytes copy = sealed;
    copy[i] ^= 0x01;
    Tls13Direction fresh(GetParam(), secret_of(kServerApplicationSecret));
    auto opened = fresh.open(copy);
    ASSERT_FALSE(opened) << "byte " << i;
    EXPECT_EQ(opened.error().alert, tls13::kBadRecordMac);
  }
}

TEST_P(Tls13RecordTest, ARecordOutOfSequenceDoesNotOpen) {
  Bytes first;
  Bytes second;
  ASSERT_TRUE(sender.seal_record(first, tls13::kApplicationData, to_bytes("one")));
  ASSERT_TRUE(sender.seal_record(second, tls13::kApplicationData, to_bytes("two")));
  auto opened = receiver.open(second);  // replayed or reordered: the nonce differs
  ASSERT_FALSE(opened);
  EXPECT_EQ(opened.error().alert, tls13::kBadRecordMac);
}

TEST_P(Tls13RecordTest, KeyUpdateOnBothSidesKeepsRecordsOpening) {
  sender.update();
  EXPECT_EQ(sender.sequence(), 0u);
  Bytes sealed;
  ASSERT_TRUE(sender.seal_record(sealed, tls13::kApplicationData, to_bytes("after")));
  Bytes copy = sealed;
  EXPECT_FALSE(receiver.open(copy)) << "the old key must not open it";
  Tls13Direction updated(GetParam(), secret_of(kServerApplicationSecret));
  updated.update();
  auto opened = updated.open(sealed);
  ASSERT_TRUE(opened);
  EXPECT_EQ(Bytes(opened->plaintext.begin(), opened->plaintext.end()), to_bytes("after"));
}

TEST_P(Tls13RecordTest, SealsUpToTwoToTheFourteenBytesAndNoMore) {
  Bytes sealed;
  ASSERT_TRUE(sender.seal_record(sealed, tls13::kApplicationData, Bytes(tls13::kMaxPlaintext, 7)));
  auto size = complete_record_size(sealed);
  ASSERT_TRUE(size);
  EXPECT_EQ(*size, sealed.size());
  EXPECT_TRUE(receiver.open(sealed));
  Bytes too_big;
  EXPECT_FALSE(
      sender.seal_record(too_big, tls13::kApplicationData, Bytes(tls13::kMaxPlaintext + 1, 7)));
}

TEST_P(Tls13RecordTest, AKeyUpdateSealedByOneSideIsTakenByTheOther) {
  Bytes sealed;
  ASSERT_TRUE(sender.seal_key_update(sealed));
  ASSERT_TRUE(sender.seal_record(sealed, tls13::kApplicationData, to_bytes("next key")));
  const auto first = *complete_record_size(sealed);
  auto update = receiver.open(std::span<std::uint8_t>(sealed).first(first));
  ASSERT_TRUE(update);
  ASSERT_EQ(update->content_type, tls13::kHandshake);
  auto requested = receiver.take_key_update(update->plaintext);
  ASSERT_TRUE(requested);
  EXPECT_FALSE(*requested);
  auto data = receiver.open(std::span<std::uint8_t>(sealed).subspan(first));
  ASSERT_TRUE(data) << "the record after a KeyUpdate opens only under the next key";
  EXPECT_EQ(Bytes(data->plaintext.begin(), data->plaintext.end()), to_bytes("next key"));
}

TEST(Tls13KeyUpdate, RefusesAnythingButOneWellFormedKeyUpdate) {
  auto secret = [] { return secret_of(kServerApplicationSecret); };
  Tls13Direction keys(Tls13Cipher::aes_128_gcm, secret());
  auto requested = keys.take_key_update(Bytes{24, 0, 0, 1, 1});
  ASSERT_TRUE(requested);
  EXPECT_TRUE(*requested);
  const std::pair<Bytes, std::uint8_t> refused[] = {
      {Bytes{}, tls13::kUnexpectedMessage},
      {Bytes{4, 0, 0, 1, 0}, tls13::kUnexpectedMessage},  // a NewSessionTicket type
      {Bytes{24, 0, 0, 2, 0, 0}, tls13::kDecodeError},
      {Bytes{24, 0, 0, 1}, tls13::kDecodeError},
      {Bytes{24, 0, 0, 1, 0, 24, 0, 0, 1, 0}, tls13::kDecodeError},  // two in one record
      {Bytes{24, 0, 0, 1, 2}, tls13::kIllegalParameter},
  };
  for (const auto& [content, alert] : refused) {
    Tls13Direction fresh(Tls13Cipher::aes_128_gcm, secret());
    auto taken = fresh.take_key_update(content);
    ASSERT_FALSE(taken) << hex_encode(content);
    EXPECT_EQ(taken.error().alert, alert) << hex_encode(content);
  }
}

INSTANTIATE_TEST_SUITE_P(Suites, Tls13RecordTest,
                         ::testing::Values(Tls13Cipher::aes_128_gcm,
                                           Tls13Cipher::chacha20_poly1305));

TEST(Tls13RecordSize, WaitsForTheWholeRecord) {
  const Bytes header = hex("1703030020");
  EXPECT_EQ(*complete_record_size(ByteView(header).first(3)), 0u);
  EXPECT_EQ(*complete_record_size(header), 0u);
  Bytes whole = header;
  whole.resize(5 + 0x20);
  EXPECT_EQ(*complete_record_size(whole), 5u + 0x20u);
  whole.push_back(0x17);  // the next record's first byte does not count
  EXPECT_EQ(*complete_record_size(whole), 5u + 0x20u);
}

TEST(Tls13RecordSize, RefusesFromTheHeaderAlone) {
  // Plaintext handshake or alert records, change_cipher_spec, another version.
  for (const char* text : {"1603030020", "1503030002", "1403030001", "1703010020"}) {
    auto size = complete_record_size(hex(text));
    ASSERT_FALSE(size) << text;
    EXPECT_EQ(size.error().alert, tls13::kUnexpectedMessage) << text;
  }
  auto overflow = complete_record_size(hex("1703034101"));  // 2^14 + 257
  ASSERT_FALSE(overflow);
  EXPECT_EQ(overflow.error().alert, tls13::kRecordOverflow);
  EXPECT_TRUE(complete_record_size(hex("1703034100")));      // 2^14 + 256 is allowed
  auto too_short = complete_record_size(hex("1703030010"));  // a tag and no content type
  ASSERT_FALSE(too_short);
  EXPECT_EQ(too_short.error().alert, tls13::kDecodeError);
}

}  // namespace
}  // namespace sotto::transport
