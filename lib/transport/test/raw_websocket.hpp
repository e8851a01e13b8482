// SPDX-License-Identifier: Apache-2.0
// A deliberately primitive WebSocket-over-TLS client for tests: blocking
// OpenSSL on a plain socket, hand-built frames. It can do what our client
// never would (send a header announcing more than it sends, cap TLS at 1.2),
// so tests can see exactly what the server answers.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cstdint>
#include <optional>
#include <string>

#include "sotto/core/bytes.hpp"

namespace sotto::transport::test {

class RawTlsClient {
 public:
  // TCP to 127.0.0.1:port and a TLS handshake with versions up to
  // `max_version` (and, if given, only the TLS 1.3 `suites`), no
  // certificate check. connected() says whether it worked.
  RawTlsClient(std::uint16_t port, int max_version, const char* suites = nullptr) {
    ctx_ = SSL_CTX_new(TLS_client_method());
    SSL_CTX_set_min_proto_version(ctx_, TLS1_VERSION);
    SSL_CTX_set_max_proto_version(ctx_, max_version);
    if (suites != nullptr) SSL_CTX_set_ciphersuites(ctx_, suites);
    SSL_CTX_set_verify(ctx_, SSL_VERIFY_NONE, nullptr);
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) return;
    timeval tv{5, 0};  // a hung server fails the test instead of hanging it
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ssl_ = SSL_new(ctx_);
    SSL_set_fd(ssl_, fd_);
    connected_ = SSL_connect(ssl_) == 1;
    ERR_clear_error();
  }
  ~RawTlsClient() {
    if (ssl_ != nullptr) SSL_free(ssl_);
    if (fd_ >= 0) ::close(fd_);
    SSL_CTX_free(ctx_);
    ERR_clear_error();
  }
  RawTlsClient(const RawTlsClient&) = delete;
  RawTlsClient& operator=(const RawTlsClient&) = delete;

  [[nodiscard]] bool connected() const { return connected_; }
  [[nodiscard]] int version() const { return connected_ ? SSL_version(ssl_) : 0; }
  // For tests that drive OpenSSL directly (key updates, close_notify) or
  // write raw bytes past it.
  [[nodiscard]] SSL* ssl() const { return ssl_; }
  [[nodiscard]] int fd() const { return fd_; }

  // The upgrade request without waiting for the answer.
  static std::string upgrade_request() {
    return "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
           "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
  }
  // Reads the answer to upgrade_request(); true on "101 Switching Protocols".
  bool read_upgrade_answer() {
    std::string response;
    while (response.find("\r\n\r\n") == std::string::npos) {
      char c = 0;
      if (SSL_read(ssl_, &c, 1) != 1) return false;
      response.push_back(c);
    }
    return response.rfind("HTTP/1.1 101", 0) == 0;
  }

  // The HTTP upgrade; true on "101 Switching Protocols".
  bool upgrade() { return write(as_bytes(upgrade_request())) && read_upgrade_answer(); }

  // A client frame (see send_frame) as bytes, with or without FIN.
  static Bytes client_frame(std::uint8_t opcode, ByteView payload, bool fin = true) {
    Bytes frame{static_cast<std::uint8_t>((fin ? 0x80 : 0) | opcode)};
    if (payload.size() < 126) {
      frame.push_back(static_cast<std::uint8_t>(0x80 | payload.size()));
    } else {
      frame.push_back(0x80 | 126);
      frame.push_back(static_cast<std::uint8_t>(payload.size() >> 8));
      frame.push_back(static_cast<std::uint8_t>(payload.size()));
    }
    frame.insert(frame.end(), 4, 0);  // masking key
    append(frame, payload);
    return frame;
  }

  bool write(ByteView data) {
    return SSL_write(ssl_, data.data(), static_cast<int>(data.size())) ==
           static_cast<int>(data.size());
  }

  // A client frame header (FIN set, masked with a zero key, so the payload
  // goes out as is) announcing `length` bytes, followed by `payload`, which
  // may be shorter than announced.
  bool send_frame(std::uint8_t opcode, std::uint64_t length, ByteView payload) {
    Bytes frame{static_cast<std::uint8_t>(0x80 | opcode)};
    if (length < 126) {
      frame.push_back(static_cast<std::uint8_t>(0x80 | length));
    } else {
      frame.push_back(0x80 | 127);
      for (int shift = 56; shift >= 0; shift -= 8) {
        frame.push_back(static_cast<std::uint8_t>(length >> shift));
      }
    }
    frame.insert(frame.end(), 4, 0);  // masking key
    append(frame, payload);
    return write(frame);
  }

  // The next server frame's opcode and payload (servers do not mask).
  std::optional<std::pair<std::uint8_t, Bytes>> read_frame() {
    std::uint8_t head[2];
    if (!read(head, 2)) return std::nullopt;
    std::uint64_t length = head[1] & 0x7f;
    if (length >= 126) {
      std::uint8_t ext[8];
      const int n = length == 126 ? 2 : 8;
      if (!read(ext, n)) return std::nullopt;
      length = 0;
      for (int i = 0; i < n; ++i) length = (length << 8) | ext[i];
    }
    Bytes payload(length);
    if (length > 0 && !read(payload.data(), payload.size())) return std::nullopt;
    return std::make_pair(static_cast<std::uint8_t>(head[0] & 0x0f), std::move(payload));
  }

  // Skips data frames until a close frame; its code, or 0 if none came.
  std::uint16_t read_close_code() {
    for (;;) {
      auto frame = read_frame();
      if (!frame) return 0;
      if (frame->first == 0x8) {
        if (frame->second.size() < 2) return 0;
        return static_cast<std::uint16_t>((frame->second[0] << 8) | frame->second[1]);
      }
    }
  }

 private:
  bool read(std::uint8_t* out, std::size_t size) {
    std::size_t done = 0;
    while (done < size) {
      const int n = SSL_read(ssl_, out + done, static_cast<int>(size - done));
      if (n <= 0) return false;
      done += static_cast<std::size_t>(n);
    }
    return true;
  }

  SSL_CTX* ctx_ = nullptr;
  SSL* ssl_ = nullptr;
  int fd_ = -1;
  bool connected_ = false;
};

}  // namespace sotto::transport::test
