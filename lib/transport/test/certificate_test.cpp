// SPDX-License-Identifier: Apache-2.0
#include "sotto/transport/certificate.hpp"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <sys/stat.h>

#include <fstream>

#include "sotto/core/encoding.hpp"
#include "test_support.hpp"

namespace sotto::transport::test {
namespace {

namespace fs = std::filesystem;

mode_t mode_of(const fs::path& path) {
  struct stat st {};
  EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
  return st.st_mode & 0777;
}

TEST(ServerIdentity, IsCreatedOnceAndReloadedWithTheSamePin) {
  TempDir dir;
  const fs::path folder = dir.path() / "nested" / "identity";
  auto created = load_or_create_server_identity(folder);
  ASSERT_TRUE(created) << created.error().message;
  EXPECT_EQ(created->pin.size(), 64u);
  EXPECT_EQ(created->pin, hex_encode(created->pin_bytes));
  EXPECT_EQ(created->pin.find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_EQ(mode_of(folder / kPrivateKeyFile), 0600u);
  EXPECT_EQ(mode_of(folder), 0700u);
  EXPECT_FALSE(fs::exists(folder / (std::string(kPrivateKeyFile) + ".tmp")));

  auto loaded = load_or_create_server_identity(folder);
  ASSERT_TRUE(loaded) << loaded.error().message;
  EXPECT_EQ(loaded->pin, created->pin);
  EXPECT_EQ(loaded->certificate_der, created->certificate_der);
  EXPECT_EQ(loaded->certificate_pem, created->certificate_pem);

  // Another folder is another identity.
  auto other = load_or_create_server_identity(dir.path() / "other");
  ASSERT_TRUE(other);
  EXPECT_NE(other->pin, created->pin);
}

TEST(ServerIdentity, PinIsTheSha256OfTheDer) {
  const ServerIdentity& identity = shared_identity();
  unsigned char digest[32];
  unsigned int size = 0;
  ASSERT_EQ(EVP_Digest(identity.certificate_der.data(), identity.certificate_der.size(), digest,
                       &size, EVP_sha256(), nullptr),
            1);
  EXPECT_EQ(identity.pin, hex_encode(ByteView(digest, size)));
  auto pin = certificate_pin(identity.certificate_der);
  ASSERT_TRUE(pin);
  EXPECT_EQ(*pin, identity.pin_bytes);
}

TEST(ServerIdentity, CertificateIsASelfSignedP256SottodCertificateForTenYears) {
  const Bytes& der = shared_identity().certificate_der;
  const unsigned char* p = der.data();
  X509* certificate = d2i_X509(nullptr, &p, static_cast<long>(der.size()));
  ASSERT_NE(certificate, nullptr);
  char cn[64] = {};
  X509_NAME_get_text_by_NID(X509_get_subject_name(certificate), NID_commonName, cn, sizeof cn);
  EXPECT_STREQ(cn, "sottod");
  EXPECT_EQ(X509_NAME_cmp(X509_get_subject_name(certificate), X509_get_issuer_name(certificate)),
            0);
  EVP_PKEY* key = X509_get0_pubkey(certificate);
  ASSERT_NE(key, nullptr);
  EXPECT_TRUE(EVP_PKEY_is_a(key, "EC"));
  char group[32] = {};
  size_t group_size = 0;
  EVP_PKEY_get_group_name(key, group, sizeof group, &group_size);
  EXPECT_STREQ(group, "prime256v1");
  EXPECT_EQ(X509_verify(certificate, key), 1);  // self-signed
  int days = 0;
  int seconds = 0;
  ASSERT_EQ(ASN1_TIME_diff(&days, &seconds, X509_get0_notBefore(certificate),
                           X509_get0_notAfter(certificate)),
            1);
  EXPECT_GE(days, 3652);
  EXPECT_LE(days, 3654);
  const ASN1_INTEGER* serial = X509_get0_serialNumber(certificate);
  EXPECT_GE(serial->length, 15);
  EXPECT_EQ(serial->type, V_ASN1_INTEGER);  // positive
  X509_free(certificate);
}

TEST(ServerIdentity, RefusesAKeyOthersCanRead) {
  TempDir dir;
  ASSERT_TRUE(load_or_create_server_identity(dir.path()));
  fs::permissions(dir.path() / kPrivateKeyFile, fs::perms::group_read, fs::perm_options::add);
  auto loaded = load_or_create_server_identity(dir.path());
  ASSERT_FALSE(loaded);
  EXPECT_EQ(loaded.error().code, Errc::invalid_key);
}

TEST(ServerIdentity, RefusesHalfAnIdentity) {
  TempDir dir;
  ASSERT_TRUE(load_or_create_server_identity(dir.path()));
  fs::remove(dir.path() / kCertificateFile);
  auto loaded = load_or_create_server_identity(dir.path());
  ASSERT_FALSE(loaded);
  EXPECT_EQ(loaded.error().code, Errc::invalid_certificate);
  EXPECT_TRUE(fs::exists(dir.path() / kPrivateKeyFile));  // never replaced silently
}

TEST(ServerIdentity, RefusesAKeyOfAnotherCertificate) {
  TempDir a;
  TempDir b;
  ASSERT_TRUE(load_or_create_server_identity(a.path()));
  ASSERT_TRUE(load_or_create_server_identity(b.path()));
  fs::copy_file(b.path() / kPrivateKeyFile, a.path() / kPrivateKeyFile,
                fs::copy_options::overwrite_existing);
  auto loaded = load_or_create_server_identity(a.path());
  ASSERT_FALSE(loaded);
  EXPECT_EQ(loaded.error().code, Errc::invalid_certificate);
}

TEST(ServerIdentity, RefusesAGarbledCertificate) {
  TempDir dir;
  ASSERT_TRUE(load_or_create_server_identity(dir.path()));
  std::ofstream(dir.path() / kCertificateFile, std::ios::trunc) << "-----BEGIN CERTIFICATE-----\n";
  auto loaded = load_or_create_server_identity(dir.path());
  ASSERT_FALSE(loaded);
  EXPECT_EQ(loaded.error().code, Errc::invalid_certificate);
}

TEST(CertificatePin, RefusesWhatIsNotOneCertificate) {
  Bytes der = shared_identity().certificate_der;
  EXPECT_FALSE(certificate_pin({}));
  EXPECT_FALSE(certificate_pin(Bytes{0x30, 0x03, 0x02, 0x01, 0x01}));
  der.push_back(0);  // trailing byte
  auto pin = certificate_pin(der);
  ASSERT_FALSE(pin);
  EXPECT_EQ(pin.error().code, Errc::invalid_certificate);
}

TEST(CertificatePin, ParsesHex) {
  const ServerIdentity& identity = shared_identity();
  auto pin = parse_pin(identity.pin);
  ASSERT_TRUE(pin);
  EXPECT_EQ(*pin, identity.pin_bytes);
  std::string upper = identity.pin;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  EXPECT_TRUE(parse_pin(upper));
  EXPECT_EQ(parse_pin(identity.pin.substr(2)).error().code, Errc::invalid_encoding);
  EXPECT_EQ(parse_pin(std::string(64, 'g')).error().code, Errc::invalid_encoding);
}

}  // namespace
}  // namespace sotto::transport::test
