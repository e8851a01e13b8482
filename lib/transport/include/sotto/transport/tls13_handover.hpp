// SPDX-License-Identifier: Apache-2.0
// Handing a connection over from OpenSSL to our record layer once the TLS 1.3
// handshake is done (see tls13_record.hpp for why). sottod does it for every
// client; the load generator does it on the client side, so that it costs
// less per message than the server it measures.
//
// OpenSSL tells its application traffic secrets only through the key-log
// callback (SSL_CTX_set_keylog_callback), as "SERVER_TRAFFIC_SECRET_0 ..."
// lines. The context's callback parses the two secrets into a
// SecretCapture the session attached to its SSL before the handshake; nothing
// is printed or logged. The handover is safe only when OpenSSL has used
// neither secret yet: the server sends no tickets (num_tickets 0), and with
// read-ahead off OpenSSL reads nothing past the client's Finished, which
// take_over() checks (SSL_has_pending).
#pragma once

#include <openssl/ssl.h>

#include "sotto/core/result.hpp"
#include "sotto/crypto/secret.hpp"
#include "sotto/transport/tls13_record.hpp"

namespace sotto::transport {

struct SecretCapture {
  crypto::SecretKey<32> client;
  crypto::SecretKey<32> server;
  bool have_client = false;
  bool have_server = false;
};

// Installs the key-log callback on a context (server or client).
void capture_traffic_secrets(SSL_CTX* ctx);

// Before the handshake: where this connection's secrets go (null: nowhere).
// `capture` must outlive the handshake.
[[nodiscard]] bool attach_capture(SSL* ssl, SecretCapture* capture);

struct HandedOver {
  Tls13Direction read;   // the peer's traffic
  Tls13Direction write;  // ours
};

enum class TlsSide : std::uint8_t { client, server };

// After the handshake completed on `side`: the two directions, or an error
// when the connection cannot be handed over (not TLS 1.3, a suite we do not
// run, a secret missing, or bytes OpenSSL read past the handshake). A client
// may hand over only if the server sends no tickets (sottod sends none).
Result<HandedOver> take_over(SSL* ssl, SecretCapture& capture, TlsSide side);

}  // namespace sotto::transport
