// SPDX-License-Identifier: Apache-2.0
#include "tls_context.hpp"

#include <openssl/pem.h>

#include "openssl_util.hpp"
#include "sotto/transport/tls13_handover.hpp"

namespace sotto::transport::detail {

namespace {

// Shared by both ends: TLS 1.3 is the floor (no downgrade to suites without
// forward secrecy or with RSA key transport), and idle memory is kept low.
Status apply_common(SSL_CTX* ctx) {
  if (SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION) != 1) {
    return fail(Errc::internal, "cannot require TLS 1.3: " + openssl_error());
  }
  // Frees OpenSSL's record buffers while a connection is idle: most
  // connections of a messenger are idle most of the time.
  SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS);
  // No resumption: every connection authenticates afresh (the login binds
  // the pin), and a session cache would hold memory per past connection.
  SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
  SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
  return ok();
}

}  // namespace

Result<SslCtxPtr> make_server_tls_context(const ServerIdentity& identity) {
  SslCtxPtr ctx(SSL_CTX_new(TLS_server_method()));
  if (!ctx) return fail(Errc::internal, "SSL_CTX_new: " + openssl_error());
  SOTTO_TRY(apply_common(ctx.get()));
  // TLS 1.3 servers send session tickets after the handshake by default; we
  // resume nothing, so they would be wasted bytes and CPU.
  // (No ticket is also what lets a session hand the connection over to our
  // record layer right after the handshake: OpenSSL has then sent nothing
  // under the application keys.)
  SSL_CTX_set_num_tickets(ctx.get(), 0);
  // The suites our record layer runs (tls13_record.hpp); AES-128-GCM is the
  // one every TLS 1.3 client has.
  if (SSL_CTX_set_ciphersuites(ctx.get(), "TLS_AES_128_GCM_SHA256:TLS_CHACHA20_POLY1305_SHA256") !=
      1) {
    return fail(Errc::internal, "cannot set the TLS 1.3 suites: " + openssl_error());
  }
  // Ours first: AES-GCM runs on the CPU's AES instructions, faster than
  // ChaCha20, which OpenSSL clients list before it.
  SSL_CTX_set_options(ctx.get(), SSL_OP_CIPHER_SERVER_PREFERENCE);
  capture_traffic_secrets(ctx.get());

  BioPtr cert_bio(BIO_new_mem_buf(identity.certificate_pem.data(),
                                  static_cast<int>(identity.certificate_pem.size())));
  X509Ptr certificate(PEM_read_bio_X509(cert_bio.get(), nullptr, nullptr, nullptr));
  const ByteView key_pem = identity.private_key_pem.expose();
  BioPtr key_bio(BIO_new_mem_buf(key_pem.data(), static_cast<int>(key_pem.size())));
  PkeyPtr key(PEM_read_bio_PrivateKey(key_bio.get(), nullptr, nullptr, nullptr));
  if (!certificate || !key || SSL_CTX_use_certificate(ctx.get(), certificate.get()) != 1 ||
      SSL_CTX_use_PrivateKey(ctx.get(), key.get()) != 1 ||
      SSL_CTX_check_private_key(ctx.get()) != 1) {
    return fail(Errc::invalid_certificate, "unusable server identity: " + openssl_error());
  }
  return ctx;
}

Result<SslCtxPtr> make_client_tls_context() {
  SslCtxPtr ctx(SSL_CTX_new(TLS_client_method()));
  if (!ctx) return fail(Errc::internal, "SSL_CTX_new: " + openssl_error());
  SOTTO_TRY(apply_common(ctx.get()));
  SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_PEER, nullptr);
  return ctx;
}

Result<CertificatePin> pin_of(X509* certificate) {
  const int size = i2d_X509(certificate, nullptr);
  if (size <= 0) return fail(Errc::internal, "cannot encode peer certificate");
  Bytes der(static_cast<std::size_t>(size));
  unsigned char* p = der.data();
  i2d_X509(certificate, &p);
  return certificate_pin(der);
}

Result<CertificatePin> peer_certificate_pin(SSL* ssl) {
  X509Ptr certificate(SSL_get1_peer_certificate(ssl));
  if (!certificate) return fail(Errc::internal, "the server presented no certificate");
  return pin_of(certificate.get());
}

}  // namespace sotto::transport::detail
