// SPDX-License-Identifier: Apache-2.0
// sottod's settings: defaults, the TOML file, flags over the file, and the
// mapping onto the layers' option structs.
#include "config.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <fstream>
#include <string>
#include <vector>

namespace sotto::sottod {
namespace {

// Parses `args` (after the program name) into a Config; false on a CLI11 error.
bool parse(std::vector<std::string> args, Config& config, std::string* error = nullptr) {
  CLI::App app;
  add_options(app, config);
  std::vector<const char*> argv{"sottod"};
  for (const auto& a : args) argv.push_back(a.c_str());
  try {
    app.parse(static_cast<int>(argv.size()), argv.data());
    return true;
  } catch (const CLI::ParseError& e) {
    if (error != nullptr) *error = e.what();
    return false;
  }
}

class TempFile {
 public:
  explicit TempFile(const std::string& text) {
    std::string pattern = "/tmp/sottod-config-XXXXXX";
    const int fd = ::mkstemp(pattern.data());
    if (fd >= 0) ::close(fd);
    path_ = pattern;
    std::ofstream(path_) << text;
  }
  ~TempFile() { ::unlink(path_.c_str()); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

TEST(SottodConfig, DefaultsMatchTheLayers) {
  Config config;
  ASSERT_TRUE(parse({"--data-dir", "/tmp/x"}, config));
  const auto service = service_options(config);
  const server::ServiceOptions service_defaults;
  EXPECT_EQ(service.delivery_window, service_defaults.delivery_window);
  EXPECT_EQ(service.message_ttl_ms, service_defaults.message_ttl_ms);
  EXPECT_EQ(service.max_content_size, service_defaults.max_content_size);
  EXPECT_EQ(service.login_timeout_ms, service_defaults.login_timeout_ms);
  EXPECT_EQ(service.connection_requests.burst, service_defaults.connection_requests.burst);
  EXPECT_EQ(service.connection_requests.per_second,
            service_defaults.connection_requests.per_second);
  EXPECT_EQ(service.account_sends.burst, service_defaults.account_sends.burst);
  EXPECT_EQ(service.account_sends.per_second, service_defaults.account_sends.per_second);
  EXPECT_EQ(service.account_key_fetches.burst, service_defaults.account_key_fetches.burst);
  EXPECT_EQ(service.account_key_fetches.per_second,
            service_defaults.account_key_fetches.per_second);
  const auto server = server_options(config);
  const transport::ServerOptions server_defaults;
  EXPECT_EQ(server.max_connections, server_defaults.max_connections);
  EXPECT_EQ(server.max_connections_per_ip, server_defaults.max_connections_per_ip);
  EXPECT_EQ(server.handshake_timeout, server_defaults.handshake_timeout);
  EXPECT_EQ(server.idle_timeout, server_defaults.idle_timeout);
  const auto limits = mailbox_limits(config);
  const storage::MailboxLimits limit_defaults;
  EXPECT_EQ(limits.max_messages, limit_defaults.max_messages);
  EXPECT_EQ(limits.max_bytes, limit_defaults.max_bytes);
}

TEST(SottodConfig, FileSetsAndFlagsOverride) {
  TempFile file(
      "data-dir = \"/srv/sotto\"\n"
      "listen = \"0.0.0.0:9000\"  # all interfaces\n"
      "max-connections-per-ip = 7\n"
      "login-timeout = 5\n"
      "message-ttl-days = 2\n"
      "queue-cap = 10\n"
      "keys-fetch-burst = 3\n"
      "keys-fetch-rate = 0.5\n");
  Config config;
  ASSERT_TRUE(parse({"--config", file.path(), "--login-timeout", "9"}, config));
  EXPECT_EQ(config.data_dir, "/srv/sotto");
  EXPECT_EQ(config.listen, "0.0.0.0:9000");
  EXPECT_EQ(server_options(config).max_connections_per_ip, 7u);
  const auto service = service_options(config);
  EXPECT_EQ(service.login_timeout_ms, 9'000);  // the flag wins
  EXPECT_EQ(service.message_ttl_ms, 2 * storage::kDayMs);
  EXPECT_EQ(service.account_key_fetches.burst, 3u);
  EXPECT_EQ(service.account_key_fetches.per_second, 0.5);
  EXPECT_EQ(mailbox_limits(config).max_messages, 10u);
}

TEST(SottodConfig, UnknownKeysAndBadValuesAreErrors) {
  std::string error;
  TempFile typo("data-dir = \"/x\"\nmax-conections = 5\n");
  Config a;
  EXPECT_FALSE(parse({"--config", typo.path()}, a, &error));
  TempFile negative("data-dir = \"/x\"\nrequest-rate = -1\n");
  Config b;
  EXPECT_FALSE(parse({"--config", negative.path()}, b, &error));
  Config c;
  EXPECT_FALSE(parse({"--config", "/nonexistent/sottod.toml"}, c, &error));
  Config d;
  EXPECT_FALSE(parse({}, d, &error));  // data-dir is required
}

TEST(SottodConfig, ExampleFileParses) {
  Config config;
  std::string error;
  ASSERT_TRUE(parse({"--config", SOTTOD_EXAMPLE_CONFIG}, config, &error)) << error;
  EXPECT_EQ(config.data_dir, "/var/lib/sottod");
  EXPECT_EQ(config.keys_fetch_burst, 60u);
}

TEST(SottodConfig, HelpNamesEveryOptionWithItsDefault) {
  CLI::App app;
  Config config;
  add_options(app, config);
  const std::string help = app.help();
  for (const char* flag : {"--config",
                           "--data-dir",
                           "--listen",
                           "--threads",
                           "--log-level",
                           "--max-connections",
                           "--max-connections-per-ip",
                           "--handshake-timeout",
                           "--idle-timeout",
                           "--login-timeout",
                           "--message-ttl-days",
                           "--queue-cap",
                           "--queue-cap-mib",
                           "--max-content-size",
                           "--delivery-window",
                           "--expiry-interval",
                           "--request-burst",
                           "--request-rate",
                           "--send-burst",
                           "--send-rate",
                           "--keys-fetch-burst",
                           "--keys-fetch-rate"}) {
    EXPECT_NE(help.find(flag), std::string::npos) << flag;
  }
  EXPECT_NE(help.find("=512"), std::string::npos) << help;  // defaults are shown
  EXPECT_NE(help.find("Seconds"), std::string::npos);       // and units
}

}  // namespace
}  // namespace sotto::sottod
