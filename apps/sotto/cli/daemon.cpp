// SPDX-License-Identifier: Apache-2.0
#include "daemon.hpp"

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <iostream>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "output.hpp"
#include "sotto/core/encoding.hpp"

namespace sotto::cli {

namespace {

using nlohmann::json;
using Task = std::function<void(client::Client&)>;

// How long one receive slice lasts when no RPC work waits; also the latency
// of RPC calls while the client is receiving.
constexpr std::chrono::milliseconds kReceiveSlice{50};
constexpr std::chrono::seconds kMaxReconnectDelay{30};

std::string required_string(const json& params, const char* name) {
  if (!params.is_object() || !params.contains(name) || !params[name].is_string()) {
    throw json::type_error::create(302, std::string("need a string \"") + name + "\"", nullptr);
  }
  return params[name].get<std::string>();
}

}  // namespace

struct Daemon::Impl : std::enable_shared_from_this<Daemon::Impl> {
  std::unique_ptr<client::Client> client;
  std::unique_ptr<rpc::RpcServer> server;

  std::mutex mu;
  std::condition_variable cv;
  std::deque<Task> tasks;
  bool stopping = false;
  // subscription id → connection
  std::map<std::uint64_t, rpc::ConnectionId> subscriptions;
  std::uint64_t next_subscription = 1;
  std::thread worker;

  void post(Task task) {
    {
      std::lock_guard lock(mu);
      tasks.push_back(std::move(task));
    }
    cv.notify_one();
  }

  void publish(const client::Event& event) {
    std::vector<std::pair<std::uint64_t, rpc::ConnectionId>> targets;
    {
      std::lock_guard lock(mu);
      targets.assign(subscriptions.begin(), subscriptions.end());
    }
    bool delivered = false;
    for (auto& [id, connection] : targets) {
      delivered |= server->notify(connection, "receive",
                                  json{{"subscription", id}, {"result", to_json(event)}});
    }
    // Runs on the client thread (the client's event sink): a message handed
    // to a subscriber counts as reported; without one, the next
    // `sotto receive` shows it.
    if (const auto* m = std::get_if<client::MessageReceived>(&event); m != nullptr && delivered) {
      (void)client->mark_reported({m->local_id});
    }
  }

  void run() {
    auto sink = [this](const client::Event& e) { publish(e); };
    auto delay = std::chrono::milliseconds(500);
    auto next_attempt = std::chrono::steady_clock::now();
    for (;;) {
      std::deque<Task> batch;
      {
        std::unique_lock lock(mu);
        if (stopping) return;
        batch.swap(tasks);
      }
      for (auto& task : batch) task(*client);
      if (std::chrono::steady_clock::now() < next_attempt) {
        std::unique_lock lock(mu);
        cv.wait_for(lock, kReceiveSlice, [&] { return stopping || !tasks.empty(); });
        continue;
      }
      auto received = client->receive(kReceiveSlice, false, sink);
      if (received) {
        delay = std::chrono::milliseconds(500);
        continue;
      }
      // Server unreachable: RPC keeps working (sends queue in the outbox);
      // reconnect with a growing delay.
      std::cerr << "sotto daemon: " << received.error().message << "; retrying in "
                << delay.count() << " ms\n";
      next_attempt = std::chrono::steady_clock::now() + delay;
      delay = std::min<std::chrono::milliseconds>(delay * 2, kMaxReconnectDelay);
    }
  }

  // Runs `work` on the client thread and answers with its result.
  void on_client(rpc::Reply reply, std::function<Result<json>(client::Client&)> work) {
    post([reply = std::move(reply), work = std::move(work)](client::Client& c) {
      auto result = work(c);
      if (result) {
        reply(std::move(*result));
      } else {
        reply(tl::unexpected(rpc::to_rpc_error(result.error())));
      }
    });
  }

  rpc::MethodTable methods() {
    std::weak_ptr<Impl> weak = shared_from_this();
    rpc::MethodTable table;
    auto sink_for = [weak]() -> client::EventSink {
      return [weak](const client::Event& e) {
        if (auto self = weak.lock()) self->publish(e);
      };
    };
    table["send"] = [weak, sink_for](const json& params, rpc::ConnectionId, rpc::Reply reply) {
      auto to = required_string(params, "recipient");
      auto text = required_string(params, "message");
      if (auto self = weak.lock()) {
        self->on_client(std::move(reply), [to, text, sink = sink_for()](client::Client& c) -> Result<json> {
          auto sent = c.send_text(to, text, sink);
          if (!sent) return tl::unexpected(sent.error());
          json j{{"timestamp", sent->timestamp}, {"deliveredToServer", sent->delivered_to_server}};
          if (!sent->delivered_to_server) j["pending"] = sent->pending_reason;
          return j;
        });
      }
    };
    table["subscribeReceive"] = [weak](const json&, rpc::ConnectionId from, rpc::Reply reply) {
      auto self = weak.lock();
      if (!self) return;
      std::uint64_t id = 0;
      {
        std::lock_guard lock(self->mu);
        id = self->next_subscription++;
        self->subscriptions[id] = from;
      }
      reply(json(id));
    };
    table["unsubscribeReceive"] = [weak](const json& params, rpc::ConnectionId from,
                                         rpc::Reply reply) {
      auto self = weak.lock();
      if (!self) return;
      if (!params.is_object() || !params.contains("subscription") ||
          !params["subscription"].is_number_unsigned()) {
        reply(tl::unexpected(rpc::invalid_params("need a numeric \"subscription\"")));
        return;
      }
      const auto id = params["subscription"].get<std::uint64_t>();
      std::lock_guard lock(self->mu);
      auto it = self->subscriptions.find(id);
      const bool found = it != self->subscriptions.end() && it->second == from;
      if (found) self->subscriptions.erase(it);
      reply(json(found));
    };
    table["listContacts"] = [weak](const json&, rpc::ConnectionId, rpc::Reply reply) {
      if (auto self = weak.lock()) {
        self->on_client(std::move(reply), [](client::Client& c) -> Result<json> {
          auto contacts = c.contacts();
          if (!contacts) return tl::unexpected(contacts.error());
          json out = json::array();
          for (const auto& contact : *contacts) out.push_back(to_json(contact));
          return out;
        });
      }
    };
    table["getSafetyNumber"] = [weak, sink_for](const json& params, rpc::ConnectionId,
                                                rpc::Reply reply) {
      auto user = required_string(params, "username");
      if (auto self = weak.lock()) {
        self->on_client(std::move(reply), [user, sink = sink_for()](client::Client& c) -> Result<json> {
          auto number = c.safety_number(user, sink);
          if (!number) return tl::unexpected(number.error());
          return json{{"username", number->username},
                      {"safetyNumber", number->digits},
                      {"scannable", hex_encode(number->scannable)},
                      {"verified", number->verified},
                      {"identityChanged", number->identity_changed}};
        });
      }
    };
    table["verify"] = [weak, sink_for](const json& params, rpc::ConnectionId, rpc::Reply reply) {
      auto user = required_string(params, "username");
      std::optional<Bytes> scanned;
      if (params.contains("scanned")) {
        auto bytes = hex_decode(required_string(params, "scanned"));
        if (!bytes) {
          reply(tl::unexpected(rpc::invalid_params("\"scanned\" must be hex")));
          return;
        }
        scanned = std::move(*bytes);
      }
      if (auto self = weak.lock()) {
        self->on_client(std::move(reply), [user, scanned, sink = sink_for()](client::Client& c) -> Result<json> {
          SOTTO_TRY(c.mark_verified(user, scanned, sink));
          return json(true);
        });
      }
    };
    table["trust"] = [weak, sink_for](const json& params, rpc::ConnectionId, rpc::Reply reply) {
      auto user = required_string(params, "username");
      if (auto self = weak.lock()) {
        self->on_client(std::move(reply), [user, sink = sink_for()](client::Client& c) -> Result<json> {
          SOTTO_TRY(c.trust_new_identity(user, sink));
          return json(true);
        });
      }
    };
    table["markRead"] = [weak](const json& params, rpc::ConnectionId, rpc::Reply reply) {
      if (!params.is_object() || !params.contains("ids") || !params["ids"].is_array()) {
        reply(tl::unexpected(rpc::invalid_params("need an array \"ids\" of message ids")));
        return;
      }
      auto ids = params["ids"].get<std::vector<std::int64_t>>();
      if (auto self = weak.lock()) {
        self->on_client(std::move(reply), [ids](client::Client& c) -> Result<json> {
          auto marked = c.mark_read(ids);
          if (!marked) return tl::unexpected(marked.error());
          (void)c.flush_outbox({});
          return json(*marked);
        });
      }
    };
    table["whoami"] = [weak](const json&, rpc::ConnectionId, rpc::Reply reply) {
      if (auto self = weak.lock()) {
        self->on_client(std::move(reply), [](client::Client& c) -> Result<json> {
          return json{{"username", c.account().username},
                      {"account", client::address_name(c.account().account_id)},
                      {"device", c.account().device_id}};
        });
      }
    };
    return table;
  }

  void drop_connection(rpc::ConnectionId connection) {
    std::lock_guard lock(mu);
    std::erase_if(subscriptions, [&](const auto& s) { return s.second == connection; });
  }
};

Daemon::Daemon(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}

Daemon::~Daemon() { stop(); }

Result<std::unique_ptr<Daemon>> Daemon::start(std::unique_ptr<client::Client> client,
                                              const rpc::RpcServerOptions& options) {
  if (!client->registered()) {
    return fail(Errc::bad_request, "no account here yet: run `sotto register` first");
  }
  auto impl = std::make_shared<Impl>();
  impl->client = std::move(client);
  std::weak_ptr<Impl> weak = impl;
  auto server = rpc::RpcServer::start(options, impl->methods(), [weak](rpc::ConnectionId id) {
    if (auto self = weak.lock()) self->drop_connection(id);
  });
  if (!server) return tl::unexpected(server.error());
  impl->server = std::move(*server);
  impl->worker = std::thread([raw = impl.get()] { raw->run(); });
  return std::unique_ptr<Daemon>(new Daemon(std::move(impl)));
}

std::optional<std::uint16_t> Daemon::tcp_port() const { return impl_->server->tcp_port(); }

void Daemon::stop() {
  if (!impl_) return;
  impl_->server->stop();
  {
    std::lock_guard lock(impl_->mu);
    impl_->stopping = true;
  }
  impl_->cv.notify_all();
  if (impl_->worker.joinable()) impl_->worker.join();
  impl_->client->disconnect();
}

}  // namespace sotto::cli
