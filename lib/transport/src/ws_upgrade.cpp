// SPDX-License-Identifier: Apache-2.0
// The opening handshake of RFC 6455 §4.2: Beast parses the HTTP head, this
// file decides whether it is an upgrade we accept and writes the answer.
#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <string>
#include <string_view>

#include "sotto/transport/ws_codec.hpp"

namespace sotto::transport {

namespace {

namespace http = boost::beast::http;

constexpr std::string_view kAcceptGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
constexpr std::string_view kEndOfHead = "\r\n\r\n";
constexpr std::string_view kMethod = "GET ";

UpgradeOutcome refuse(std::string_view status, std::string_view extra_fields = {}) {
  UpgradeOutcome out;
  out.kind = UpgradeOutcome::Kind::refused;
  out.response.reserve(96 + extra_fields.size());
  out.response.append("HTTP/1.1 ").append(status).append("\r\n");
  out.response.append(extra_fields);
  out.response.append("Content-Length: 0\r\nConnection: close\r\n\r\n");
  return out;
}

UpgradeOutcome bad_request() { return refuse("400 Bad Request"); }

bool is_base64_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
         c == '/';
}

// 16 bytes in base64 are 22 characters and "==". The key is a nonce the
// client proves it saw, so nothing but its shape is checked.
bool is_valid_key(std::string_view key) {
  return key.size() == 24 && key.substr(22) == "==" &&
         std::all_of(key.begin(), key.begin() + 22, is_base64_char);
}

// base64(SHA-1(key + GUID)), 28 characters; empty if OpenSSL fails.
std::string accept_value(std::string_view key) {
  std::string input;
  input.reserve(key.size() + kAcceptGuid.size());
  input.append(key).append(kAcceptGuid);
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int digest_size = 0;
  if (EVP_Digest(input.data(), input.size(), digest.data(), &digest_size, EVP_sha1(), nullptr) !=
          1 ||
      digest_size != 20) {
    return {};
  }
  std::array<unsigned char, 29> encoded{};  // 4 * ceil(20 / 3) + NUL
  const int n = EVP_EncodeBlock(encoded.data(), digest.data(), 20);
  if (n != 28) return {};
  return std::string(reinterpret_cast<const char*>(encoded.data()), 28);
}

// The Server field is our own configuration, yet a control character in it
// would split the response, so those are dropped.
void append_token(std::string& out, std::string_view text) {
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (u >= 0x20 && u != 0x7F) out.push_back(c);
  }
}

}  // namespace

UpgradeOutcome parse_upgrade(std::string_view input, std::string_view server_name) {
  // Anything that cannot become "GET " is refused at once instead of being
  // held until the bound: a TLS client that does not speak HTTP costs nothing.
  const std::size_t prefix = std::min(input.size(), kMethod.size());
  if (input.substr(0, prefix) != kMethod.substr(0, prefix)) return bad_request();

  // The head must end within the bound (the end marker included).
  const std::size_t end = input.substr(0, kMaxUpgradeRequest).find(kEndOfHead);
  if (end == std::string_view::npos) {
    if (input.size() >= kMaxUpgradeRequest) return refuse("431 Request Header Fields Too Large");
    return {};  // need_more
  }
  const std::size_t head_size = end + kEndOfHead.size();

  http::request_parser<http::empty_body> parser;
  parser.header_limit(static_cast<std::uint32_t>(kMaxUpgradeRequest));
  parser.eager(false);  // the head only: whatever follows it is frames
  boost::beast::error_code ec;
  const std::size_t used = parser.put(boost::asio::buffer(input.data(), head_size), ec);
  if (ec || used != head_size || !parser.is_header_done()) return bad_request();

  // A request body would be bytes that are neither head nor frames.
  if (parser.chunked() || parser.content_length().value_or(0) != 0) return bad_request();

  const auto& req = parser.get();
  if (req.method() != http::verb::get || req.version() != 11) return bad_request();
  if (req.count(http::field::host) != 1) return bad_request();  // RFC 7230 §5.4
  if (!boost::beast::websocket::is_upgrade(req)) return bad_request();
  if (req.count(http::field::sec_websocket_key) != 1) return bad_request();
  const std::string_view key = req[http::field::sec_websocket_key];
  if (!is_valid_key(key)) return bad_request();
  if (req.count(http::field::sec_websocket_version) != 1) return bad_request();
  if (req[http::field::sec_websocket_version] != "13") {
    return refuse("426 Upgrade Required", "Sec-WebSocket-Version: 13\r\n");
  }

  const std::string accept = accept_value(key);
  if (accept.empty()) return refuse("500 Internal Server Error");

  UpgradeOutcome out;
  out.kind = UpgradeOutcome::Kind::accepted;
  out.consumed = head_size;
  out.response.reserve(160 + server_name.size());
  out.response.append(
      "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
      "Sec-WebSocket-Accept: ");
  out.response.append(accept);
  out.response.append("\r\nServer: ");
  append_token(out.response, server_name);
  out.response.append("\r\n\r\n");
  return out;
}

}  // namespace sotto::transport
