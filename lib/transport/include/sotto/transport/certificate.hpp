// SPDX-License-Identifier: Apache-2.0
// The server's TLS identity: a self-signed certificate that clients trust by
// pin (the SHA-256 of its DER encoding), not by a certificate authority.
// The pin is also bound into every login signature (docs/server-design.md
// "Authentication"), so a login cannot be relayed to another server.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "sotto/core/bytes.hpp"
#include "sotto/core/result.hpp"
#include "sotto/crypto/secret.hpp"

namespace sotto::transport {

using CertificatePin = std::array<std::uint8_t, 32>;

struct ServerIdentity {
  std::string certificate_pem;
  crypto::SecretBytes private_key_pem;  // PKCS#8, unencrypted
  Bytes certificate_der;
  CertificatePin pin_bytes{};
  std::string pin;  // lowercase hex of pin_bytes: what operators hand to clients
};

// File names inside the identity folder.
inline constexpr const char* kCertificateFile = "tls-certificate.pem";
inline constexpr const char* kPrivateKeyFile = "tls-private-key.pem";

// Loads folder/tls-certificate.pem and folder/tls-private-key.pem, or on first
// use creates them: an ECDSA P-256 key (mode 0600) and a self-signed X.509 v3
// certificate (CN "sottod", random 128-bit serial, valid ten years). The
// folder is created (mode 0700) if missing. Errors:
// - invalid_certificate: only one of the two files exists, a file does not
//   parse, or the key does not match the certificate;
// - invalid_key: the key file is readable by group or others (like ssh, we
//   refuse a key that may have leaked rather than serve with it);
// - internal: the folder or files cannot be created or read.
// Not thread-safe against a concurrent first start on the same folder.
Result<ServerIdentity> load_or_create_server_identity(const std::filesystem::path& folder);

// SHA-256 of a DER-encoded certificate. invalid_certificate if `der` is not a
// single well-formed X.509 certificate.
Result<CertificatePin> certificate_pin(ByteView der);

// Parses a 64-character hex pin (either case); invalid_encoding otherwise.
Result<CertificatePin> parse_pin(std::string_view hex);

}  // namespace sotto::transport
