// SPDX-License-Identifier: Apache-2.0
// The TLS settings both ends share, as plain OpenSSL contexts (every
// TlsStream of an end uses its context). Private to lib/transport.
#pragma once

#include <openssl/ssl.h>

#include <memory>

#include "sotto/core/result.hpp"
#include "sotto/transport/certificate.hpp"

namespace sotto::transport::detail {

struct SslCtxFree {
  void operator()(SSL_CTX* p) const noexcept { SSL_CTX_free(p); }
};
using SslCtxPtr = std::unique_ptr<SSL_CTX, SslCtxFree>;

// TLS 1.3 only, the identity's certificate and key, no session resumption.
// invalid_certificate if the identity does not load.
Result<SslCtxPtr> make_server_tls_context(const ServerIdentity& identity);

// TLS 1.3 only, peer verification on (the per-connection callback checks the
// pin; no CA store is loaded, so nothing but the pin can make a server trusted).
Result<SslCtxPtr> make_client_tls_context();

// The pin of the certificate `ssl`'s peer presented; internal if none.
Result<CertificatePin> peer_certificate_pin(SSL* ssl);
// The pin of `certificate`.
Result<CertificatePin> pin_of(X509* certificate);

}  // namespace sotto::transport::detail
