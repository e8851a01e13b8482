// SPDX-License-Identifier: Apache-2.0
// Opening the database file, and the accessors that hand out the stores.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "impl.hpp"
#include "schema.hpp"

namespace sotto::client {

namespace {

constexpr mode_t kPrivateMode = S_IRUSR | S_IWUSR;  // 0600

Error with_path(const std::string& path, const Error& cause) {
  return Error{cause.code, "client database " + path + ": " + cause.message};
}

Status os_error(const std::string& path, const char* what) {
  return fail(Errc::internal,
              "client database " + path + ": " + what + ": " + std::strerror(errno));
}

// The file holds private keys: it is created 0600 before SQLite sees it (so
// there is no moment it is readable by others), and an existing file with a
// wider mode is tightened. SQLite gives its -wal and -shm files the mode of
// the main file; ones left over from a wider mode are tightened too.
Status make_private(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, kPrivateMode);
  if (fd < 0) return os_error(path, "open");
  struct stat st {};
  Status result = ok();
  if (::fstat(fd, &st) != 0) {
    result = os_error(path, "stat");
  } else if (!S_ISREG(st.st_mode)) {
    result = fail(Errc::internal, "client database " + path + ": not a regular file");
  } else if ((st.st_mode & 07777) != kPrivateMode && ::fchmod(fd, kPrivateMode) != 0) {
    result = os_error(path, "chmod");
  }
  ::close(fd);
  if (!result) return result;
  for (const char* suffix : {"-wal", "-shm"}) {
    std::string side = path + suffix;
    if (::chmod(side.c_str(), kPrivateMode) != 0 && errno != ENOENT) {
      return os_error(side, "chmod");
    }
  }
  return ok();
}

}  // namespace

Result<std::unique_ptr<ClientStore>> ClientStore::open(const std::string& path) {
  if (path.empty()) return fail(Errc::bad_request, "client database path is empty");
  if (path != ":memory:") SOTTO_TRY(make_private(path));
  auto db = store::Database::open(path, store::Database::Role::writer);
  if (!db) return tl::unexpected(with_path(path, db.error()));
  if (auto migrated = store::migrate(**db); !migrated) {
    return tl::unexpected(with_path(path, migrated.error()));
  }
  auto impl = std::make_unique<Impl>(std::move(*db));
  if (auto loaded = impl->refresh_local_identity(); !loaded) {
    return tl::unexpected(with_path(path, loaded.error()));
  }
  return std::unique_ptr<ClientStore>(new ClientStore(std::move(impl)));
}

ClientStore::ClientStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ClientStore::~ClientStore() = default;

protocol::IdentityKeyStore& ClientStore::identity_store() { return impl_->identities; }
protocol::PreKeyStore& ClientStore::prekey_store() { return impl_->prekeys; }
protocol::SignedPreKeyStore& ClientStore::signed_prekey_store() { return impl_->signed_prekeys; }
protocol::SessionStore& ClientStore::session_store() { return impl_->sessions; }
protocol::SenderKeyStore& ClientStore::sender_key_store() { return impl_->sender_keys; }

protocol::SessionStores ClientStore::session_stores() {
  return {impl_->identities, impl_->prekeys, impl_->signed_prekeys, impl_->sessions};
}

}  // namespace sotto::client
