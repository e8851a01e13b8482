// SPDX-License-Identifier: Apache-2.0
// The listener and its I/O threads: one io_context per thread ("one event
// loop per core"), each run by exactly one thread, and accepted sockets
// handed to them round-robin. Sessions (session.cpp) do the rest.
#include "sotto/transport/server.hpp"

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <future>
#include <mutex>
#include <thread>
#include <vector>

#include "session.hpp"
#include "tls_context.hpp"

namespace sotto::transport {

namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {

// After a failed accept (e.g. EMFILE: out of file descriptors) the listener
// pauses rather than spinning on the same error.
constexpr std::chrono::milliseconds kAcceptRetryDelay{100};

}  // namespace

struct WebSocketServer::Impl {
  Impl(const ServerOptions& o, detail::SslCtxPtr ctx, ServerHandler& handler)
      : options(o), tls(std::move(ctx)), shared(handler, tls.get(), o) {}

  ~Impl() { stop(); }

  Status listen() {
    const unsigned count = options.io_threads != 0
                               ? options.io_threads
                               : std::max(1u, std::thread::hardware_concurrency());
    for (unsigned i = 0; i < count; ++i) {
      // Concurrency hint 1: each context is run by one thread only.
      contexts.push_back(std::make_unique<net::io_context>(1));
    }
    boost::system::error_code ec;
    const auto address = net::ip::make_address(options.address, ec);
    if (ec) return fail(Errc::bad_request, "invalid listen address '" + options.address + "'");
    const tcp::endpoint endpoint(address, options.port);
    acceptor = std::make_unique<tcp::acceptor>(*contexts[0]);
    retry_timer = std::make_unique<net::steady_timer>(*contexts[0]);
    acceptor->open(endpoint.protocol(), ec);
    if (!ec) acceptor->set_option(tcp::acceptor::reuse_address(true), ec);
    if (!ec) acceptor->bind(endpoint, ec);
    if (!ec) acceptor->listen(net::socket_base::max_listen_connections, ec);
    if (!ec) port = acceptor->local_endpoint(ec).port();
    if (ec) {
      return fail(Errc::network_error, "cannot listen on " + options.address + ":" +
                                           std::to_string(options.port) + ": " + ec.message());
    }
    for (auto& context : contexts) guards.emplace_back(context->get_executor());
    net::post(*contexts[0], [this] { accept_next(); });
    for (auto& context : contexts) {
      threads.emplace_back([&io = *context] { run(io); });
    }
    return ok();
  }

  static void run(net::io_context& io) {
    for (;;) {
      try {
        io.run();
        return;
      } catch (...) {
        // Handlers catch their own; anything reaching here is a bug in one
        // connection, and the other connections of this thread keep going.
      }
    }
  }

  // On contexts[0].
  void accept_next() {
    auto& target = *contexts[next_context++ % contexts.size()];
    // The context's own executor, not a strand: one thread runs it, so a
    // connection's handlers never run concurrently anyway.
    acceptor->async_accept(target.get_executor(),
                           [this](boost::system::error_code ec, tcp::socket socket) {
                             on_accept(ec, std::move(socket));
                           });
  }

  void on_accept(boost::system::error_code ec, tcp::socket socket) {
    if (!acceptor->is_open()) return;
    if (ec) {
      retry_timer->expires_after(kAcceptRetryDelay);
      retry_timer->async_wait([this](boost::system::error_code e) {
        if (!e && acceptor->is_open()) accept_next();
      });
      return;
    }
    // The session starts on its own thread; the listener moves on at once.
    const auto executor = socket.get_executor();
    net::post(executor, [this, s = std::move(socket)]() mutable {
      detail::start_session(std::move(s), shared);
    });
    accept_next();
  }

  std::vector<std::shared_ptr<detail::Session>> live_sessions() {
    std::vector<std::shared_ptr<detail::Session>> out;
    std::lock_guard lock(shared.mutex);
    shared.stopping = true;
    out.reserve(shared.live.size());
    for (auto& [id, weak] : shared.live) {
      if (auto session = weak.lock()) out.push_back(std::move(session));
    }
    return out;
  }

  void stop() {
    std::lock_guard stop_lock(stop_mutex);
    if (stopped || contexts.empty()) return;
    stopped = true;
    if (!threads.empty()) {
      std::promise<void> acceptor_closed;
      net::post(*contexts[0], [&] {
        boost::system::error_code ec;
        acceptor->close(ec);
        retry_timer->cancel();
        acceptor_closed.set_value();
      });
      acceptor_closed.get_future().wait();
    }
    for (const auto& session : live_sessions()) detail::close_session(session, false);
    {
      std::unique_lock lock(shared.mutex);
      shared.drained.wait_for(lock, options.stop_grace, [&] { return shared.live.empty(); });
    }
    for (const auto& session : live_sessions()) detail::close_session(session, true);
    {
      std::unique_lock lock(shared.mutex);
      shared.drained.wait(lock, [&] { return shared.live.empty(); });
    }
    guards.clear();
    for (auto& thread : threads) thread.join();
    threads.clear();
    acceptor.reset();
    retry_timer.reset();
  }

  const ServerOptions options;
  const detail::SslCtxPtr tls;
  detail::SessionShared shared;
  std::uint16_t port = 0;

  // Declared before what runs on them, so they are destroyed last.
  std::vector<std::unique_ptr<net::io_context>> contexts;
  std::vector<net::executor_work_guard<net::io_context::executor_type>> guards;
  std::unique_ptr<tcp::acceptor> acceptor;
  std::unique_ptr<net::steady_timer> retry_timer;
  std::size_t next_context = 0;  // contexts[0] only
  std::vector<std::thread> threads;

  std::mutex stop_mutex;
  bool stopped = false;
};

Result<std::unique_ptr<WebSocketServer>> WebSocketServer::start(const ServerOptions& options,
                                                                const ServerIdentity& identity,
                                                                ServerHandler& handler) {
  if (options.max_frame_size == 0 || options.max_connections == 0 ||
      options.max_queued_bytes < options.max_frame_size || options.max_queued_frames == 0 ||
      options.handshake_timeout.count() <= 0) {
    return fail(Errc::bad_request,
                "server options: limits must be positive and the write queue must hold at "
                "least one frame of the maximum size");
  }
  auto ctx = detail::make_server_tls_context(identity);
  if (!ctx) return tl::unexpected(ctx.error());
  auto impl = std::make_unique<Impl>(options, std::move(*ctx), handler);
  SOTTO_TRY(impl->listen());
  return std::unique_ptr<WebSocketServer>(new WebSocketServer(std::move(impl)));
}

WebSocketServer::WebSocketServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

WebSocketServer::~WebSocketServer() { stop(); }

std::uint16_t WebSocketServer::port() const noexcept { return impl_->port; }

std::size_t WebSocketServer::connection_count() const noexcept {
  std::lock_guard lock(impl_->shared.mutex);
  return impl_->shared.live.size();
}

void WebSocketServer::stop() { impl_->stop(); }

}  // namespace sotto::transport
