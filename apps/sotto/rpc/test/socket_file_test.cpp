// SPDX-License-Identifier: Apache-2.0
// The daemon's socket file: permissions, stale files, a live daemon, and
// removing only our own file.
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <fstream>

#include "test_support.hpp"

namespace sotto::cli::rpc {
namespace {

using testing::basic_methods;
using testing::connect_or_die;
using testing::kWait;
using testing::start_or_die;
using testing::TempDir;
using testing::unix_options;

// What a crashed daemon leaves: a bound socket file nobody listens on.
void leave_stale_socket(const std::string& path) {
  int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, path.c_str(), path.size());
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  ::close(fd);
  struct stat st {};
  ASSERT_EQ(::lstat(path.c_str(), &st), 0);
  ASSERT_TRUE(S_ISSOCK(st.st_mode));
}

bool echo_works(const std::string& path) {
  auto client = RpcClient::connect_unix(path);
  if (!client) return false;
  auto r = client->call("echo", nlohmann::json::array({1}), kWait);
  return r && *r && **r == nlohmann::json::array({1});
}

TEST(RpcSocketFile, CreatedWithMode0600) {
  TempDir dir;
  auto server = start_or_die(unix_options(dir));
  ASSERT_TRUE(server);
  struct stat st {};
  ASSERT_EQ(::lstat(dir.file("d.sock").c_str(), &st), 0);
  EXPECT_TRUE(S_ISSOCK(st.st_mode));
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST(RpcSocketFile, StaleSocketFileIsReplaced) {
  TempDir dir;
  auto options = unix_options(dir);
  leave_stale_socket(options.unix_path);
  EXPECT_FALSE(RpcClient::connect_unix(options.unix_path));
  auto server = start_or_die(options);
  ASSERT_TRUE(server);
  EXPECT_TRUE(echo_works(options.unix_path));
}

TEST(RpcSocketFile, SecondDaemonOnTheSameSocketIsRefused) {
  TempDir dir;
  auto options = unix_options(dir);
  auto first = start_or_die(options);
  ASSERT_TRUE(first);
  auto second = RpcServer::start(options, basic_methods());
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().code, Errc::already_exists);
  EXPECT_NE(second.error().message.find("another daemon is listening"), std::string::npos)
      << second.error().message;
  EXPECT_TRUE(echo_works(options.unix_path));  // the first one is untouched
}

TEST(RpcSocketFile, NonSocketFileIsNeverDeleted) {
  TempDir dir;
  auto options = unix_options(dir);
  std::ofstream(options.unix_path) << "precious";
  auto server = RpcServer::start(options, basic_methods());
  ASSERT_FALSE(server);
  EXPECT_EQ(server.error().code, Errc::already_exists);
  std::ifstream in(options.unix_path);
  std::string content;
  in >> content;
  EXPECT_EQ(content, "precious");
}

TEST(RpcSocketFile, PathTooLongIsBadRequest) {
  RpcServerOptions options;
  options.unix_path = "/tmp/" + std::string(200, 'p');
  auto server = RpcServer::start(options, basic_methods());
  ASSERT_FALSE(server);
  EXPECT_EQ(server.error().code, Errc::bad_request);
}

TEST(RpcSocketFile, RemovedOnStopUnlessReplaced) {
  TempDir dir;
  auto options = unix_options(dir);
  auto first = start_or_die(options);
  ASSERT_TRUE(first);
  first->stop();
  EXPECT_FALSE(std::filesystem::exists(options.unix_path));

  // A successor took the path (after someone removed our file): stopping the
  // old server must not delete the new one's socket.
  auto old_server = start_or_die(options);
  ASSERT_EQ(::unlink(options.unix_path.c_str()), 0);
  auto successor = start_or_die(options);
  ASSERT_TRUE(successor);
  old_server->stop();
  EXPECT_TRUE(std::filesystem::exists(options.unix_path));
  EXPECT_TRUE(echo_works(options.unix_path));
}

}  // namespace
}  // namespace sotto::cli::rpc
