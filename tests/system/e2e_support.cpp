// SPDX-License-Identifier: Apache-2.0
#include "e2e_support.hpp"

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <iterator>
#include <regex>
#include <sstream>
#include <system_error>

#ifndef SOTTO_CLIENT_DEFAULT
#define SOTTO_CLIENT_DEFAULT ""
#endif
#ifndef SOTTO_SOTTOD_DEFAULT
#define SOTTO_SOTTOD_DEFAULT ""
#endif

namespace sotto::systest::e2e {

namespace fs = std::filesystem;

std::filesystem::path sotto_binary() {
  const char* env = std::getenv("SOTTO_CLIENT");
  if (env != nullptr && *env != '\0') return env;
  return SOTTO_CLIENT_DEFAULT;
}

int CliRun::code() const {
  if (!status || status->signaled) return -1;
  return status->code;
}

std::string CliRun::describe() const {
  std::ostringstream s;
  s << "`sotto";
  for (const auto& a : args) s << ' ' << (a.size() > 80 ? a.substr(0, 80) + "…" : a);
  s << "` ended with " << (status ? status->describe() : std::string("a timeout (killed)"))
    << "\n--- stdout ---\n"
    << (out.size() > 4000 ? out.substr(0, 4000) + "…" : out) << "--- stderr ---\n"
    << err;
  return s.str();
}

std::vector<json> parse_events(const std::vector<std::string>& lines) {
  std::vector<json> out;
  for (const auto& line : lines) {
    auto j = json::parse(line, nullptr, false);
    if (!j.is_discarded() && j.is_object()) out.push_back(std::move(j));
  }
  return out;
}

CliRun finish(ChildProcess& child, std::vector<std::string> args,
              std::chrono::milliseconds timeout) {
  CliRun run;
  run.args = std::move(args);
  run.status = child.wait(timeout);
  if (!run.status) child.kill_and_wait();
  // The streams close right after the exit; wait for that so nothing the
  // command printed last is missed. A class matching nothing never matches.
  static const std::regex kNever(R"([^\s\S])");
  (void)child.wait_for_line(Stream::out, kNever, 10s);
  (void)child.wait_for_line(Stream::err, kNever, 10s);
  run.out = child.text(Stream::out);
  run.err = child.text(Stream::err);
  run.events = parse_events(child.lines(Stream::out));
  return run;
}

std::vector<json> of_type(const std::vector<json>& events, std::string_view type) {
  std::vector<json> out;
  for (const auto& e : events) {
    if (e.value("type", "") == type) out.push_back(e);
  }
  return out;
}

std::vector<std::string> bodies(const std::vector<json>& events, std::string_view from) {
  std::vector<std::string> out;
  for (const auto& e : of_type(events, "message")) {
    if (!from.empty() && !(e.contains("from") && e["from"].is_string() && e["from"] == from)) {
      continue;
    }
    out.push_back(e.value("body", ""));
  }
  return out;
}

std::vector<std::string> User::argv(const std::vector<std::string>& args) const {
  std::vector<std::string> out{sotto_binary().string(), "--data-dir", data_dir_.string()};
  out.insert(out.end(), args.begin(), args.end());
  return out;
}

std::unique_ptr<ChildProcess> User::spawn(const std::vector<std::string>& args,
                                          bool pipe_stdin) const {
  SpawnOptions options;
  options.argv = argv(args);
  options.pipe_stdin = pipe_stdin;
  // The QR code and colours are not the point here.
  options.env = {"NO_COLOR=1"};
  auto child = ChildProcess::spawn(options);
  if (!child) {
    ADD_FAILURE() << "cannot start sotto: " << child.error().message;
    return nullptr;
  }
  return std::move(*child);
}

CliRun User::run(const std::vector<std::string>& args, std::chrono::milliseconds timeout) const {
  auto child = spawn(args);
  if (!child) return CliRun{args, std::nullopt, {}, "spawn failed", {}};
  return finish(*child, args, timeout);
}

CliRun User::run_with_stdin(const std::vector<std::string>& args, std::string_view input,
                            std::chrono::milliseconds timeout) const {
  auto child = spawn(args, true);
  if (!child) return CliRun{args, std::nullopt, {}, "spawn failed", {}};
  auto written = child->write_stdin(input);
  if (!written) ADD_FAILURE() << "writing to sotto's stdin: " << written.error().message;
  child->close_stdin();
  return finish(*child, args, timeout);
}

CliRun User::register_at(const Sottod& server) const {
  return run({"register", name_, "--server", "127.0.0.1:" + std::to_string(server.port()), "--pin",
              server.pin()});
}

CliRun User::send(const std::string& to, const std::string& text) const {
  return run({"send", to, text, "--json"});
}

CliRun User::receive(double seconds) const {
  std::ostringstream t;
  t << seconds;
  return run({"receive", "--json", "-t", t.str()});
}

CliRun User::verify(const std::string& other) const {
  return run({"verify", other, "--json", "--no-qr"});
}

CliRun User::contacts() const { return run({"contacts", "--json"}); }

std::uint64_t sent_timestamp(const CliRun& run) {
  for (const auto& e : of_type(run.events, "sent")) {
    if (e.contains("timestamp") && e["timestamp"].is_number_unsigned()) {
      return e["timestamp"].get<std::uint64_t>();
    }
  }
  return 0;
}

std::optional<json> contact_entry(const CliRun& run, const std::string& username) {
  for (const auto& e : run.events) {
    if (e.value("username", "") == username) return e;
  }
  return std::nullopt;
}

std::vector<fs::path> files_containing(const fs::path& root, std::string_view needle) {
  std::vector<fs::path> out;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(root, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (!it->is_regular_file(ec)) continue;
    std::ifstream in(it->path(), std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (bytes.find(needle) != std::string::npos) out.push_back(it->path());
  }
  if (ec) ADD_FAILURE() << "cannot walk " << root << ": " << ec.message();
  return out;
}

void E2eTest::TearDown() {
  if (server_ && server_->process() != nullptr) {
    if (HasFailure()) {
      std::cout << "sottod stderr (last run):\n" << server_->stderr_text() << std::endl;
    }
    if (server_->running()) {
      auto stopped = server_->stop();
      EXPECT_TRUE(stopped) << stopped.error().message;
    }
  }
}

void E2eTest::start_server(const std::string& log_level, std::vector<std::string> extra_args) {
  ASSERT_FALSE(root().empty()) << "no temp dir";
  std::error_code ec;
  fs::create_directories(server_log_dir(), ec);
  ASSERT_FALSE(ec) << ec.message();
  SottodOptions options;
  options.binary = sottod_binary(SOTTO_SOTTOD_DEFAULT);
  ASSERT_FALSE(options.binary.empty()) << "set SOTTO_SOTTOD to the sottod binary";
  ASSERT_FALSE(sotto_binary().empty()) << "set SOTTO_CLIENT to the sotto binary";
  options.data_dir = server_data_dir();
  options.log_dir = server_log_dir();
  options.log_level = log_level;
  options.extra_args = std::move(extra_args);
  server_ = std::make_unique<Sottod>(options);
  auto started = server_->start(0);
  ASSERT_TRUE(started) << started.error().message;
}

User E2eTest::make_user(const std::string& name, const std::string& folder) const {
  return User(name, root() / (folder.empty() ? name : folder));
}

User E2eTest::registered_user(const std::string& name, const std::string& folder) {
  User user = make_user(name, folder);
  const CliRun r = user.register_at(*server_);
  EXPECT_EQ(r.code(), kExitOk) << r.describe();
  return user;
}

}  // namespace sotto::systest::e2e
