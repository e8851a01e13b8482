// SPDX-License-Identifier: Apache-2.0
// Self-signed server identity: ECDSA P-256 (supported by every TLS 1.3 stack,
// and the cheapest signature on the handshake path) in PEM files.
#include "sotto/transport/certificate.hpp"

#include <fcntl.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <span>
#include <string>
#include <system_error>

#include "openssl_util.hpp"
#include "sotto/core/encoding.hpp"

namespace sotto::transport {

namespace {

namespace fs = std::filesystem;
using detail::BioPtr;
using detail::openssl_error;
using detail::PkeyPtr;
using detail::X509Ptr;

constexpr long kValidityDays = 3653;  // ten years, leap days included
constexpr long kBackdateSeconds = 3600;
constexpr std::size_t kSerialBytes = 16;

std::string errno_text(const char* what, const fs::path& path) {
  return std::string(what) + " " + path.string() + ": " +
         std::error_code(errno, std::generic_category()).message();
}

// Writes `data` to `path` through a temporary file and a rename, so a crash
// never leaves a half-written key or certificate under the final name.
Status write_file_atomically(const fs::path& path, ByteView data, mode_t mode) {
  const fs::path tmp = path.string() + ".tmp";
  ::unlink(tmp.c_str());
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0) return fail(Errc::internal, errno_text("cannot create", tmp));
  // The umask may only have narrowed `mode`; make it exact.
  bool good = ::fchmod(fd, mode) == 0;
  std::size_t done = 0;
  while (good && done < data.size()) {
    const ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    good = n > 0;
    if (good) done += static_cast<std::size_t>(n);
  }
  good = good && ::fsync(fd) == 0;
  const std::string error = good ? std::string() : errno_text("cannot write", tmp);
  ::close(fd);
  if (!good) {
    ::unlink(tmp.c_str());
    return fail(Errc::internal, error);
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    const std::string rename_error = errno_text("cannot rename to", path);
    ::unlink(tmp.c_str());
    return fail(Errc::internal, rename_error);
  }
  return ok();
}

// Reads a whole file into `out` (a SecretBytes for the key: no unwiped copy).
template <class Buffer>
Status read_file(const fs::path& path, Buffer& out) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return fail(Errc::internal, errno_text("cannot open", path));
  struct stat st {};
  if (::fstat(fd, &st) != 0 || st.st_size < 0 || st.st_size > 1024L * 1024) {
    ::close(fd);
    return fail(Errc::internal, "cannot read " + path.string() + ": not a small regular file");
  }
  out = Buffer(static_cast<std::size_t>(st.st_size));
  auto bytes = out.mutable_bytes();
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::read(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      ::close(fd);
      return fail(Errc::internal, errno_text("cannot read", path));
    }
    done += static_cast<std::size_t>(n);
  }
  ::close(fd);
  return ok();
}

// A read-only memory BIO over `data` (no copy).
BioPtr memory_bio(ByteView data) {
  return BioPtr(BIO_new_mem_buf(data.data(), static_cast<int>(data.size())));
}

// Growable byte buffer with mutable_bytes(), for read_file on public data.
struct PlainBuffer {
  PlainBuffer() = default;
  explicit PlainBuffer(std::size_t size) : bytes(size) {}
  std::span<std::uint8_t> mutable_bytes() { return bytes; }
  Bytes bytes;
};

Result<Bytes> der_of(X509* certificate) {
  const int size = i2d_X509(certificate, nullptr);
  if (size <= 0) return fail(Errc::invalid_certificate, "cannot encode certificate");
  Bytes der(static_cast<std::size_t>(size));
  unsigned char* p = der.data();
  if (i2d_X509(certificate, &p) != size) {
    return fail(Errc::invalid_certificate, "cannot encode certificate");
  }
  return der;
}

Result<ServerIdentity> identity_from(X509* certificate, std::string certificate_pem,
                                     crypto::SecretBytes private_key_pem) {
  auto der = der_of(certificate);
  if (!der) return tl::unexpected(der.error());
  auto pin = certificate_pin(*der);
  if (!pin) return tl::unexpected(pin.error());
  ServerIdentity identity;
  identity.certificate_pem = std::move(certificate_pem);
  identity.private_key_pem = std::move(private_key_pem);
  identity.certificate_der = std::move(*der);
  identity.pin_bytes = *pin;
  identity.pin = hex_encode(*pin);
  return identity;
}

Status add_extension(X509* certificate, X509V3_CTX* ctx, int nid, const char* value) {
  detail::X509ExtPtr ext(X509V3_EXT_conf_nid(nullptr, ctx, nid, value));
  if (!ext || X509_add_ext(certificate, ext.get(), -1) != 1) {
    return fail(Errc::internal, "cannot add certificate extension: " + openssl_error());
  }
  return ok();
}

Result<X509Ptr> make_certificate(EVP_PKEY* key) {
  X509Ptr certificate(X509_new());
  if (!certificate || X509_set_version(certificate.get(), X509_VERSION_3) != 1) {
    return fail(Errc::internal, "X509_new: " + openssl_error());
  }
  // A random positive serial (RFC 5280 §4.1.2.2: at most 20 octets).
  unsigned char serial[kSerialBytes];
  if (RAND_bytes(serial, sizeof serial) != 1) return fail(Errc::internal, "RAND_bytes failed");
  serial[0] = static_cast<unsigned char>((serial[0] & 0x7f) | 0x40);
  detail::BnPtr bn(BN_bin2bn(serial, sizeof serial, nullptr));
  if (!bn || !BN_to_ASN1_INTEGER(bn.get(), X509_get_serialNumber(certificate.get()))) {
    return fail(Errc::internal, "cannot set serial: " + openssl_error());
  }
  // Backdated an hour so a client clock slightly behind does not matter (the
  // pin, not the validity period, is what clients check).
  if (!X509_gmtime_adj(X509_getm_notBefore(certificate.get()), -kBackdateSeconds) ||
      !X509_time_adj_ex(X509_getm_notAfter(certificate.get()), kValidityDays, 0, nullptr)) {
    return fail(Errc::internal, "cannot set validity: " + openssl_error());
  }
  X509_NAME* name = X509_get_subject_name(certificate.get());
  if (X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                                 reinterpret_cast<const unsigned char*>("sottod"), -1, -1,
                                 0) != 1 ||
      X509_set_issuer_name(certificate.get(), name) != 1 ||
      X509_set_pubkey(certificate.get(), key) != 1) {
    return fail(Errc::internal, "cannot set name or key: " + openssl_error());
  }
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, certificate.get(), certificate.get(), nullptr, nullptr, 0);
  SOTTO_TRY(add_extension(certificate.get(), &ctx, NID_basic_constraints, "critical,CA:FALSE"));
  SOTTO_TRY(add_extension(certificate.get(), &ctx, NID_key_usage, "critical,digitalSignature"));
  SOTTO_TRY(add_extension(certificate.get(), &ctx, NID_ext_key_usage, "serverAuth"));
  SOTTO_TRY(add_extension(certificate.get(), &ctx, NID_subject_key_identifier, "hash"));
  if (X509_sign(certificate.get(), key, EVP_sha256()) <= 0) {
    return fail(Errc::internal, "X509_sign: " + openssl_error());
  }
  return certificate;
}

Result<ServerIdentity> create_identity(const fs::path& cert_path, const fs::path& key_path) {
  PkeyPtr key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  if (!key) return fail(Errc::internal, "P-256 key generation failed: " + openssl_error());
  auto certificate = make_certificate(key.get());
  if (!certificate) return tl::unexpected(certificate.error());

  // The key's PEM goes through a secure-heap BIO, which wipes its buffer.
  BioPtr key_bio(BIO_new(BIO_s_secmem()));
  BioPtr cert_bio(BIO_new(BIO_s_mem()));
  if (!key_bio || !cert_bio ||
      PEM_write_bio_PrivateKey(key_bio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) !=
          1 ||
      PEM_write_bio_X509(cert_bio.get(), certificate->get()) != 1) {
    return fail(Errc::internal, "cannot encode PEM: " + openssl_error());
  }
  char* data = nullptr;
  long size = BIO_get_mem_data(key_bio.get(), &data);
  auto key_pem = crypto::SecretBytes::from(
      ByteView(reinterpret_cast<const std::uint8_t*>(data), static_cast<std::size_t>(size)));
  size = BIO_get_mem_data(cert_bio.get(), &data);
  std::string cert_pem(data, static_cast<std::size_t>(size));

  // Key first: a crash between the two renames leaves a key without a
  // certificate, which the next start reports instead of silently replacing.
  SOTTO_TRY(write_file_atomically(key_path, key_pem.expose(), 0600));
  SOTTO_TRY(write_file_atomically(cert_path, as_bytes(cert_pem), 0644));
  return identity_from(certificate->get(), std::move(cert_pem), std::move(key_pem));
}

Result<ServerIdentity> load_identity(const fs::path& cert_path, const fs::path& key_path) {
  struct stat st {};
  if (::stat(key_path.c_str(), &st) != 0) {
    return fail(Errc::internal, errno_text("cannot stat", key_path));
  }
  if ((st.st_mode & 077) != 0) {
    return fail(Errc::invalid_key, key_path.string() +
                                       " is accessible by group or others; chmod 600 it (or "
                                       "replace the identity if it may have leaked)");
  }
  crypto::SecretBytes key_pem;
  SOTTO_TRY(read_file(key_path, key_pem));
  PlainBuffer cert_pem;
  SOTTO_TRY(read_file(cert_path, cert_pem));

  BioPtr cert_bio = memory_bio(cert_pem.bytes);
  X509Ptr certificate(PEM_read_bio_X509(cert_bio.get(), nullptr, nullptr, nullptr));
  if (!certificate) {
    return fail(Errc::invalid_certificate,
                "cannot parse " + cert_path.string() + ": " + openssl_error());
  }
  BioPtr key_bio = memory_bio(key_pem.expose());
  PkeyPtr key(PEM_read_bio_PrivateKey(key_bio.get(), nullptr, nullptr, nullptr));
  if (!key) {
    return fail(Errc::invalid_certificate,
                "cannot parse " + key_path.string() + ": " + openssl_error());
  }
  if (X509_check_private_key(certificate.get(), key.get()) != 1) {
    openssl_error();
    return fail(Errc::invalid_certificate,
                key_path.string() + " does not belong to " + cert_path.string());
  }
  return identity_from(certificate.get(), std::string(as_string(cert_pem.bytes)),
                       std::move(key_pem));
}

}  // namespace

Result<ServerIdentity> load_or_create_server_identity(const fs::path& folder) {
  std::error_code ec;
  if (!fs::exists(folder, ec)) {
    if (!fs::create_directories(folder, ec) && ec) {
      return fail(Errc::internal, "cannot create " + folder.string() + ": " + ec.message());
    }
    fs::permissions(folder, fs::perms::owner_all, fs::perm_options::replace, ec);
  }
  const fs::path cert_path = folder / kCertificateFile;
  const fs::path key_path = folder / kPrivateKeyFile;
  const bool have_cert = fs::exists(cert_path, ec);
  const bool have_key = fs::exists(key_path, ec);
  if (have_cert && have_key) return load_identity(cert_path, key_path);
  if (!have_cert && !have_key) return create_identity(cert_path, key_path);
  // Replacing the missing half would change the pin every client holds (or
  // discard a key): that is the operator's decision, not ours.
  return fail(Errc::invalid_certificate,
              "found " + (have_cert ? cert_path : key_path).string() + " without " +
                  (have_cert ? key_path : cert_path).string() +
                  "; restore it, or remove both to create a new identity (new pin)");
}

Result<CertificatePin> certificate_pin(ByteView der) {
  const unsigned char* p = der.data();
  X509Ptr certificate(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
  if (!certificate || p != der.data() + der.size()) {
    openssl_error();
    return fail(Errc::invalid_certificate, "not a single DER certificate");
  }
  CertificatePin pin{};
  unsigned int size = 0;
  if (EVP_Digest(der.data(), der.size(), pin.data(), &size, EVP_sha256(), nullptr) != 1 ||
      size != pin.size()) {
    return fail(Errc::internal, "SHA-256 failed");
  }
  return pin;
}

Result<CertificatePin> parse_pin(std::string_view hex) {
  auto bytes = hex_decode(hex);
  if (!bytes || bytes->size() != CertificatePin{}.size()) {
    return fail(Errc::invalid_encoding, "a pin is 64 hex digits (SHA-256 of the certificate)");
  }
  CertificatePin pin{};
  std::copy(bytes->begin(), bytes->end(), pin.begin());
  return pin;
}

}  // namespace sotto::transport
