// SPDX-License-Identifier: Apache-2.0
#include "sotto/transport/tls_stream.hpp"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <sys/socket.h>

#include <boost/asio/error.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/beast/websocket/teardown.hpp>
#include <cerrno>
#include <cstdint>

namespace sotto::transport {

namespace net = boost::asio;

namespace {

// The errno of the last failed send/recv of this thread's OpenSSL call:
// OpenSSL may clobber errno between the failing call and its return.
thread_local int t_socket_errno = 0;

int socket_of(BIO* bio) {
  return static_cast<int>(reinterpret_cast<std::intptr_t>(BIO_get_data(bio)));
}

int bio_write(BIO* bio, const char* data, std::size_t size, std::size_t* written) {
  BIO_clear_retry_flags(bio);
  for (;;) {
    // MSG_NOSIGNAL: a peer that reset the connection is an error value, not
    // a SIGPIPE for the whole server.
    const ssize_t n = ::send(socket_of(bio), data, size, MSG_NOSIGNAL);
    if (n >= 0) {
      *written = static_cast<std::size_t>(n);
      return 1;
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
      BIO_set_retry_write(bio);
    } else {
      t_socket_errno = errno;
    }
    return 0;
  }
}

int bio_read(BIO* bio, char* data, std::size_t size, std::size_t* read) {
  BIO_clear_retry_flags(bio);
  for (;;) {
    const ssize_t n = ::recv(socket_of(bio), data, size, 0);
    if (n > 0) {
      *read = static_cast<std::size_t>(n);
      return 1;
    }
    if (n == 0) {
      // Lets OpenSSL tell an EOF from an error (BIO_CTRL_EOF below).
      BIO_set_flags(bio, BIO_FLAGS_IN_EOF);
      return 0;
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
      BIO_set_retry_read(bio);
    } else {
      t_socket_errno = errno;
    }
    return 0;
  }
}

long bio_ctrl(BIO* bio, int command, long, void*) {
  switch (command) {
    case BIO_CTRL_FLUSH:
      return 1;  // nothing buffered here
    case BIO_CTRL_EOF:
      return BIO_test_flags(bio, BIO_FLAGS_IN_EOF) != 0 ? 1 : 0;
    default:
      return 0;
  }
}

BIO_METHOD* make_socket_method() {
  BIO_METHOD* method =
      BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "sotto nonblocking socket");
  if (method == nullptr || BIO_meth_set_write_ex(method, bio_write) != 1 ||
      BIO_meth_set_read_ex(method, bio_read) != 1 || BIO_meth_set_ctrl(method, bio_ctrl) != 1) {
    BIO_meth_free(method);
    return nullptr;
  }
  return method;
}

// One for the process, never freed (BIOs of live streams point at it).
BIO_METHOD* socket_method() {
  static BIO_METHOD* const method = make_socket_method();
  return method;
}

}  // namespace

TlsStream::TlsStream(next_layer_type&& socket, SSL_CTX* ctx)
    : socket_(std::move(socket)), ssl_(SSL_new(ctx)) {
  if (!ssl_) return;
  // RELEASE_BUFFERS: an idle connection holds no record buffers. The other
  // two let a write retried after WANT_WRITE be a write_some that reports
  // one record at a time, from a buffer that may have moved.
  SSL_set_mode(ssl_.get(), SSL_MODE_RELEASE_BUFFERS | SSL_MODE_ENABLE_PARTIAL_WRITE |
                               SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  // One recv for as many records as have arrived, not two per record (header
  // then body); the buffer still goes once everything in it is consumed.
  SSL_set_read_ahead(ssl_.get(), 1);
}

TlsStream::error_code TlsStream::attach(bool as_client) {
  if (!ssl_) return net::error::no_memory;
  if (!socket_.is_open()) return net::error::bad_descriptor;
  error_code ec;
  socket_.native_non_blocking(true, ec);
  if (ec) return ec;
  BIO_METHOD* method = socket_method();
  BIO* bio = method != nullptr ? BIO_new(method) : nullptr;
  if (bio == nullptr) return net::error::no_memory;
  BIO_set_data(bio, reinterpret_cast<void*>(static_cast<std::intptr_t>(socket_.native_handle())));
  BIO_set_init(bio, 1);
  SSL_set_bio(ssl_.get(), bio, bio);  // one reference, owned by the SSL
  if (as_client) {
    SSL_set_connect_state(ssl_.get());
  } else {
    SSL_set_accept_state(ssl_.get());
  }
  return {};
}

TlsStream::Outcome TlsStream::attempt(Step step, bool, void* data, std::size_t size) {
  SSL* ssl = ssl_.get();
  if (step == Step::shutdown && (failed_ || !SSL_is_init_finished(ssl))) {
    return {};  // no TLS session to close politely
  }
  if ((step == Step::read || step == Step::write) && size == 0) return {};
  // OpenSSL must never block the I/O thread; Beast's TCP teardown resets
  // the descriptor to blocking on some of its error paths.
  if (!socket_.native_non_blocking()) {
    error_code ec;
    socket_.native_non_blocking(true, ec);
    if (ec) return {Want::done, ec, 0};
  }
  // SSL_get_error reads this thread's error queue: it must hold only what
  // this call adds.
  ERR_clear_error();
  t_socket_errno = 0;
  int ret = 0;
  std::size_t bytes = 0;
  switch (step) {
    case Step::handshake:
      ret = SSL_do_handshake(ssl);
      break;
    case Step::shutdown:
      ret = SSL_shutdown(ssl);
      // 0: our close_notify is out and the peer's not yet in, which is all
      // a teardown needs (the TCP teardown drains the rest).
      if (ret >= 0) return {};
      break;
    case Step::read:
      ret = SSL_read_ex(ssl, data, size, &bytes);
      break;
    case Step::write:
      ret = SSL_write_ex(ssl, data, size, &bytes);
      break;
  }
  if (ret == 1) return {Want::done, {}, bytes};
  Outcome outcome;
  // TLS 1.3 may make a read write (or a write read): the wait follows what
  // OpenSSL asks for, not the direction of the call.
  switch (SSL_get_error(ssl, ret)) {
    case SSL_ERROR_WANT_READ:
      if (step == Step::shutdown) return {};
      outcome.want = Want::read;
      return outcome;
    case SSL_ERROR_WANT_WRITE:
      outcome.want = Want::write;
      return outcome;
    case SSL_ERROR_ZERO_RETURN:
      outcome.ec = net::error::eof;  // the peer's close_notify
      break;
    case SSL_ERROR_SYSCALL:
      failed_ = true;
      // No errno: the peer closed TCP without a close_notify.
      outcome.ec = t_socket_errno != 0
                       ? error_code(t_socket_errno, boost::system::system_category())
                       : error_code(net::ssl::error::stream_truncated);
      break;
    default: {
      failed_ = true;
      const unsigned long code = ERR_peek_last_error();
      if (ERR_GET_LIB(code) == ERR_LIB_SSL &&
          ERR_GET_REASON(code) == SSL_R_UNEXPECTED_EOF_WHILE_READING) {
        outcome.ec = net::ssl::error::stream_truncated;
      } else if (code != 0) {
        outcome.ec = error_code(static_cast<int>(code), net::error::get_ssl_category());
      } else {
        outcome.ec = net::error::fault;
      }
      break;
    }
  }
  ERR_clear_error();
  return outcome;
}

void teardown(boost::beast::role_type role, TlsStream& stream, boost::system::error_code& ec) {
  // Beast's synchronous close: one try at a close_notify (the socket is
  // non-blocking), then the plain TCP teardown.
  SSL* ssl = stream.native_handle();
  if (ssl != nullptr && !stream.failed_ && SSL_is_init_finished(ssl)) {
    ERR_clear_error();
    (void)SSL_shutdown(ssl);
    ERR_clear_error();
  }
  using boost::beast::websocket::teardown;
  teardown(role, stream.next_layer(), ec);
}

}  // namespace sotto::transport
