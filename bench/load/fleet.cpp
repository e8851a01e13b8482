// SPDX-License-Identifier: Apache-2.0
#include "fleet.hpp"

#include <array>
#include <chrono>
#include <future>
#include <thread>

#include "device.hpp"
#include "mqtt_connection.hpp"
#include "xmpp_connection.hpp"

namespace sotto::bench {

namespace {

using Clock = std::chrono::steady_clock;

constexpr std::size_t kMaxErrorsKept = 10;
constexpr std::uint32_t kOk = 200;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

nlohmann::json phase_json(const PhaseStats& p) {
  return {{"attempted", p.attempted},
          {"succeeded", p.succeeded},
          {"seconds", p.seconds},
          {"per_second", p.rate()}};
}

}  // namespace

nlohmann::json SetupStats::to_json() const {
  return {{"devices", devices},
          {"keys_seconds", keys_seconds},
          {"connect", phase_json(connect)},
          {"create", phase_json(create)},
          {"login", phase_json(login)},
          {"failures", failures},
          {"errors", errors}};
}

Fleet::Fleet(Loop& loop, ServerEndpoint server) : loop_(loop), server_(std::move(server)) {}

Fleet::~Fleet() { loop_.stop(); }

void Fleet::add(std::size_t count, std::size_t first_name, const std::string& prefix,
                std::uint64_t key_seed) {
  devices_.reserve(devices_.size() + count);
  for (std::size_t i = 0; i < count; ++i) {
    const std::size_t index = devices_.size();
    const std::uint64_t name = first_name + i;
    std::string username = prefix + std::to_string(name);
    if (server_.protocol == Protocol::xmpp) {
      devices_.push_back(std::make_unique<XmppDevice>(index, std::move(username), server_));
      continue;
    }
    if (server_.protocol == Protocol::mqtt) {
      devices_.push_back(std::make_unique<MqttDevice>(index, std::move(username), server_));
      continue;
    }
    std::array<std::uint8_t, 32> seed{};
    for (int b = 0; b < 8; ++b) {
      seed[b] = static_cast<std::uint8_t>(key_seed >> (8 * b));
      seed[8 + b] = static_cast<std::uint8_t>(name >> (8 * b));
    }
    seed[16] = 0x57;  // keeps these streams apart from other seeded uses
    crypto::DeterministicRng rng(seed);
    devices_.push_back(
        std::make_unique<SottoDevice>(index, make_account_keys(std::move(username), rng)));
  }
}

std::size_t Fleet::online_count() const {
  std::size_t n = 0;
  for (const auto& d : devices_) {
    if (d->online() && d->connected()) ++n;
  }
  return n;
}

WsTarget Fleet::target_for(const Device& device) const {
  WsTarget target;
  target.host = server_.host;
  target.port = server_.port;
  target.pin = server_.pin;
  if (!server_.sources.empty()) {
    target.bind_address = server_.sources[device.index() % server_.sources.size()];
  }
  return target;
}

void Fleet::shutdown(std::chrono::milliseconds grace) {
  loop_.call([this] {
    for (auto& d : devices_) {
      d->set_events(nullptr);
      d->close();
    }
  });
  const auto deadline = Clock::now() + grace;
  while (Clock::now() < deadline) {
    const bool open = loop_.call([this] {
      for (auto& d : devices_) {
        if (d->connected()) return true;
      }
      return false;
    });
    if (!open) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  loop_.stop();
}

void Fleet::reconnect(Device& device) { device.connect(loop_.io(), tls_, target_for(device)); }

SetupStats Fleet::bring_online(std::size_t concurrency, bool login) {
  SetupStats stats;
  stats.devices = devices_.size() - first_new_;
  loop_.call([this] {
    busy_.assign(devices_.size(), 0);
    failed_.assign(devices_.size(), 0);
    waiting_challenge_.assign(devices_.size(), 0);
    for (std::size_t i = first_new_; i < devices_.size(); ++i) devices_[i]->set_events(this);
  });
  stats.connect = run_phase(Phase::connect, concurrency);
  stats.create = run_phase(Phase::create, concurrency);
  if (login) stats.login = run_phase(Phase::login, concurrency);
  loop_.call([&] {
    stats.errors = errors_;
    stats.failures = failures_;
  });
  first_new_ = devices_.size();
  return stats;
}

PhaseStats Fleet::run_phase(Phase phase, std::size_t concurrency) {
  PhaseStats stats;
  auto done = std::make_shared<std::promise<void>>();
  auto finished = done->get_future();
  const auto start = Clock::now();
  loop_.call([&] {
    phase_ = phase;
    pending_.clear();
    for (std::size_t i = first_new_; i < devices_.size(); ++i) {
      if (failed_[i]) continue;
      // Accounts registered earlier skip account.create.
      if (phase == Phase::create && devices_[i]->has_account()) continue;
      pending_.push_back(devices_[i].get());
    }
    next_ = active_ = finished_ = succeeded_ = 0;
    concurrency_ = concurrency == 0 ? 1 : concurrency;
    phase_done_ = done;
    stats.attempted = pending_.size();
    if (pending_.empty()) {
      done->set_value();
    } else {
      start_next();
    }
  });
  finished.wait();
  stats.seconds = seconds_since(start);
  loop_.call([&] {
    stats.succeeded = succeeded_;
    phase_ = Phase::idle;
  });
  return stats;
}

void Fleet::start_next() {
  while (next_ < pending_.size() && active_ < concurrency_) {
    Device& device = *pending_[next_++];
    ++active_;
    busy_[device.index()] = 1;
    start(device);
  }
}

void Fleet::start(Device& device) {
  switch (phase_) {
    case Phase::connect:
      reconnect(device);
      return;
    case Phase::create:
      device.create_account();
      return;
    case Phase::login:
      if (device.has_challenge()) {
        device.login();
      } else {
        waiting_challenge_[device.index()] = 1;
      }
      return;
    case Phase::idle:
      return;
  }
}

void Fleet::finish(Device& device, bool ok, const std::string& error) {
  if (!busy_[device.index()]) return;
  busy_[device.index()] = 0;
  if (ok) {
    ++succeeded_;
  } else {
    failed_[device.index()] = 1;
    note_error(device.username() + ": " + error);
  }
  --active_;
  ++finished_;
  if (finished_ == pending_.size()) {
    phase_done_->set_value();
    return;
  }
  start_next();
}

void Fleet::note_error(const std::string& error) {
  ++failures_;
  if (errors_.size() < kMaxErrorsKept) errors_.push_back(error);
}

void Fleet::on_connected(Device& device, const std::string& error) {
  // A connection counts once the server's challenge is in: that is when the
  // server has set up the session, and what login waits for anyway.
  if (!error.empty()) return finish(device, false, error);
  if (device.has_challenge()) finish(device, true, {});
}

void Fleet::on_challenge(Device& device) {
  if (phase_ == Phase::connect) return finish(device, true, {});
  if (phase_ == Phase::login && waiting_challenge_[device.index()]) {
    waiting_challenge_[device.index()] = 0;
    device.login();
  }
}

void Fleet::on_created(Device& device, std::uint32_t status, const std::string& message) {
  finish(device, status == kOk, "account.create: " + std::to_string(status) + " " + message);
}

void Fleet::on_logged_in(Device& device, std::uint32_t status, const std::string& message) {
  finish(device, status == kOk, "auth.login: " + std::to_string(status) + " " + message);
}

void Fleet::on_closed(Device& device, const std::string& why) {
  if (busy_.size() > device.index() && busy_[device.index()]) {
    return finish(device, false, "connection lost: " + why);
  }
  note_error(device.username() + ": connection lost after setup: " + why);
}

void Fleet::on_protocol_error(Device& device, const std::string& what) {
  note_error(device.username() + ": " + what);
}

}  // namespace sotto::bench
