// SPDX-License-Identifier: Apache-2.0
#include "sotto/systest/sottod.hpp"

#include <signal.h>

#include <charconv>
#include <cstdlib>
#include <regex>
#include <thread>

namespace sotto::systest {

namespace {

constexpr int kStartAttempts = 5;
constexpr std::chrono::milliseconds kRetryPause{300};

}  // namespace

std::filesystem::path sottod_binary(const std::filesystem::path& fallback) {
  const char* env = std::getenv("SOTTO_SOTTOD");
  if (env != nullptr && *env != '\0') return env;
  return fallback;
}

Sottod::Sottod(SottodOptions options) : options_(std::move(options)) {
  if (options_.log_dir.empty()) options_.log_dir = options_.data_dir.parent_path();
}

Sottod::~Sottod() {
  if (process_) process_->kill_and_wait();
}

bool Sottod::running() const { return process_ && process_->running(); }

std::string Sottod::stderr_text() const {
  return process_ ? process_->text(Stream::err) : std::string();
}

Status Sottod::start(std::uint16_t port) {
  if (running()) return fail(Errc::internal, "sottod is already running");
  Status last = fail(Errc::internal, "sottod: no attempt made");
  for (int attempt = 0; attempt < kStartAttempts; ++attempt) {
    last = start_once(port);
    if (last) return last;
    // Only an ephemeral port cannot collide; a fixed one may still be held
    // for a moment by the run we just killed.
    if (port == 0) break;
    std::this_thread::sleep_for(kRetryPause);
  }
  return last;
}

Status Sottod::start_once(std::uint16_t port) {
  ++runs_;
  const std::string run = "sottod." + std::to_string(runs_);
  SpawnOptions spawn;
  spawn.argv = {options_.binary.string(),
                "--data-dir",
                options_.data_dir.string(),
                "--listen",
                options_.host + ":" + std::to_string(port),
                "--threads",
                std::to_string(options_.threads),
                "--log-level",
                options_.log_level};
  spawn.argv.insert(spawn.argv.end(), options_.extra_args.begin(), options_.extra_args.end());
  spawn.env = options_.env;
  if (!options_.log_dir.empty()) {
    spawn.stdout_log = options_.log_dir / (run + ".stdout");
    spawn.stderr_log = options_.log_dir / (run + ".stderr");
  }
  process_.reset();
  auto child = ChildProcess::spawn(spawn);
  if (!child) return tl::unexpected(child.error());
  process_ = std::move(*child);

  static const std::regex kListening(R"(^listening on (.+):([0-9]+)$)");
  static const std::regex kPin(R"(^certificate pin: ([0-9a-f]{64})$)");
  auto listening = process_->wait_for_line(Stream::out, kListening, options_.start_timeout);
  if (!listening) {
    process_->kill_and_wait();
    return fail(Errc::internal, run + " did not start (" + process_->exit_status()->describe() +
                                    "): " + process_->text(Stream::err));
  }
  // The pin line comes before the listening line, so it is already there.
  auto pin_line = process_->wait_for_line(Stream::out, kPin, std::chrono::milliseconds(0));
  auto pin = pin_line ? transport::parse_pin(pin_line->groups[1])
                      : Result<transport::CertificatePin>(fail(Errc::invalid_encoding, "no pin"));
  const std::string& port_text = listening->groups[2];
  unsigned parsed_port = 0;
  const auto [end, ec] =
      std::from_chars(port_text.data(), port_text.data() + port_text.size(), parsed_port);
  const bool port_ok = ec == std::errc() && end == port_text.data() + port_text.size() &&
                       parsed_port > 0 && parsed_port <= 65535 &&
                       (port == 0 || parsed_port == port);
  if (!pin || !port_ok) {
    process_->kill_and_wait();
    return fail(Errc::internal,
                run + " printed an unexpected pin or port: " + process_->text(Stream::out));
  }
  pin_ = pin_line->groups[1];
  pin_bytes_ = *pin;
  port_ = static_cast<std::uint16_t>(parsed_port);
  return ok();
}

Status Sottod::kill9() {
  if (!process_) return fail(Errc::internal, "sottod was never started");
  const ExitStatus status = process_->kill_and_wait();
  if (!status.killed_by(SIGKILL)) {
    return fail(Errc::internal, "sottod ended by itself before the kill (" + status.describe() +
                                    "): " + process_->text(Stream::err));
  }
  return ok();
}

void Sottod::kill9_async() {
  if (process_) (void)process_->signal(SIGKILL);
}

Status Sottod::stop(std::chrono::milliseconds timeout) {
  if (!process_) return fail(Errc::internal, "sottod was never started");
  (void)process_->signal(SIGTERM);
  auto status = process_->wait(timeout);
  if (!status) {
    process_->kill_and_wait();
    return fail(Errc::internal, "sottod did not stop on SIGTERM within the timeout: " +
                                    process_->text(Stream::err));
  }
  if (!status->exited_ok()) {
    return fail(Errc::internal,
                "sottod stopped with " + status->describe() + ": " + process_->text(Stream::err));
  }
  return ok();
}

}  // namespace sotto::systest
