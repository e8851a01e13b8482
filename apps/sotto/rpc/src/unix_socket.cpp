// SPDX-License-Identifier: Apache-2.0
#include "unix_socket.hpp"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>

namespace sotto::cli::rpc::detail {
namespace {

std::string errno_text(int err) { return std::error_code(err, std::generic_category()).message(); }

}  // namespace

Status check_socket_path(const std::string& path) {
  if (path.empty()) return fail(Errc::bad_request, "empty unix socket path");
  if (path.size() >= sizeof(sockaddr_un{}.sun_path)) {
    return fail(Errc::bad_request, "unix socket path longer than " +
                                       std::to_string(sizeof(sockaddr_un{}.sun_path) - 1) +
                                       " bytes: " + path);
  }
  return ok();
}

Status clear_stale_socket(const std::string& path) {
  SOTTO_TRY(check_socket_path(path));
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return ok();
    return fail(Errc::network_error, "cannot stat " + path + ": " + errno_text(errno));
  }
  if (!S_ISSOCK(st.st_mode)) return fail(Errc::already_exists, path + " exists and is not a socket");

  // Probe without blocking: a live server with a full backlog answers EAGAIN,
  // which also means "in use".
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return fail(Errc::network_error, "socket(): " + errno_text(errno));
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, path.data(), path.size());
  int rc = ::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof(addr));
  int err = rc == 0 ? 0 : errno;
  ::close(fd);
  if (rc == 0 || err == EAGAIN || err == EINPROGRESS) {
    return fail(Errc::already_exists, "another daemon is listening on " + path);
  }
  if (err != ECONNREFUSED) {
    return fail(Errc::network_error, "cannot probe " + path + ": " + errno_text(err));
  }
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
    return fail(Errc::network_error, "cannot remove stale " + path + ": " + errno_text(errno));
  }
  return ok();
}

Result<SocketFileId> socket_file_id(const std::string& path) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) {
    return fail(Errc::network_error, "cannot stat " + path + ": " + errno_text(errno));
  }
  return SocketFileId{st.st_dev, st.st_ino};
}

void remove_socket_file(const std::string& path, SocketFileId id) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) return;
  if (st.st_dev == id.device && st.st_ino == id.inode) ::unlink(path.c_str());
}

}  // namespace sotto::cli::rpc::detail
