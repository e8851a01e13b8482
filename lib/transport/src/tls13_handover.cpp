// SPDX-License-Identifier: Apache-2.0
#include "sotto/transport/tls13_handover.hpp"

#include <openssl/crypto.h>

#include <cstring>
#include <string_view>

namespace sotto::transport {

namespace {

int capture_index() {
  static const int index = SSL_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
  return index;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// "<label> <client random, 64 hex> <secret, 64 hex>": the secret into `out`.
bool parse_secret(std::string_view line, std::string_view label, crypto::SecretKey<32>& out) {
  if (line.size() != label.size() + 1 + 64 + 1 + 64 || !line.starts_with(label) ||
      line[label.size()] != ' ' || line[label.size() + 65] != ' ') {
    return false;
  }
  const std::string_view hex = line.substr(label.size() + 66);
  auto bytes = out.mutable_bytes();
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    const int high = hex_value(hex[2 * i]);
    const int low = hex_value(hex[2 * i + 1]);
    if (high < 0 || low < 0) return false;
    bytes[i] = static_cast<std::uint8_t>(high << 4 | low);
  }
  return true;
}

void on_key_log(const SSL* ssl, const char* line) {
  auto* capture = static_cast<SecretCapture*>(SSL_get_ex_data(ssl, capture_index()));
  if (capture == nullptr) return;
  const std::string_view text(line, std::strlen(line));
  // The generation-0 application secrets; the handshake secrets and the
  // exporter secret are of no use here and are not kept.
  if (parse_secret(text, "CLIENT_TRAFFIC_SECRET_0", capture->client)) {
    capture->have_client = true;
  } else if (parse_secret(text, "SERVER_TRAFFIC_SECRET_0", capture->server)) {
    capture->have_server = true;
  }
}

}  // namespace

void capture_traffic_secrets(SSL_CTX* ctx) { SSL_CTX_set_keylog_callback(ctx, on_key_log); }

bool attach_capture(SSL* ssl, SecretCapture* capture) {
  return capture_index() >= 0 && SSL_set_ex_data(ssl, capture_index(), capture) == 1;
}

Result<HandedOver> take_over(SSL* ssl, SecretCapture& capture, TlsSide side) {
  (void)SSL_set_ex_data(ssl, capture_index(), nullptr);
  if (SSL_version(ssl) != TLS1_3_VERSION) return fail(Errc::network_error, "not TLS 1.3");
  if (!capture.have_client || !capture.have_server) {
    return fail(Errc::internal, "TLS traffic secrets were not captured");
  }
  // Bytes OpenSSL read but did not process would be lost to our layer.
  if (SSL_has_pending(ssl) != 0) {
    return fail(Errc::network_error, "data arrived inside the TLS handshake");
  }
  const SSL_CIPHER* cipher = SSL_get_current_cipher(ssl);
  const std::uint16_t suite =
      cipher != nullptr ? static_cast<std::uint16_t>(SSL_CIPHER_get_protocol_id(cipher)) : 0;
  Tls13Cipher which;
  switch (suite) {
    case 0x1301:  // TLS_AES_128_GCM_SHA256
      which = Tls13Cipher::aes_128_gcm;
      break;
    case 0x1303:  // TLS_CHACHA20_POLY1305_SHA256
      which = Tls13Cipher::chacha20_poly1305;
      break;
    default:
      return fail(Errc::internal, "negotiated a TLS suite we do not run");
  }
  Tls13Direction client(which, std::move(capture.client));
  Tls13Direction server(which, std::move(capture.server));
  HandedOver handed = side == TlsSide::server ? HandedOver{std::move(client), std::move(server)}
                                              : HandedOver{std::move(server), std::move(client)};
  capture.have_client = capture.have_server = false;
  return handed;
}

}  // namespace sotto::transport
