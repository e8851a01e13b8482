// SPDX-License-Identifier: Apache-2.0
// Readiness of many sockets for the one thread that runs an io_context,
// without a system call per wait. Asio's socket.async_wait() re-registers
// the descriptor with epoll_ctl at every wait; a connection waits after
// nearly every read, so that was one extra system call per message on
// sottod's I/O threads and in the load generator. Here a socket joins an
// epoll set of our own once, edge-triggered for reading and writing; the
// io_context watches that set, and each wake-up serves every socket that
// became ready (one epoll_wait and one re-arm for the lot).
//
// Used by sottod's sessions once the TLS handshake is over and by the load
// generator's connections. Header of the transport layer that includes Boost.
#pragma once

#include <sys/epoll.h>

#include <array>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <cstddef>
#include <cstdint>
#include <memory>

namespace sotto::transport {

class ReadinessListener {
 public:
  virtual ~ReadinessListener() = default;
  // Some of EPOLLIN, EPOLLOUT, EPOLLRDHUP, EPOLLHUP, EPOLLERR. Edge-triggered:
  // a listener told of input reads until the socket has nothing left (EAGAIN
  // or a short read); one told of output after a partial send tries again.
  // The mask is the socket's whole state when reported, so EPOLLOUT comes
  // along with most input events: act on it only while waiting to write.
  virtual void on_ready(std::uint32_t events) = 0;
};

// What an event asks of a listener.
struct Readiness {
  bool read = false;        // input waits, or the end of it
  bool to_the_end = false;  // the peer's FIN (or an error) came on this edge, after any data
                            // it brought: read until EOF, since no edge follows a FIN
  bool write = false;       // room to write (or an error the next send reports)
};

inline Readiness readiness(std::uint32_t events) {
  Readiness r;
  r.to_the_end = (events & (EPOLLRDHUP | EPOLLHUP | EPOLLERR)) != 0;
  r.read = r.to_the_end || (events & EPOLLIN) != 0;
  r.write = (events & (EPOLLOUT | EPOLLHUP | EPOLLERR)) != 0;
  return r;
}

// One per io_context (an Asio service); used only on the thread that runs it,
// or while no thread does.
class EdgePoller final : public boost::asio::execution_context::service {
 public:
  static boost::asio::execution_context::id id;

  // The io_context's poller, made on first use.
  static EdgePoller& of(boost::asio::io_context& io);

  explicit EdgePoller(boost::asio::execution_context& context);
  ~EdgePoller() override;
  EdgePoller(const EdgePoller&) = delete;
  EdgePoller& operator=(const EdgePoller&) = delete;

  // From now on `listener` hears of `fd` (a non-blocking socket) until
  // unwatch(). Readiness the socket already has is reported too. 0 or errno.
  int watch(int fd, ReadinessListener& listener);

  // Call before closing `fd`. Events of this wake-up not yet handed out are
  // dropped, so the listener may be destroyed right after.
  void unwatch(int fd, ReadinessListener& listener);

  [[nodiscard]] std::size_t watched() const noexcept { return watched_; }

  // Keeps `owner` alive until the handlers queued now have run (so until the
  // current wake-up is over).
  void release_later(std::shared_ptr<void> owner);

 private:
  struct ResumeAfterThrow;

  void shutdown() override;
  void arm();
  void on_set_ready();

  static constexpr std::size_t kBatch = 256;

  int epoll_fd_ = -1;
  // Watches epoll_fd_ for the io_context (and closes it).
  boost::asio::posix::stream_descriptor set_;
  std::array<epoll_event, kBatch> batch_{};
  std::size_t batch_size_ = 0;  // events of the wake-up being handed out
  std::size_t batch_next_ = 0;
  std::size_t watched_ = 0;
  // A wait of set_ is outstanding. None while nothing is watched: a pending
  // wait is work, and io_context::run() would never return.
  bool armed_ = false;
};

// A connected socket taken out of Asio and watched by its thread's poller:
// what sottod's sessions and the generator's connections hold once
// connected. The poller keeps a plain pointer to the listener, so while the
// socket is watched the listener's owner is kept alive here; close() lets it
// go once the current wake-up is over.
class WatchedSocket {
 public:
  WatchedSocket() = default;
  WatchedSocket(const WatchedSocket&) = delete;
  WatchedSocket& operator=(const WatchedSocket&) = delete;

  // Takes `socket` (connected, on an io_context's executor) and has that
  // thread's poller report it to `listener`, whose `owner` is held meanwhile.
  // 0, or errno, and then the socket is closed. Throws only if the poller
  // cannot be made, and then `socket` is untouched.
  int take(boost::asio::ip::tcp::socket& socket, ReadinessListener& listener,
           std::shared_ptr<void> owner);
  // Stops watching, closes the socket, lets go of the owner. Idempotent.
  void close(ReadinessListener& listener);

  [[nodiscard]] int fd() const noexcept { return fd_; }
  [[nodiscard]] bool is_open() const noexcept { return fd_ >= 0; }

 private:
  EdgePoller* poller_ = nullptr;
  int fd_ = -1;
  std::shared_ptr<void> owner_;
};

}  // namespace sotto::transport
