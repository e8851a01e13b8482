// SPDX-License-Identifier: Apache-2.0
// A TLS stream over a TCP socket that drives OpenSSL directly on the socket's
// (non-blocking) file descriptor, for Beast's websocket::stream.
//
// Why not asio::ssl::stream: its engine keeps two 17 KB buffers per stream
// and an OpenSSL BIO pair with two more, ~70 KB for every connection, idle or
// not. Here OpenSSL reads and writes the socket itself (a small BIO of ours,
// so writes use MSG_NOSIGNAL), readiness comes from socket.async_wait, and
// with SSL_MODE_RELEASE_BUFFERS an idle connection holds no record buffers:
// what is left is OpenSSL's own per-connection state.
//
// Satisfies Beast's AsyncStream (get_executor, async_read_some,
// async_write_some) and websocket teardown (teardown / async_teardown below,
// found by ADL). Like the socket, not thread-safe: one read and one write may
// be outstanding at a time, all calls on one strand. Closing the socket (the
// lowest layer) cancels whatever is pending; the stream then refuses further
// I/O, since the descriptor number may already belong to another socket.
#pragma once

#include <openssl/ssl.h>

#include <algorithm>
#include <boost/asio/compose.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/role.hpp>
#include <boost/beast/websocket/teardown.hpp>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <type_traits>
#include <utility>

namespace sotto::transport {

class TlsStream {
 public:
  using next_layer_type = boost::asio::ip::tcp::socket;
  using lowest_layer_type = next_layer_type;
  using executor_type = next_layer_type::executor_type;
  using error_code = boost::system::error_code;

  enum HandshakeType { client, server };

  // `socket` may be open (an accepted one) or not (the client opens and
  // connects it later); the handshake binds OpenSSL to it. `ctx` must
  // outlive the stream.
  TlsStream(next_layer_type&& socket, SSL_CTX* ctx);
  template <class Executor>
  TlsStream(const Executor& executor, SSL_CTX* ctx) : TlsStream(next_layer_type(executor), ctx) {}

  TlsStream(TlsStream&&) noexcept = default;
  TlsStream& operator=(TlsStream&&) noexcept = default;
  ~TlsStream() = default;

  executor_type get_executor() noexcept { return socket_.get_executor(); }
  next_layer_type& next_layer() noexcept { return socket_; }
  const next_layer_type& next_layer() const noexcept { return socket_; }
  // Null only if SSL_new failed (out of memory); the handshake then fails.
  SSL* native_handle() noexcept { return ssl_.get(); }

  template <class Token>
  auto async_handshake(HandshakeType type, Token&& token) {
    return run<true>(Step::handshake, type == client, std::forward<Token>(token));
  }

  // Sends close_notify (does not wait for the peer's).
  template <class Token>
  auto async_shutdown(Token&& token) {
    return run<true>(Step::shutdown, false, std::forward<Token>(token));
  }

  template <class MutableBuffers, class Token>
  auto async_read_some(const MutableBuffers& buffers, Token&& token) {
    // Into the first non-empty buffer: one SSL_read yields at most one
    // record anyway.
    boost::asio::mutable_buffer target;
    for (auto it = boost::asio::buffer_sequence_begin(buffers);
         it != boost::asio::buffer_sequence_end(buffers); ++it) {
      if (boost::asio::mutable_buffer b(*it); b.size() != 0) {
        target = b;
        break;
      }
    }
    return run<false>(Step::read, false, std::forward<Token>(token), target.data(), target.size());
  }

  template <class ConstBuffers, class Token>
  auto async_write_some(const ConstBuffers& buffers, Token&& token) {
    // Beast hands over a frame header and its payload as separate buffers;
    // written one by one they would cost a TLS record (and a send) each, so
    // a short first buffer is joined with what follows, up to one record.
    const auto begin = boost::asio::buffer_sequence_begin(buffers);
    const auto end = boost::asio::buffer_sequence_end(buffers);
    std::size_t first = 0;
    std::size_t total = 0;
    const void* first_data = nullptr;
    for (auto it = begin; it != end && total < kMaxRecord; ++it) {
      boost::asio::const_buffer b(*it);
      if (b.size() == 0) continue;
      if (first_data == nullptr) {
        first_data = b.data();
        first = b.size();
      }
      total += b.size();
    }
    if (first >= kMaxRecord || first == total) {
      return run<false>(Step::write, false, std::forward<Token>(token), first_data, first);
    }
    total = std::min(total, kMaxRecord);
    std::unique_ptr<std::uint8_t[]> joined(new std::uint8_t[total]);
    boost::asio::buffer_copy(boost::asio::buffer(joined.get(), total), buffers);
    const void* data = joined.get();
    return run<false>(Step::write, false, std::forward<Token>(token), data, total,
                      std::move(joined));
  }

 private:
  friend void teardown(boost::beast::role_type, TlsStream&, boost::system::error_code&);

  // The largest TLS record's plaintext.
  static constexpr std::size_t kMaxRecord = 16384;

  enum class Step { handshake, shutdown, read, write };
  enum class Want { done, read, write };
  struct Outcome {
    Want want = Want::done;
    error_code ec;
    std::size_t bytes = 0;
  };

  // One non-blocking OpenSSL call for `step` (tls_stream.cpp).
  Outcome attempt(Step step, bool as_client, void* data, std::size_t size);
  // Binds OpenSSL to the (now open) socket, made non-blocking.
  error_code attach(bool as_client);

  // Repeats attempt(): waiting for the socket whenever OpenSSL wants it
  // readable or writable, and completing (never inline) once it is done.
  template <bool kNoSize>
  struct Op {
    TlsStream* stream;
    Step step;
    bool as_client;
    void* data;
    std::size_t size;
    std::unique_ptr<std::uint8_t[]> owned;  // the joined buffer of a write
    bool started = false;
    bool posted = false;
    Outcome result{};

    template <class Self>
    void operator()(Self& self, error_code ec = {}) {
      if (posted) return finish(self, result);
      const bool first = !started;
      started = true;
      if (first && step == Step::handshake) {
        if (auto e = stream->attach(as_client)) return finish_later(self, {Want::done, e, 0});
      }
      if (ec) return finish(self, {Want::done, ec, 0});
      Outcome outcome;
      if (!stream->socket_.is_open()) {
        outcome.ec = boost::asio::error::operation_aborted;
      } else {
        outcome = stream->attempt(step, as_client, data, size);
      }
      switch (outcome.want) {
        case Want::read:
          return stream->socket_.async_wait(next_layer_type::wait_read, std::move(self));
        case Want::write:
          return stream->socket_.async_wait(next_layer_type::wait_write, std::move(self));
        case Want::done:
          break;
      }
      if (first) return finish_later(self, outcome);
      finish(self, outcome);
    }

    // The initiating call must not run the handler itself.
    template <class Self>
    void finish_later(Self& self, Outcome outcome) {
      posted = true;
      result = std::move(outcome);
      boost::asio::post(std::move(self));
    }

    template <class Self>
    void finish(Self& self, const Outcome& outcome) {
      owned.reset();
      if constexpr (kNoSize) {
        self.complete(outcome.ec);
      } else {
        self.complete(outcome.ec, outcome.bytes);
      }
    }
  };

  template <bool kNoSize, class Token>
  auto run(Step step, bool as_client, Token&& token, void* data = nullptr, std::size_t size = 0,
           std::unique_ptr<std::uint8_t[]> owned = {}) {
    using Signature = std::conditional_t<kNoSize, void(error_code), void(error_code, std::size_t)>;
    return boost::asio::async_compose<Token, Signature>(
        Op<kNoSize>{this, step, as_client, data, size, std::move(owned)}, token, socket_);
  }
  template <bool kNoSize, class Token>
  auto run(Step step, bool as_client, Token&& token, const void* data, std::size_t size,
           std::unique_ptr<std::uint8_t[]> owned = {}) {
    // OpenSSL only reads from a write's buffer.
    return run<kNoSize>(step, as_client, std::forward<Token>(token), const_cast<void*>(data), size,
                        std::move(owned));
  }

  struct SslFree {
    void operator()(SSL* p) const noexcept { SSL_free(p); }
  };

  next_layer_type socket_;
  std::unique_ptr<SSL, SslFree> ssl_;
  // After a fatal TLS error OpenSSL must not be asked for a close_notify.
  bool failed_ = false;
};

// Websocket teardown (Beast finds these by ADL): our close_notify, then the
// TCP teardown Beast does for a plain socket.
void teardown(boost::beast::role_type role, TlsStream& stream, boost::system::error_code& ec);

// Drives async_teardown: close_notify, then the TCP teardown.
struct TlsTeardownOp {
  TlsStream& stream;
  boost::beast::role_type role;
  int state = 0;

  template <class Self>
  void operator()(Self& self, boost::system::error_code ec = {}) {
    switch (state) {
      case 0:
        state = 1;
        return stream.async_shutdown(std::move(self));
      case 1:
        // A failed close_notify does not stop the TCP teardown: the
        // closing handshake is already done at the WebSocket level.
        state = 2;
        {
          using boost::beast::websocket::async_teardown;
          return async_teardown(role, stream.next_layer(), std::move(self));
        }
      default:
        self.complete(ec);
    }
  }
};

template <class Handler>
void async_teardown(boost::beast::role_type role, TlsStream& stream, Handler&& handler) {
  boost::asio::async_compose<Handler, void(boost::system::error_code)>(
      TlsTeardownOp{stream, role}, handler, stream.next_layer());
}

}  // namespace sotto::transport
