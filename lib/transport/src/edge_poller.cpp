// SPDX-License-Identifier: Apache-2.0
#include "sotto/transport/edge_poller.hpp"

#include <unistd.h>

#include <boost/asio/execution/context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/query.hpp>
#include <cerrno>
#include <system_error>

namespace sotto::transport {

namespace net = boost::asio;

net::execution_context::id EdgePoller::id;

namespace {

int make_epoll_set() {
  const int fd = ::epoll_create1(EPOLL_CLOEXEC);
  if (fd < 0) throw std::system_error(errno, std::generic_category(), "epoll_create1");
  return fd;
}

}  // namespace

EdgePoller& EdgePoller::of(net::io_context& io) { return net::use_service<EdgePoller>(io); }

// Services are made from an execution_context; an EdgePoller only ever from
// an io_context (of() is the way in), whose executor the descriptor needs.
EdgePoller::EdgePoller(net::execution_context& context)
    : net::execution_context::service(context),
      epoll_fd_(make_epoll_set()),
      set_(static_cast<net::io_context&>(context), epoll_fd_) {}

EdgePoller::~EdgePoller() = default;

void EdgePoller::shutdown() {
  // The io_context is going away; whoever still watches a socket must not
  // reach the closed set (its number may be reused).
  boost::system::error_code ignored;
  set_.close(ignored);
  epoll_fd_ = -1;
  watched_ = 0;
  batch_size_ = batch_next_ = 0;
}

int EdgePoller::watch(int fd, ReadinessListener& listener) {
  if (epoll_fd_ < 0) return EBADF;  // shut down
  epoll_event event{};
  event.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
  event.data.ptr = &listener;
  if (::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &event) != 0) return errno;
  ++watched_;
  if (!armed_) arm();
  return 0;
}

void EdgePoller::unwatch(int fd, ReadinessListener& listener) {
  if (epoll_fd_ < 0) return;  // shut down: nothing is watched
  epoll_event ignored{};
  if (::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, fd, &ignored) != 0) return;  // was not watched
  for (std::size_t i = batch_next_; i < batch_size_; ++i) {
    if (batch_[i].data.ptr == &listener) batch_[i].data.ptr = nullptr;
  }
  if (--watched_ == 0 && armed_) {
    boost::system::error_code ignored_error;
    set_.cancel(ignored_error);  // the wait ends; on_set_ready does not re-arm
  }
}

void EdgePoller::release_later(std::shared_ptr<void> owner) {
  net::post(set_.get_executor(), [held = std::move(owner)] {});
}

void EdgePoller::arm() {
  armed_ = true;
  set_.async_wait(net::posix::stream_descriptor::wait_read,
                  [this](const boost::system::error_code&) { on_set_ready(); });
}

// If a listener throws, the exception goes on to the io_context's run() (the
// server's I/O thread calls run() again); the rest of the wake-up's events
// are handed out from a posted call first, since edges do not come twice.
struct EdgePoller::ResumeAfterThrow {
  EdgePoller& poller;
  bool done = false;
  ~ResumeAfterThrow() {
    if (done || poller.armed_ || poller.epoll_fd_ < 0) return;
    poller.armed_ = true;
    net::post(poller.set_.get_executor(), [p = &poller] { p->on_set_ready(); });
  }
};

void EdgePoller::on_set_ready() {
  armed_ = false;
  if (watched_ == 0 || !set_.is_open()) return;
  if (batch_next_ >= batch_size_) {  // else: what a throw left of the last wake-up
    const int n = ::epoll_wait(epoll_fd_, batch_.data(), static_cast<int>(kBatch), 0);
    batch_size_ = n > 0 ? static_cast<std::size_t>(n) : 0;
    batch_next_ = 0;
  }
  const bool full = batch_size_ == kBatch;
  ResumeAfterThrow resume{*this};
  while (batch_next_ < batch_size_) {
    const epoll_event event = batch_[batch_next_++];
    if (event.data.ptr != nullptr) {
      static_cast<ReadinessListener*>(event.data.ptr)->on_ready(event.events);
    }
  }
  resume.done = true;
  batch_size_ = batch_next_ = 0;
  if (watched_ == 0 || armed_) return;
  if (full) {
    // A full batch: more may be ready. Other handlers get their turn first.
    armed_ = true;
    net::post(set_.get_executor(), [this] { on_set_ready(); });
    return;
  }
  arm();
}

int WatchedSocket::take(net::ip::tcp::socket& socket, ReadinessListener& listener,
                        std::shared_ptr<void> owner) {
  // The poller first: making it can throw, and the socket must not be loose
  // then. Sockets live on io_contexts (the only executors used here).
  auto& io =
      static_cast<net::io_context&>(net::query(socket.get_executor(), net::execution::context));
  poller_ = &EdgePoller::of(io);
  boost::system::error_code ec;
  socket.native_non_blocking(true, ec);
  if (!ec) fd_ = socket.release(ec);
  if (ec || fd_ < 0) {
    socket.close(ec);
    fd_ = -1;
    return EBADF;
  }
  if (const int error = poller_->watch(fd_, listener); error != 0) {
    ::close(fd_);
    fd_ = -1;
    return error;
  }
  owner_ = std::move(owner);
  return 0;
}

void WatchedSocket::close(ReadinessListener& listener) {
  if (fd_ < 0) return;
  poller_->unwatch(fd_, listener);
  ::close(fd_);
  fd_ = -1;
  poller_->release_later(std::move(owner_));
}

}  // namespace sotto::transport
