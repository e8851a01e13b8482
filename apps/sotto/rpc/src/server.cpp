// SPDX-License-Identifier: Apache-2.0
#include "sotto/cli/rpc/server.hpp"

#include <sys/stat.h>

#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <exception>
#include <thread>
#include <utility>
#include <vector>

#include "connection.hpp"
#include "messages.hpp"
#include "server_core.hpp"
#include "unix_socket.hpp"

namespace sotto::cli::rpc {
namespace asio = boost::asio;
using detail::Connection;

namespace {

// After a failed accept (EMFILE, ENFILE), wait before retrying instead of spinning.
constexpr auto kAcceptRetryDelay = std::chrono::milliseconds(100);

Result<asio::ip::tcp::endpoint> loopback_endpoint(const TcpListen& tcp) {
  boost::system::error_code ec;
  auto address = asio::ip::make_address(tcp.address, ec);
  if (ec) return fail(Errc::bad_request, "not an IP address: " + tcp.address);
  // The daemon has no authentication: only this machine may reach it.
  if (!address.is_loopback()) {
    return fail(Errc::bad_request, "not a loopback address (127.0.0.0/8 or ::1): " + tcp.address);
  }
  return asio::ip::tcp::endpoint(address, tcp.port);
}

}  // namespace

struct RpcServer::Impl {
  // Declared first, destroyed last: the io_context's destructor destroys the
  // connections its pending handlers own, and they refer to the core.
  std::unique_ptr<detail::ServerCore> core;
  asio::io_context io{1};
  asio::executor_work_guard<asio::io_context::executor_type> work = asio::make_work_guard(io);
  std::shared_ptr<detail::Gate> gate = std::make_shared<detail::Gate>(io.get_executor());
  std::optional<asio::local::stream_protocol::acceptor> unix_acceptor;
  std::optional<asio::ip::tcp::acceptor> tcp_acceptor;
  asio::steady_timer retry_timer{io};
  std::optional<detail::SocketFileId> socket_file;
  std::optional<std::uint16_t> tcp_port;
  std::thread thread;
  std::atomic<bool> stopped{false};

  Status listen_unix(const std::string& path) {
    SOTTO_TRY(detail::clear_stale_socket(path));
    boost::system::error_code ec;
    unix_acceptor.emplace(io);
    unix_acceptor->open(asio::local::stream_protocol(), ec);
    if (!ec) unix_acceptor->bind(asio::local::stream_protocol::endpoint(path), ec);
    if (ec) return fail(Errc::network_error, "cannot bind " + path + ": " + ec.message());
    auto id = detail::socket_file_id(path);
    if (!id) return tl::unexpected(id.error());
    socket_file = *id;
    // Before listen(): until then every connect is refused, so no other user
    // can slip in while the file still has umask's mode.
    if (::chmod(path.c_str(), S_IRUSR | S_IWUSR) != 0) {
      return fail(Errc::network_error, "cannot chmod 0600 " + path);
    }
    unix_acceptor->listen(asio::socket_base::max_listen_connections, ec);
    if (ec) return fail(Errc::network_error, "cannot listen on " + path + ": " + ec.message());
    return ok();
  }

  Status listen_tcp(const TcpListen& tcp) {
    auto endpoint = loopback_endpoint(tcp);
    if (!endpoint) return tl::unexpected(endpoint.error());
    boost::system::error_code ec;
    tcp_acceptor.emplace(io);
    tcp_acceptor->open(endpoint->protocol(), ec);
    if (!ec) tcp_acceptor->set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) tcp_acceptor->bind(*endpoint, ec);
    if (!ec) tcp_acceptor->listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
      return fail(Errc::network_error, "cannot listen on " + tcp.address + ":" +
                                           std::to_string(tcp.port) + ": " + ec.message());
    }
    tcp_port = tcp_acceptor->local_endpoint().port();
    return ok();
  }

  template <class Acceptor>
  void accept_loop(Acceptor& acceptor) {
    acceptor.async_accept([this, &acceptor](const boost::system::error_code& ec,
                                            typename Acceptor::protocol_type::socket socket) {
      if (stopped.load() || !acceptor.is_open()) return;
      if (ec) {
        retry_timer.expires_after(kAcceptRetryDelay);
        // Both acceptors share the timer: a wait cancelled by the other's
        // retry resumes accepting too.
        retry_timer.async_wait([this, &acceptor](const boost::system::error_code&) {
          if (!stopped.load()) accept_loop(acceptor);
        });
        return;
      }
      admit(Connection::Socket(std::move(socket)));
      accept_loop(acceptor);
    });
  }

  void admit(Connection::Socket socket) {
    std::shared_ptr<Connection> connection;
    {
      std::lock_guard lock(core->live_mutex);
      if (core->live.size() >= core->options.max_connections) {
        connection = std::make_shared<Connection>(*core, std::move(socket), 0, /*rejected=*/true);
      } else {
        ConnectionId id = core->next_id++;
        connection = std::make_shared<Connection>(*core, std::move(socket), id, false);
        core->live.emplace(id, connection);
        core->open.emplace(id, connection);
      }
    }
    connection->start();
  }

  // I/O thread.
  void shut_down() {
    boost::system::error_code ignored;
    if (unix_acceptor) unix_acceptor->close(ignored);
    if (tcp_acceptor) tcp_acceptor->close(ignored);
    retry_timer.cancel();
    std::vector<std::shared_ptr<Connection>> open;
    for (auto& [id, c] : core->open) open.push_back(c);
    for (auto& c : open) c->close();  // each runs on_disconnect
    work.reset();
    io.stop();
  }

  void run() {
    // A throwing on_disconnect must not end the server; everything else is
    // caught at the handler boundary.
    for (;;) {
      try {
        io.run();
        return;
      } catch (const std::exception&) {
      }
    }
  }
};

RpcServer::RpcServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

RpcServer::~RpcServer() { stop(); }

Result<std::unique_ptr<RpcServer>> RpcServer::start(const RpcServerOptions& options,
                                                    MethodTable methods,
                                                    std::function<void(ConnectionId)> on_disconnect) {
  if (options.unix_path.empty() && !options.tcp) {
    return fail(Errc::bad_request, "no transport: give a unix socket path or a TCP address");
  }
  if (options.max_line_bytes == 0 || options.max_connections == 0 ||
      options.max_queued_messages == 0 || options.max_in_flight == 0 || options.max_batch == 0) {
    return fail(Errc::bad_request, "RPC server limits must be positive");
  }
  if (!options.unix_path.empty()) SOTTO_TRY(detail::check_socket_path(options.unix_path));
  if (options.tcp) {
    auto endpoint = loopback_endpoint(*options.tcp);  // refuse before touching the socket file
    if (!endpoint) return tl::unexpected(endpoint.error());
  }

  auto impl = std::make_unique<Impl>();
  impl->core = std::make_unique<detail::ServerCore>(options, std::move(methods),
                                                    std::move(on_disconnect), impl->gate);
  Status listening = ok();
  if (!options.unix_path.empty()) listening = impl->listen_unix(options.unix_path);
  if (listening && options.tcp) listening = impl->listen_tcp(*options.tcp);
  if (!listening) {
    if (impl->socket_file) detail::remove_socket_file(options.unix_path, *impl->socket_file);
    return tl::unexpected(listening.error());
  }
  if (impl->unix_acceptor) impl->accept_loop(*impl->unix_acceptor);
  if (impl->tcp_acceptor) impl->accept_loop(*impl->tcp_acceptor);
  Impl* raw = impl.get();
  impl->thread = std::thread([raw] { raw->run(); });
  return std::unique_ptr<RpcServer>(new RpcServer(std::move(impl)));
}

bool RpcServer::notify(ConnectionId to, std::string_view method, nlohmann::json params) {
  std::weak_ptr<Connection> target;
  {
    std::lock_guard lock(impl_->core->live_mutex);
    auto it = impl_->core->live.find(to);
    if (it == impl_->core->live.end()) return false;
    target = it->second;
  }
  // Serialized here, off the I/O thread.
  std::string line = detail::serialize(detail::notification_message(method, std::move(params)));
  return impl_->gate->post([target = std::move(target), line = std::move(line)]() mutable {
    if (auto c = target.lock()) c->send(std::move(line), /*server_initiated=*/true);
  });
}

std::optional<std::uint16_t> RpcServer::tcp_port() const { return impl_->tcp_port; }

void RpcServer::stop() {
  if (!impl_ || impl_->stopped.exchange(true)) return;
  impl_->gate->close();  // from now on Replies and notify() post nothing
  Impl* raw = impl_.get();
  asio::post(impl_->io, [raw] { raw->shut_down(); });
  if (impl_->thread.joinable()) impl_->thread.join();
  if (impl_->socket_file) {
    detail::remove_socket_file(impl_->core->options.unix_path, *impl_->socket_file);
  }
}

}  // namespace sotto::cli::rpc
