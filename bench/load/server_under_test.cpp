// SPDX-License-Identifier: Apache-2.0
#include "server_under_test.hpp"

#include <stdlib.h>

#include <charconv>
#include <iostream>

#include "sotto/systest/sottod.hpp"

namespace sotto::bench {

namespace {

const std::vector<std::pair<std::string, std::string>>& relaxed_limits() {
  static const std::vector<std::pair<std::string, std::string>> kFlags = {
      {"--max-connections-per-ip", "0"},  // thousands of clients on a few addresses
      {"--login-timeout", "0"},           // 10 000 connections open before they log in
      {"--request-burst", "0"},           // per-connection request rate
      {"--send-burst", "0"},              // per-account message.send rate
      {"--keys-fetch-burst", "0"},
  };
  return kFlags;
}

bool overridden(const std::vector<std::string>& extra, const std::string& flag) {
  for (const auto& a : extra) {
    if (a == flag || a.rfind(flag + "=", 0) == 0) return true;
  }
  return false;
}

}  // namespace

std::vector<std::string> relaxed_limit_flags() {
  std::vector<std::string> out;
  for (const auto& [flag, value] : relaxed_limits()) {
    out.push_back(flag);
    out.push_back(value);
  }
  return out;
}

Result<std::unique_ptr<ServerUnderTest>> ServerUnderTest::start(const ServerSettings& settings) {
  std::unique_ptr<ServerUnderTest> server(new ServerUnderTest());
  server->protocol_ = settings.protocol;
  const bool peer = settings.protocol != Protocol::sotto;
  server->name_ = !settings.name.empty() ? settings.name
                  : peer                 ? std::string(protocol_name(settings.protocol))
                                         : std::string("sottod");
  if (peer && !settings.sottod.empty()) {
    return fail(Errc::bad_request, "a peer server is given with --connect, not --sottod");
  }
  if (settings.sottod.empty()) {
    const auto colon = settings.connect.rfind(':');
    if (colon == std::string::npos || (!peer && settings.pin.empty())) {
      return fail(Errc::bad_request, "--connect HOST:PORT and --pin are needed without --sottod");
    }
    server->host_ = settings.connect.substr(0, colon);
    const std::string port = settings.connect.substr(colon + 1);
    unsigned value = 0;
    const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (ec != std::errc() || end != port.data() + port.size() || value == 0 || value > 65535) {
      return fail(Errc::bad_request, "bad port in --connect " + settings.connect);
    }
    server->port_ = static_cast<std::uint16_t>(value);
    server->pid_ = settings.pid;
    if (peer) return server;
    auto pin = transport::parse_pin(settings.pin);
    if (!pin) return tl::unexpected(pin.error());
    server->pin_ = settings.pin;
    server->pin_bytes_ = *pin;
    server->pid_ = settings.pid;
    return server;
  }

  std::string pattern = (std::filesystem::temp_directory_path() / "sotto-bench-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) return fail(Errc::internal, "cannot make a data dir");
  server->data_dir_ = pattern;
  server->keep_data_ = settings.keep_data;

  systest::SottodOptions options;
  options.binary = settings.sottod;
  options.data_dir = server->data_dir_ / "data";
  options.log_dir = server->data_dir_;
  options.threads = settings.threads;
  options.log_level = "warn";
  for (const auto& [flag, value] : relaxed_limits()) {
    if (overridden(settings.extra_args, flag)) continue;
    options.extra_args.push_back(flag);
    options.extra_args.push_back(value);
  }
  options.extra_args.insert(options.extra_args.end(), settings.extra_args.begin(),
                            settings.extra_args.end());
  server->args_ = options.extra_args;
  server->args_.insert(server->args_.begin(),
                       {"--threads", std::to_string(settings.threads), "--log-level", "warn"});
  server->sottod_ = std::make_unique<systest::Sottod>(options);
  SOTTO_TRY(server->sottod_->start());
  server->port_ = server->sottod_->port();
  server->pin_ = server->sottod_->pin();
  server->pin_bytes_ = server->sottod_->pin_bytes();
  server->pid_ = server->sottod_->process()->pid();
  return server;
}

ServerUnderTest::~ServerUnderTest() {
  sottod_.reset();  // SIGKILLs a server still running
  if (!data_dir_.empty()) {
    if (keep_data_) {
      std::cerr << "sottod data and logs kept in " << data_dir_.string() << "\n";
    } else {
      std::error_code ec;
      std::filesystem::remove_all(data_dir_, ec);
    }
  }
}

ServerEndpoint ServerUnderTest::endpoint(std::size_t source_addresses) const {
  ServerEndpoint e;
  e.host = host_;
  e.port = port_;
  e.pin = pin_bytes_;
  e.protocol = protocol_;
  // 127.0.0.2, 127.0.0.3, ...: the server listens on 127.0.0.1.
  for (std::size_t i = 0; i < source_addresses && i < 250; ++i) {
    e.sources.push_back("127.0.0." + std::to_string(2 + i));
  }
  return e;
}

nlohmann::json ServerUnderTest::describe() const {
  return {{"name", name_},
          {"protocol", protocol_name(protocol_)},
          {"started_by_bench", sottod_ != nullptr},
          {"address", host_ + ":" + std::to_string(port_)},
          {"pid", pid_},
          {"flags", args_}};
}

Status ServerUnderTest::restart() {
  if (!sottod_) return fail(Errc::bad_request, "cannot restart a server the bench did not start");
  SOTTO_TRY(sottod_->stop());
  SOTTO_TRY(sottod_->restart());
  pid_ = sottod_->process()->pid();
  return ok();
}

Status ServerUnderTest::stop() {
  if (!sottod_ || !sottod_->running()) return ok();
  return sottod_->stop();
}

}  // namespace sotto::bench
