// SPDX-License-Identifier: Apache-2.0
// The server over real sockets: transports, JSON-RPC semantics, framing
// limits, backpressure and shutdown.
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

#include "sotto/cli/rpc/server.hpp"
#include "test_support.hpp"

namespace sotto::cli::rpc {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using testing::basic_methods;
using testing::connect_or_die;
using testing::kWait;
using testing::start_or_die;
using testing::TempDir;
using testing::unix_options;
using testing::wait_until;

// Replies held by a test to answer later, from whichever thread it likes.
class HeldReplies {
 public:
  Handler handler() {
    return [this](const json& params, ConnectionId, Reply reply) {
      std::lock_guard lock(mutex_);
      held_.push_back({params, std::move(reply)});
    };
  }
  std::size_t size() {
    std::lock_guard lock(mutex_);
    return held_.size();
  }
  // Answers every held request with its own params.
  void answer_all() {
    std::vector<std::pair<json, Reply>> taken;
    {
      std::lock_guard lock(mutex_);
      taken.swap(held_);
    }
    for (auto& [params, reply] : taken) reply(params);
  }

 private:
  std::mutex mutex_;
  std::vector<std::pair<json, Reply>> held_;
};

json expect_message(RpcClient& client) {
  auto m = client.next_message(kWait);
  EXPECT_TRUE(m) << m.error().message;
  return m ? *m : json();
}

void expect_silence(RpcClient& client) {
  auto m = client.next_message(150ms);
  ASSERT_FALSE(m) << "unexpected message " << m->dump();
  EXPECT_EQ(m.error().code, Errc::timed_out);
}

int error_code_of(const json& response) { return response.at("error").at("code").get<int>(); }

TEST(RpcServer, RoundTripOverUnixSocket) {
  TempDir dir;
  auto server = start_or_die(unix_options(dir));
  ASSERT_TRUE(server);
  auto client = connect_or_die(dir.file("d.sock"));
  auto r = client.call("echo", {{"text", "hello"}, {"n", 1}}, kWait);
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_TRUE(*r) << r->error().message;
  EXPECT_EQ(**r, json({{"text", "hello"}, {"n", 1}}));
  auto who = client.call("whoami", nullptr, kWait);
  ASSERT_TRUE(who && *who);
  EXPECT_GE((**who).get<ConnectionId>(), 1u);
  EXPECT_FALSE(server->tcp_port());
}

TEST(RpcServer, RoundTripOverLoopbackTcp) {
  RpcServerOptions options;
  options.tcp = TcpListen{"127.0.0.1", 0};
  auto server = start_or_die(options);
  ASSERT_TRUE(server);
  ASSERT_TRUE(server->tcp_port());
  EXPECT_NE(*server->tcp_port(), 0);
  auto client = RpcClient::connect_tcp("127.0.0.1", *server->tcp_port());
  ASSERT_TRUE(client) << client.error().message;
  auto r = client->call("echo", json::array({1, "two", nullptr}), kWait);
  ASSERT_TRUE(r && *r);
  EXPECT_EQ(**r, json::array({1, "two", nullptr}));
}

TEST(RpcServer, BothTransportsAtOnce) {
  TempDir dir;
  auto options = unix_options(dir);
  options.tcp = TcpListen{"127.0.0.1", 0};
  auto server = start_or_die(options);
  ASSERT_TRUE(server);
  auto over_unix = connect_or_die(options.unix_path);
  auto over_tcp = RpcClient::connect_tcp("127.0.0.1", *server->tcp_port());
  ASSERT_TRUE(over_tcp);
  auto a = over_unix.call("whoami", nullptr, kWait);
  auto b = over_tcp->call("whoami", nullptr, kWait);
  ASSERT_TRUE(a && *a && b && *b);
  EXPECT_NE(**a, **b);
}

TEST(RpcServer, Ipv6LoopbackAccepted) {
  RpcServerOptions options;
  options.tcp = TcpListen{"::1", 0};
  auto server = RpcServer::start(options, basic_methods());
  if (!server && server.error().code == Errc::network_error) GTEST_SKIP() << "no IPv6 loopback";
  ASSERT_TRUE(server) << server.error().message;
  auto client = RpcClient::connect_tcp("::1", *(*server)->tcp_port());
  ASSERT_TRUE(client);
  auto r = client->call("echo", {{"v", 6}}, kWait);
  ASSERT_TRUE(r && *r);
}

TEST(RpcServer, NonLoopbackTcpAddressRefused) {
  TempDir dir;
  for (const char* address : {"0.0.0.0", "::", "192.0.2.1", "10.0.0.1", "::ffff:127.0.0.1",
                              "localhost", "", "127.0.0.1:80"}) {
    auto options = unix_options(dir);
    options.tcp = TcpListen{address, 0};
    auto server = RpcServer::start(options, basic_methods());
    ASSERT_FALSE(server) << address;
    EXPECT_EQ(server.error().code, Errc::bad_request) << address;
    // Refused before the Unix socket was created.
    EXPECT_FALSE(std::filesystem::exists(options.unix_path)) << address;
  }
  RpcServerOptions other_loopback;
  other_loopback.tcp = TcpListen{"127.0.0.2", 0};
  auto server = RpcServer::start(other_loopback, basic_methods());
  EXPECT_TRUE(server) << "127.0.0.0/8 is loopback: " << server.error().message;
}

TEST(RpcServer, NeedsATransportAndPositiveLimits) {
  auto none = RpcServer::start(RpcServerOptions{}, basic_methods());
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().code, Errc::bad_request);
  TempDir dir;
  auto options = unix_options(dir);
  options.max_connections = 0;
  auto zero = RpcServer::start(options, basic_methods());
  ASSERT_FALSE(zero);
  EXPECT_EQ(zero.error().code, Errc::bad_request);
}

TEST(RpcServer, NotificationGetsNoReply) {
  TempDir dir;
  std::atomic<int> seen{0};
  auto methods = basic_methods();
  methods["count"] = [&seen](const json&, ConnectionId, Reply reply) {
    ++seen;
    reply(json("ignored: a notification has no response"));
  };
  methods["fail"] = [](const json&, ConnectionId, Reply reply) {
    reply(tl::unexpected(to_rpc_error(Error{Errc::not_found, "no"})));
  };
  auto server = start_or_die(unix_options(dir), methods);
  ASSERT_TRUE(server);
  auto client = connect_or_die(dir.file("d.sock"));
  ASSERT_TRUE(client.notify("count", {{"x", 1}}));
  ASSERT_TRUE(client.notify("fail", nullptr));           // an error answer is not sent either
  ASSERT_TRUE(client.notify("no_such_method", nullptr));  // nor method-not-found
  ASSERT_TRUE(client.send_line(R"({"jsonrpc":"2.0","method":"echo","params":[1],"id":7})"));
  json first = expect_message(client);
  EXPECT_EQ(first.at("id"), 7);
  EXPECT_EQ(first.at("result"), json::array({1}));
  EXPECT_EQ(seen.load(), 1);
  expect_silence(client);
}

TEST(RpcServer, NullAndStringIdsAreEchoed) {
  TempDir dir;
  auto server = start_or_die(unix_options(dir));
  auto client = connect_or_die(dir.file("d.sock"));
  ASSERT_TRUE(client.send_line(R"({"jsonrpc":"2.0","method":"echo","params":{"a":1},"id":"abc"})"));
  json r = expect_message(client);
  EXPECT_EQ(r, json::parse(R"({"jsonrpc":"2.0","id":"abc","result":{"a":1}})"));
  ASSERT_TRUE(client.send_line(R"({"jsonrpc":"2.0","method":"echo","id":null,"params":null})"));
  r = expect_message(client);
  EXPECT_TRUE(r.at("id").is_null());
  EXPECT_TRUE(r.at("result").is_null());
}

TEST(RpcServer, BatchGetsOneArray) {
  TempDir dir;
  std::atomic<int> seen{0};
  auto methods = basic_methods();
  methods["count"] = [&seen](const json&, ConnectionId, Reply reply) {
    ++seen;
    reply(nullptr);
  };
  auto server = start_or_die(unix_options(dir), methods);
  auto client = connect_or_die(dir.file("d.sock"));
  ASSERT_TRUE(client.send_line(R"([{"jsonrpc":"2.0","method":"echo","params":["a"],"id":1},)"
                               R"({"jsonrpc":"2.0","method":"count"},)"
                               R"({"foo":"boo"},)"
                               R"({"jsonrpc":"2.0","method":"nope","id":"2"},)"
                               R"(1])"));
  json batch = expect_message(client);
  ASSERT_TRUE(batch.is_array()) << batch.dump();
  ASSERT_EQ(batch.size(), 4u);
  int results = 0, invalid = 0, not_found = 0;
  for (const auto& r : batch) {
    if (r.contains("result")) {
      ++results;
      EXPECT_EQ(r.at("id"), 1);
      EXPECT_EQ(r.at("result"), json::array({"a"}));
    } else if (error_code_of(r) == kInvalidRequest) {
      ++invalid;
      EXPECT_TRUE(r.at("id").is_null());
    } else if (error_code_of(r) == kMethodNotFound) {
      ++not_found;
      EXPECT_EQ(r.at("id"), "2");
    }
  }
  EXPECT_EQ(results, 1);
  EXPECT_EQ(invalid, 2);
  EXPECT_EQ(not_found, 1);
  EXPECT_EQ(seen.load(), 1);

  // Only notifications: nothing comes back.
  ASSERT_TRUE(client.send_line(R"([{"jsonrpc":"2.0","method":"count"},{"jsonrpc":"2.0","method":"count"}])"));
  expect_silence(client);
  EXPECT_TRUE(wait_until([&] { return seen.load() == 3; }));

  // An empty batch is one Invalid Request object, not an array.
  ASSERT_TRUE(client.send_line("[]"));
  json empty = expect_message(client);
  ASSERT_TRUE(empty.is_object());
  EXPECT_EQ(error_code_of(empty), kInvalidRequest);
}

TEST(RpcServer, OversizedBatchRefused) {
  TempDir dir;
  auto options = unix_options(dir);
  options.max_batch = 2;
  auto server = start_or_die(options);
  auto client = connect_or_die(options.unix_path);
  std::string entry = R"({"jsonrpc":"2.0","method":"echo","id":1})";
  ASSERT_TRUE(client.send_line("[" + entry + "," + entry + "," + entry + "]"));
  json r = expect_message(client);
  ASSERT_TRUE(r.is_object());
  EXPECT_EQ(error_code_of(r), kInvalidRequest);
  ASSERT_TRUE(client.send_line("[" + entry + "," + entry + "]"));
  r = expect_message(client);
  ASSERT_TRUE(r.is_array());
  EXPECT_EQ(r.size(), 2u);
}

TEST(RpcServer, BatchWaitsForDeferredReplies) {
  TempDir dir;
  HeldReplies held;
  auto methods = basic_methods();
  methods["later"] = held.handler();
  auto server = start_or_die(unix_options(dir), methods);
  auto client = connect_or_die(dir.file("d.sock"));
  ASSERT_TRUE(client.send_line(R"([{"jsonrpc":"2.0","method":"later","params":[1],"id":1},)"
                               R"({"jsonrpc":"2.0","method":"echo","params":[2],"id":2}])"));
  ASSERT_TRUE(wait_until([&] { return held.size() == 1; }));
  expect_silence(client);  // the echo answer waits for its batch
  std::thread worker([&] { held.answer_all(); });
  worker.join();
  json batch = expect_message(client);
  ASSERT_TRUE(batch.is_array());
  EXPECT_EQ(batch.size(), 2u);
}

TEST(RpcServer, ParseErrorAnswersNullId) {
  TempDir dir;
  auto server = start_or_die(unix_options(dir));
  auto client = connect_or_die(dir.file("d.sock"));
  ASSERT_TRUE(client.send_line(R"({"jsonrpc":"2.0","method":"echo","id":1)"));
  json r = expect_message(client);
  EXPECT_EQ(error_code_of(r), kParseError);
  EXPECT_TRUE(r.at("id").is_null());
  EXPECT_EQ(r.at("jsonrpc"), "2.0");
}

TEST(RpcServer, InvalidRequestVariants) {
  TempDir dir;
  auto server = start_or_die(unix_options(dir));
  auto client = connect_or_die(dir.file("d.sock"));
  struct Case {
    const char* line;
    json id;
  };
  const Case cases[] = {
      {R"({"jsonrpc":"1.0","method":"echo","id":3})", 3},
      {R"({"method":"echo","id":3})", 3},
      {R"({"jsonrpc":"2.0","method":5,"id":4})", 4},
      {R"({"jsonrpc":"2.0","id":4})", 4},
      {R"({"jsonrpc":"2.0","method":"echo","params":3,"id":5})", 5},
      {R"({"jsonrpc":"2.0","method":"echo","params":"x","id":5})", 5},
      {R"({"jsonrpc":"2.0","method":"echo","id":{"a":1}})", nullptr},
      {R"({"jsonrpc":"2.0","method":"echo","id":true})", nullptr},
      {R"("hello")", nullptr},
      {R"(42)", nullptr},
      {R"(null)", nullptr},
  };
  for (const auto& c : cases) {
    ASSERT_TRUE(client.send_line(c.line));
    json r = expect_message(client);
    EXPECT_EQ(error_code_of(r), kInvalidRequest) << c.line;
    EXPECT_EQ(r.at("id"), c.id) << c.line;
  }
}

TEST(RpcServer, MethodNotFound) {
  TempDir dir;
  auto server = start_or_die(unix_options(dir));
  auto client = connect_or_die(dir.file("d.sock"));
  auto r = client.call("noSuchMethod", nullptr, kWait);
  ASSERT_TRUE(r);
  ASSERT_FALSE(*r);
  EXPECT_EQ(r->error().code, kMethodNotFound);
  EXPECT_EQ(to_result(*r).error().code, Errc::not_found);
}

TEST(RpcServer, InvalidParams) {
  TempDir dir;
  auto methods = basic_methods();
  // Reading params the nlohmann way throws on a wrong shape.
  methods["greet"] = [](const json& params, ConnectionId, Reply reply) {
    reply("hi " + params.at("name").get<std::string>());
  };
  methods["checked"] = [](const json& params, ConnectionId, Reply reply) {
    if (!params.is_object()) return reply(tl::unexpected(invalid_params("need an object")));
    reply(true);
  };
  auto server = start_or_die(unix_options(dir), methods);
  auto client = connect_or_die(dir.file("d.sock"));
  auto ok_call = client.call("greet", {{"name", "Ann"}}, kWait);
  ASSERT_TRUE(ok_call && *ok_call);
  EXPECT_EQ(**ok_call, "hi Ann");
  for (const json& params : {json::object(), json({{"name", 7}}), json::array({1})}) {
    auto r = client.call("greet", params, kWait);
    ASSERT_TRUE(r);
    ASSERT_FALSE(*r) << params.dump();
    EXPECT_EQ(r->error().code, kInvalidParams) << params.dump();
  }
  auto r = client.call("checked", json::array(), kWait);
  ASSERT_TRUE(r && !*r);
  EXPECT_EQ(r->error().code, kInvalidParams);
  EXPECT_EQ(r->error().message, "need an object");
}

TEST(RpcServer, InternalErrors) {
  TempDir dir;
  auto methods = basic_methods();
  methods["throws"] = [](const json&, ConnectionId, Reply) -> void {
    throw std::runtime_error("boom");
  };
  methods["drops"] = [](const json&, ConnectionId, Reply) {};  // never answers
  methods["twice"] = [](const json&, ConnectionId, Reply reply) {
    reply(1);
    reply(2);  // ignored
  };
  auto server = start_or_die(unix_options(dir), methods);
  auto client = connect_or_die(dir.file("d.sock"));
  for (const char* method : {"throws", "drops"}) {
    auto r = client.call(method, nullptr, kWait);
    ASSERT_TRUE(r) << method;
    ASSERT_FALSE(*r) << method;
    EXPECT_EQ(r->error().code, kInternalError) << method;
  }
  auto twice = client.call("twice", nullptr, kWait);
  ASSERT_TRUE(twice && *twice);
  EXPECT_EQ(**twice, 1);
  expect_silence(client);
}

TEST(RpcServer, ApplicationErrorCarriesErrc) {
  TempDir dir;
  auto methods = basic_methods();
  methods["send"] = [](const json&, ConnectionId, Reply reply) {
    reply(tl::unexpected(to_rpc_error(Error{Errc::untrusted_identity, "identity changed"})));
  };
  auto server = start_or_die(unix_options(dir), methods);
  auto client = connect_or_die(dir.file("d.sock"));
  auto r = client.call("send", nullptr, kWait);
  ASSERT_TRUE(r && !*r);
  EXPECT_EQ(r->error().code, kOperationFailed);
  EXPECT_EQ(r->error().message, "identity changed");
  EXPECT_EQ(r->error().data, json({{"errc", "untrusted_identity"}}));
  auto flat = to_result(*r);
  ASSERT_FALSE(flat);
  EXPECT_EQ(flat.error().code, Errc::untrusted_identity);
}

TEST(RpcServer, ReplyLaterFromAnotherThread) {
  TempDir dir;
  HeldReplies held;
  auto methods = basic_methods();
  methods["slow"] = held.handler();
  auto server = start_or_die(unix_options(dir), methods);
  auto client = connect_or_die(dir.file("d.sock"));
  ASSERT_TRUE(client.send_line(R"({"jsonrpc":"2.0","method":"slow","params":["late"],"id":1})"));
  ASSERT_TRUE(client.send_line(R"({"jsonrpc":"2.0","method":"echo","params":["now"],"id":2})"));
  // The quick answer overtakes the slow one.
  json first = expect_message(client);
  EXPECT_EQ(first.at("id"), 2);
  ASSERT_TRUE(wait_until([&] { return held.size() == 1; }));
  std::thread worker([&] {
    std::this_thread::sleep_for(50ms);
    held.answer_all();
  });
  json second = expect_message(client);
  worker.join();
  EXPECT_EQ(second.at("id"), 1);
  EXPECT_EQ(second.at("result"), json::array({"late"}));
}

TEST(RpcServer, CallTimesOut) {
  TempDir dir;
  HeldReplies held;
  auto methods = basic_methods();
  methods["slow"] = held.handler();
  auto server = start_or_die(unix_options(dir), methods);
  auto client = connect_or_die(dir.file("d.sock"));
  auto r = client.call("slow", nullptr, 100ms);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::timed_out);
  held.answer_all();  // the late answer is skipped by the next call
  auto next = client.call("echo", json::array({3}), kWait);
  ASSERT_TRUE(next && *next);
  EXPECT_EQ(**next, json::array({3}));
}

TEST(RpcServer, MalformedLinesKeepTheConnection) {
  TempDir dir;
  auto server = start_or_die(unix_options(dir));
  auto client = connect_or_die(dir.file("d.sock"));
  const std::string bad[] = {
      "{not json",
      "\"\xff\xfe\"",             // invalid UTF-8
      "{} {}",                    // two values on one line
      std::string(100, '[') + std::string(100, ']'),  // deeper than kMaxNesting
      std::string("{\"a\":\"\0\"}", 9),              // raw control character
  };
  for (const auto& line : bad) {
    ASSERT_TRUE(client.send_line(line));
    json r = expect_message(client);
    EXPECT_EQ(error_code_of(r), kParseError) << line;
  }
  // Blank lines are skipped; CRLF is accepted.
  ASSERT_TRUE(client.send_line(""));
  ASSERT_TRUE(client.send_line("   "));
  ASSERT_TRUE(client.send_line("{\"jsonrpc\":\"2.0\",\"method\":\"echo\",\"params\":[1],\"id\":9}\r"));
  json r = expect_message(client);
  EXPECT_EQ(r.at("id"), 9);
  // Brackets inside strings do not count as nesting.
  std::string deep_string = "[\"" + std::string(200, '[') + "\"]";
  auto echoed = client.call("echo", json::parse(deep_string), kWait);
  ASSERT_TRUE(echoed && *echoed);
}

TEST(RpcServer, OversizedLineIsAnsweredThenClosed) {
  TempDir dir;
  auto options = unix_options(dir);
  options.tcp = TcpListen{"127.0.0.1", 0};
  options.max_line_bytes = 1024;
  std::atomic<int> gone{0};
  auto server = start_or_die(options, basic_methods(), [&](ConnectionId) { ++gone; });

  // Exactly max_line_bytes is still fine.
  auto client = connect_or_die(options.unix_path);
  std::string head = R"({"jsonrpc":"2.0","method":"echo","id":1,"params":[")";
  std::string tail = R"("]})";
  std::string exact = head + std::string(1024 - head.size() - tail.size(), 'a') + tail;
  ASSERT_EQ(exact.size(), 1024u);
  ASSERT_TRUE(client.send_line(exact));
  EXPECT_EQ(expect_message(client).at("id"), 1);

  // Over TCP too: our error line must not be lost to a reset. The client
  // keeps writing past the limit, as a real one would.
  auto tcp = RpcClient::connect_tcp("127.0.0.1", *server->tcp_port());
  ASSERT_TRUE(tcp);
  for (auto* c : {&client, &*tcp}) {
    ASSERT_TRUE(c->send_line(std::string(64 * 1024, 'x')));
    json r = expect_message(*c);
    EXPECT_EQ(error_code_of(r), kLineTooLong);
    auto after = c->next_message(kWait);
    ASSERT_FALSE(after);
    EXPECT_EQ(after.error().code, Errc::network_error);
    EXPECT_TRUE(c->closed());
  }
  EXPECT_TRUE(wait_until([&] { return gone.load() == 2; }));
}

TEST(RpcServer, LastLineWithoutNewlineAnsweredAfterHalfClose) {
  TempDir dir;
  HeldReplies held;
  auto methods = basic_methods();
  methods["slow"] = held.handler();
  auto server = start_or_die(unix_options(dir), methods);
  int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::string path = dir.file("d.sock");
  std::memcpy(addr.sun_path, path.c_str(), path.size());
  ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  std::string request = R"({"jsonrpc":"2.0","method":"slow","params":[5],"id":1})";
  ASSERT_EQ(::write(fd, request.data(), request.size()), static_cast<ssize_t>(request.size()));
  ::shutdown(fd, SHUT_WR);
  // The server waits for the deferred answer before closing.
  ASSERT_TRUE(wait_until([&] { return held.size() == 1; }));
  held.answer_all();
  std::string received;
  char buf[256];
  for (ssize_t n; (n = ::read(fd, buf, sizeof(buf))) > 0;) received.append(buf, n);
  ::close(fd);
  EXPECT_EQ(json::parse(received), json::parse(R"({"jsonrpc":"2.0","id":1,"result":[5]})"));
}

TEST(RpcServer, ConnectionCountIsBounded) {
  TempDir dir;
  auto options = unix_options(dir);
  options.max_connections = 2;
  std::atomic<int> gone{0};
  auto server = start_or_die(options, basic_methods(), [&](ConnectionId) { ++gone; });
  std::optional<RpcClient> first = connect_or_die(options.unix_path);
  auto second = connect_or_die(options.unix_path);
  ASSERT_TRUE(first->call("echo", nullptr, kWait));
  ASSERT_TRUE(second.call("echo", nullptr, kWait));

  auto third = connect_or_die(options.unix_path);
  json refusal = expect_message(third);
  EXPECT_EQ(error_code_of(refusal), kTooManyConnections);
  EXPECT_FALSE(third.next_message(kWait));
  EXPECT_TRUE(third.closed());
  EXPECT_EQ(gone.load(), 0);  // a refused connection was never "connected"

  first.reset();
  ASSERT_TRUE(wait_until([&] { return gone.load() == 1; }));
  auto fourth = connect_or_die(options.unix_path);
  auto r = fourth.call("echo", json::array({4}), kWait);
  ASSERT_TRUE(r && *r);
}

TEST(RpcServer, InFlightLimitPausesReading) {
  TempDir dir;
  HeldReplies held;
  auto methods = basic_methods();
  methods["slow"] = held.handler();
  auto options = unix_options(dir);
  options.max_in_flight = 2;
  auto server = start_or_die(options, methods);
  auto client = connect_or_die(options.unix_path);
  for (int i = 1; i <= 5; ++i) {
    ASSERT_TRUE(client.send_line(R"({"jsonrpc":"2.0","method":"slow","id":)" + std::to_string(i) + "}"));
  }
  ASSERT_TRUE(wait_until([&] { return held.size() == 2; }));
  std::this_thread::sleep_for(100ms);
  EXPECT_EQ(held.size(), 2u);  // the other three wait in the socket
  // Answering frees slots, so the rest are read and reach the handler.
  int answered = 0;
  auto deadline = std::chrono::steady_clock::now() + kWait;
  while (answered < 5 && std::chrono::steady_clock::now() < deadline) {
    held.answer_all();
    if (client.next_message(20ms)) ++answered;
  }
  EXPECT_EQ(answered, 5);
}

TEST(RpcServer, SlowReaderIsDisconnected) {
  TempDir dir;
  auto options = unix_options(dir);
  options.max_queued_messages = 4;
  std::atomic<int> gone{0};
  auto server = start_or_die(options, basic_methods(), [&](ConnectionId) { ++gone; });
  auto client = connect_or_die(options.unix_path);
  auto who = client.call("whoami", nullptr, kWait);
  ASSERT_TRUE(who && *who);
  auto id = (**who).get<ConnectionId>();
  // The client never reads: the socket buffers fill, then our queue.
  json big = std::string(64 * 1024, 'n');
  bool refused = wait_until([&] { return !server->notify(id, "receive", big); });
  EXPECT_TRUE(refused);
  EXPECT_EQ(gone.load(), 1);
}

TEST(RpcServer, StopWithClientsConnected) {
  TempDir dir;
  HeldReplies held;
  auto methods = basic_methods();
  methods["slow"] = held.handler();
  std::atomic<int> gone{0};
  auto options = unix_options(dir);
  options.tcp = TcpListen{"127.0.0.1", 0};
  auto server = start_or_die(options, methods, [&](ConnectionId) { ++gone; });
  auto a = connect_or_die(options.unix_path);
  auto b = RpcClient::connect_tcp("127.0.0.1", *server->tcp_port());
  ASSERT_TRUE(b);
  auto who = a.call("whoami", nullptr, kWait);
  ASSERT_TRUE(who && *who);
  ASSERT_TRUE(b->call("echo", nullptr, kWait));
  ASSERT_TRUE(a.send_line(R"({"jsonrpc":"2.0","method":"slow","id":1})"));
  ASSERT_TRUE(wait_until([&] { return held.size() == 1; }));

  auto started = std::chrono::steady_clock::now();
  server->stop();
  EXPECT_LT(std::chrono::steady_clock::now() - started, 2s);
  EXPECT_EQ(gone.load(), 2);
  EXPECT_FALSE(std::filesystem::exists(options.unix_path));
  for (auto* c : {&a, &*b}) {
    auto m = c->next_message(kWait);
    ASSERT_FALSE(m);
    EXPECT_EQ(m.error().code, Errc::network_error);
  }
  held.answer_all();  // a late reply after stop is dropped harmlessly
  EXPECT_FALSE(server->notify((**who).get<ConnectionId>(), "receive", nullptr));
  server->stop();  // idempotent
  EXPECT_FALSE(RpcClient::connect_unix(options.unix_path));
  server.reset();
}

TEST(RpcServer, ReplyOutlivingTheServerIsHarmless) {
  TempDir dir;
  HeldReplies held;
  auto methods = basic_methods();
  methods["slow"] = held.handler();
  auto server = start_or_die(unix_options(dir), methods);
  auto client = connect_or_die(dir.file("d.sock"));
  ASSERT_TRUE(client.send_line(R"({"jsonrpc":"2.0","method":"slow","id":1})"));
  ASSERT_TRUE(wait_until([&] { return held.size() == 1; }));
  server.reset();  // destroyed, not just stopped
  held.answer_all();
}

}  // namespace
}  // namespace sotto::cli::rpc
