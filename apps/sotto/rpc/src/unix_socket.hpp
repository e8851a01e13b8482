// SPDX-License-Identifier: Apache-2.0
// The daemon's socket file: clearing one left by a dead daemon, refusing to
// start over a live one, and removing ours (and only ours) at stop.
// Private to sotto_rpc.
#pragma once

#include <sys/types.h>

#include <string>

#include "sotto/core/result.hpp"

namespace sotto::cli::rpc::detail {

// Which file a path named when we bound it, to tell ours from a successor's.
struct SocketFileId {
  dev_t device = 0;
  ino_t inode = 0;
};

// bad_request when `path` is empty or does not fit sockaddr_un.
Status check_socket_path(const std::string& path);

// Makes `path` free to bind. A socket nobody accepts on (ECONNREFUSED) is a
// stale file and is unlinked. Errors: already_exists when a server accepts
// connections there, or the path is not a socket (never deleted);
// network_error when the probe fails otherwise (e.g. EACCES).
// Two daemons starting in the same instant can both see a stale file; the
// later bind then wins. Starting daemons is a user action, so we accept it.
Status clear_stale_socket(const std::string& path);

// The identity of the file now at `path`; network_error when it cannot be stat'ed.
Result<SocketFileId> socket_file_id(const std::string& path);

// Unlinks `path` if it is still the file `id` names (a later daemon may have
// replaced it).
void remove_socket_file(const std::string& path, SocketFileId id);

}  // namespace sotto::cli::rpc::detail
