// SPDX-License-Identifier: Apache-2.0
// WebSocketServer and WebSocketClient against each other on loopback.
#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "sotto/core/encoding.hpp"
#include "test_support.hpp"

namespace sotto::transport::test {
namespace {

struct Started {
  std::unique_ptr<EchoHandler> handler = std::make_unique<EchoHandler>();
  std::unique_ptr<WebSocketServer> server;
};

Started start_echo_server(ServerOptions options = test_server_options()) {
  Started s;
  auto server = WebSocketServer::start(options, shared_identity(), *s.handler);
  EXPECT_TRUE(server) << server.error().message;
  if (server) s.server = std::move(*server);
  return s;
}

std::unique_ptr<WebSocketClient> connect_to(const WebSocketServer& server,
                                            std::shared_ptr<ClientLoop> loop = nullptr) {
  auto client = WebSocketClient::connect(client_options(server), std::move(loop));
  EXPECT_TRUE(client) << client.error().message;
  return client ? std::move(*client) : nullptr;
}

TEST(WebSocket, EchoesOneRequest) {
  auto s = start_echo_server();
  ASSERT_TRUE(s.server);
  EXPECT_NE(s.server->port(), 0);
  auto client = connect_to(*s.server);
  ASSERT_TRUE(client);
  ASSERT_TRUE(client->send(wire::Request{9, "keys.status", to_bytes("hello")}));
  const wire::Frame reply = receive_one(*client);
  EXPECT_EQ(reply, wire::Frame(wire::Response{9, 200, {}, to_bytes("hello")}));
  // Nothing else arrives: receive times out rather than failing.
  auto none = client->receive(50ms);
  ASSERT_TRUE(none);
  EXPECT_FALSE(none->has_value());
  EXPECT_TRUE(client->is_open());
  client->close();
  EXPECT_FALSE(client->is_open());
  EXPECT_TRUE(wait_until([&] { return s.handler->closed() == 1; }));
  EXPECT_EQ(s.handler->opened(), 1);
}

TEST(WebSocket, ManyConcurrentClientsGetTheirOwnAnswers) {
  constexpr int kClients = 50;
  constexpr int kFrames = 20;
  auto s = start_echo_server();
  ASSERT_TRUE(s.server);
  // Half the clients share one loop (as a load generator would), half own one.
  auto shared_loop = ClientLoop::create();
  ASSERT_TRUE(shared_loop);
  std::atomic<int> matched{0};
  std::vector<std::thread> threads;
  for (int c = 0; c < kClients; ++c) {
    threads.emplace_back([&, c] {
      auto client = connect_to(*s.server, c % 2 == 0 ? *shared_loop : nullptr);
      if (!client) return;
      for (int i = 0; i < kFrames; ++i) {
        const Bytes body = to_bytes("client " + std::to_string(c) + " frame " + std::to_string(i));
        const auto id = static_cast<std::uint64_t>(c * 1000 + i);
        ASSERT_TRUE(client->send(wire::Request{id, "message.send", body}));
        if (receive_one(*client) == wire::Frame(wire::Response{id, 200, {}, body})) {
          matched.fetch_add(1);
        }
      }
      client->close();
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(matched.load(), kClients * kFrames);
  EXPECT_TRUE(wait_until([&] { return s.handler->closed() == kClients; }));
  EXPECT_EQ(s.server->connection_count(), 0u);
}

TEST(WebSocket, PipelinedFramesKeepTheirOrder) {
  auto s = start_echo_server();
  ASSERT_TRUE(s.server);
  auto client = connect_to(*s.server);
  ASSERT_TRUE(client);
  for (std::uint64_t id = 1; id <= 200; ++id) {
    ASSERT_TRUE(client->send(wire::Request{id, "x", Bytes(id * 100, 1)}));
  }
  for (std::uint64_t id = 1; id <= 200; ++id) {
    const wire::Frame reply = receive_one(*client);
    ASSERT_TRUE(std::holds_alternative<wire::Response>(reply));
    EXPECT_EQ(std::get<wire::Response>(reply).id, id);
  }
}

TEST(WebSocket, ServerPushesARequestOnOpen) {
  auto s = start_echo_server();
  ASSERT_TRUE(s.server);
  s.handler->on_open_hook = [](const ConnectionPtr& connection) {
    EXPECT_NE(connection->remote_endpoint().find("127.0.0.1:"), std::string::npos);
    EXPECT_GE(connection->id(), 1u);
    connection->user_data() = std::string("challenged");
    (void)connection->send(wire::Request{1, "auth.challenge", Bytes(32, 7)});
  };
  auto client = connect_to(*s.server);
  ASSERT_TRUE(client);
  EXPECT_EQ(receive_one(*client), wire::Frame(wire::Request{1, "auth.challenge", Bytes(32, 7)}));
}

TEST(WebSocket, LargestFrameRoundTripsAndLargerIsRefusedBySend) {
  auto s = start_echo_server();
  ASSERT_TRUE(s.server);
  auto client = connect_to(*s.server);
  ASSERT_TRUE(client);
  wire::Request request{1, "big", {}};
  const std::size_t overhead = wire::encode_frame(request).size() + 4;  // + body tag and length
  request.body = Bytes(wire::kMaxFrameSize - overhead - 16, 0x33);      // room for the reply
  ASSERT_TRUE(client->send(request));
  const wire::Frame reply = receive_one(*client);
  ASSERT_TRUE(std::holds_alternative<wire::Response>(reply));
  EXPECT_EQ(std::get<wire::Response>(reply).body, request.body);

  request.body = Bytes(wire::kMaxFrameSize, 0);
  auto refused = client->send(request);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, Errc::limit_exceeded);
  EXPECT_TRUE(client->is_open());
}

TEST(WebSocket, WrongPinIsRefused) {
  auto s = start_echo_server();
  ASSERT_TRUE(s.server);
  ClientOptions options = client_options(*s.server);
  options.pin[5] ^= 0x01;
  auto client = WebSocketClient::connect(options);
  ASSERT_FALSE(client);
  EXPECT_EQ(client.error().code, Errc::tls_pin_mismatch);
  EXPECT_NE(client.error().message.find(shared_identity().pin), std::string::npos)
      << client.error().message;
  EXPECT_NE(client.error().message.find(hex_encode(options.pin)), std::string::npos);
  EXPECT_EQ(s.handler->opened(), 0);
  // The server is unaffected.
  auto good = connect_to(*s.server);
  EXPECT_TRUE(good);
}

TEST(WebSocket, ConnectFailuresAreNetworkErrors) {
  ClientOptions options;
  options.port = 1;  // nothing listens there
  options.connect_timeout = 2s;
  auto refused = WebSocketClient::connect(options);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, Errc::network_error);

  options.port = 0;
  auto bad = WebSocketClient::connect(options);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, Errc::bad_request);
}

TEST(WebSocket, ClientBindsTheRequestedSourceAddress) {
  auto s = start_echo_server();
  ASSERT_TRUE(s.server);
  std::string seen;
  std::mutex mutex;
  s.handler->on_open_hook = [&](const ConnectionPtr& connection) {
    std::lock_guard lock(mutex);
    seen = connection->remote_endpoint();
  };
  ClientOptions options = client_options(*s.server);
  options.bind_address = "127.0.0.7";
  auto client = WebSocketClient::connect(options);
  ASSERT_TRUE(client) << client.error().message;
  ASSERT_TRUE(wait_until([&] { return s.handler->opened() == 1; }));
  std::lock_guard lock(mutex);
  EXPECT_EQ(seen.rfind("127.0.0.7:", 0), 0u) << seen;
}

TEST(WebSocket, ServerCloseReachesTheClient) {
  auto s = start_echo_server();
  ASSERT_TRUE(s.server);
  ConnectionPtr kept;
  std::mutex mutex;
  s.handler->on_open_hook = [&](const ConnectionPtr& connection) {
    std::lock_guard lock(mutex);
    kept = connection;
  };
  auto client = connect_to(*s.server);
  ASSERT_TRUE(client);
  ASSERT_TRUE(client->send(wire::Request{1, "close", {}}));
  EXPECT_EQ(wait_for_close(*client), 1000);
  EXPECT_EQ(client->close_info()->reason, "bye");
  auto again = client->send(wire::Request{2, "x", {}});
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, Errc::network_error);
  // A handle kept after close is inert.
  ASSERT_TRUE(wait_until([&] { return s.handler->closed() == 1; }));
  std::lock_guard lock(mutex);
  auto sent = kept->send(wire::Request{3, "x", {}});
  ASSERT_FALSE(sent);
  EXPECT_EQ(sent.error().code, Errc::network_error);
  kept->close(CloseCode::normal, "again");  // no effect, no crash
}

TEST(WebSocket, StopClosesEveryConnectionAndJoins) {
  auto s = start_echo_server();
  ASSERT_TRUE(s.server);
  std::vector<std::unique_ptr<WebSocketClient>> clients;
  for (int i = 0; i < 10; ++i) {
    clients.push_back(connect_to(*s.server));
    ASSERT_TRUE(clients.back());
  }
  ASSERT_TRUE(wait_until([&] { return s.handler->opened() == 10; }));
  EXPECT_EQ(s.server->connection_count(), 10u);
  const auto before = std::chrono::steady_clock::now();
  s.server->stop();
  EXPECT_LT(std::chrono::steady_clock::now() - before, 5s);
  EXPECT_EQ(s.handler->closed(), 10);
  EXPECT_EQ(s.server->connection_count(), 0u);
  for (auto& client : clients) EXPECT_EQ(wait_for_close(*client), 1001);
  s.server->stop();  // idempotent
}

TEST(WebSocket, StopCutsPeersThatDoNotAnswerTheClose) {
  ServerOptions options = test_server_options();
  options.stop_grace = 200ms;
  auto s = start_echo_server(options);
  ASSERT_TRUE(s.server);
  // A client that never reads cannot answer the closing handshake.
  ClientOptions client = client_options(*s.server);
  client.inbox_limit = 1;
  auto stuck = WebSocketClient::connect(client);
  ASSERT_TRUE(stuck);
  ASSERT_TRUE((*stuck)->send(wire::Request{1, "a", {}}));
  ASSERT_TRUE((*stuck)->send(wire::Request{2, "b", {}}));  // fills the inbox of 1
  ASSERT_TRUE(wait_until([&] { return s.handler->opened() == 1; }));
  std::this_thread::sleep_for(100ms);
  const auto before = std::chrono::steady_clock::now();
  s.server->stop();
  EXPECT_LT(std::chrono::steady_clock::now() - before, 3s);
  EXPECT_EQ(s.handler->closed(), 1);
}

TEST(WebSocket, MaxConnectionsRefusesTheNextOne) {
  ServerOptions options = test_server_options();
  options.max_connections = 2;
  auto s = start_echo_server(options);
  ASSERT_TRUE(s.server);
  auto a = connect_to(*s.server);
  auto b = connect_to(*s.server);
  ASSERT_TRUE(a && b);
  auto c = WebSocketClient::connect(client_options(*s.server));
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().code, Errc::network_error);
  a->close();
  ASSERT_TRUE(wait_until([&] { return s.server->connection_count() == 1; }));
  EXPECT_TRUE(connect_to(*s.server));
}

std::unique_ptr<WebSocketClient> connect_from(const WebSocketServer& server, const char* source) {
  ClientOptions options = client_options(server);
  options.bind_address = source;
  auto client = WebSocketClient::connect(options);
  EXPECT_TRUE(client) << source << ": " << client.error().message;
  return client ? std::move(*client) : nullptr;
}

TEST(WebSocket, PerIpCapRefusesMoreFromOneAddressOnly) {
  ServerOptions options = test_server_options();
  options.max_connections_per_ip = 2;
  auto s = start_echo_server(options);
  ASSERT_TRUE(s.server);
  auto a = connect_from(*s.server, "127.0.0.1");
  auto b = connect_from(*s.server, "127.0.0.1");
  ASSERT_TRUE(a && b);
  // The third from 127.0.0.1 is closed at accept: its TLS handshake fails.
  ClientOptions third = client_options(*s.server);
  third.bind_address = "127.0.0.1";
  for (int i = 0; i < 3; ++i) {
    auto refused = WebSocketClient::connect(third);
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, Errc::network_error);
  }
  // Another address is not affected, and the existing clients are still served.
  auto other = connect_from(*s.server, "127.0.0.2");
  ASSERT_TRUE(other);
  for (auto* client : {a.get(), b.get(), other.get()}) {
    ASSERT_TRUE(client->send(wire::Request{5, "ping", to_bytes("x")}));
    EXPECT_EQ(receive_one(*client), wire::Frame(wire::Response{5, 200, {}, to_bytes("x")}));
  }
  EXPECT_EQ(s.handler->opened(), 3);
  // A slot freed by a close is usable again.
  a->close();
  ASSERT_TRUE(wait_until([&] { return s.server->connection_count() == 2; }));
  EXPECT_TRUE(connect_from(*s.server, "127.0.0.1"));
}

TEST(WebSocket, StartRefusesBadAddressesAndBusyPorts) {
  EchoHandler handler;
  ServerOptions options = test_server_options();
  options.address = "not-an-address";
  auto bad = WebSocketServer::start(options, shared_identity(), handler);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, Errc::bad_request);

  auto first = WebSocketServer::start(test_server_options(), shared_identity(), handler);
  ASSERT_TRUE(first);
  options.address = "127.0.0.1";
  options.port = (*first)->port();
  auto busy = WebSocketServer::start(options, shared_identity(), handler);
  ASSERT_FALSE(busy);
  EXPECT_EQ(busy.error().code, Errc::network_error);
}

}  // namespace
}  // namespace sotto::transport::test
