// SPDX-License-Identifier: Apache-2.0
#include "e2e_daemon.hpp"

#include <signal.h>

#include <regex>
#include <system_error>

namespace sotto::systest::e2e {

using Clock = std::chrono::steady_clock;

RunningDaemon::RunningDaemon(const User& user, std::filesystem::path socket)
    : user_(user), socket_(std::move(socket)) {}

RunningDaemon::~RunningDaemon() {
  rpc_.reset();
  if (process_) process_->kill_and_wait();
}

bool RunningDaemon::start() {
  process_ = user_.spawn({"daemon", "--socket", socket_.string()});
  if (!process_) {
    failure_ = "cannot start the daemon";
    return false;
  }
  static const std::regex kListening(R"(^listening on unix:(.+)$)");
  auto line = process_->wait_for_line(Stream::out, kListening, 30s);
  if (!line) {
    failure_ = "the daemon did not start: " + process_->text(Stream::err);
    return false;
  }
  auto connected = rpc::RpcClient::connect_unix(socket_.string());
  if (!connected) {
    failure_ = "cannot connect to the daemon: " + connected.error().message;
    return false;
  }
  rpc_.emplace(std::move(*connected));
  return true;
}

Result<json> RunningDaemon::call(std::string_view method, json params,
                                 std::chrono::milliseconds timeout) {
  if (!rpc_) return fail(Errc::network_error, "not connected");
  auto outcome = rpc_->call(method, std::move(params), timeout);
  if (!outcome) return tl::unexpected(outcome.error());
  return rpc::to_result(std::move(*outcome));
}

std::optional<json> RunningDaemon::next_event(std::string_view type,
                                              std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    for (auto it = pending_.begin(); it != pending_.end(); ++it) {
      if (it->value("type", "") == type) {
        json out = std::move(*it);
        pending_.erase(it);
        return out;
      }
    }
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0 || !rpc_) return std::nullopt;
    auto n = rpc_->next_notification(left);
    if (!n) return std::nullopt;
    if (n->method != "receive" || !n->params.is_object()) continue;
    last_subscription_ = n->params.value("subscription", json());
    if (n->params.contains("result")) pending_.push_back(n->params["result"]);
  }
}

Status RunningDaemon::stop() {
  if (!process_) return fail(Errc::internal, "the daemon was never started");
  (void)process_->signal(SIGTERM);
  auto status = process_->wait(15s);
  rpc_.reset();
  if (!status) {
    process_->kill_and_wait();
    return fail(Errc::internal,
                "the daemon did not stop on SIGTERM within 15 s: " + process_->text(Stream::err));
  }
  if (!status->exited_ok()) {
    return fail(Errc::internal, "the daemon stopped with " + status->describe() + ": " +
                                    process_->text(Stream::err));
  }
  std::error_code ec;
  if (std::filesystem::exists(socket_, ec)) {
    return fail(Errc::internal, "the daemon left its socket file " + socket_.string());
  }
  return ok();
}

std::string RunningDaemon::stderr_text() const {
  return process_ ? process_->text(Stream::err) : std::string();
}

}  // namespace sotto::systest::e2e
