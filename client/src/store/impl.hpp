// SPDX-License-Identifier: Apache-2.0
// ClientStore's state: the one connection and the protocol stores over it.
// Everything goes through this connection, so whatever runs while a
// Transaction is open is part of that transaction.
#pragma once

#include <memory>

#include "protocol_stores.hpp"
#include "sotto/client/store.hpp"
#include "util.hpp"

namespace sotto::client {

struct ClientStore::Impl {
  explicit Impl(std::unique_ptr<store::Database> database)
      : db(std::move(database)),
        identities(*db),
        prekeys(*db),
        signed_prekeys(*db),
        sessions(*db),
        sender_keys(*db) {}

  // Re-reads the local identity into the identity store's cache, e.g. after a
  // rollback undid a save_account().
  Status refresh_local_identity();

  std::unique_ptr<store::Database> db;
  store::SqlIdentityKeyStore identities;
  store::SqlPreKeyStore prekeys;
  store::SqlSignedPreKeyStore signed_prekeys;
  store::SqlSessionStore sessions;
  store::SqlSenderKeyStore sender_keys;
  bool in_transaction = false;
  std::uint32_t seen_marks = 0;  // mark_envelope_seen calls, to prune now and then
};

}  // namespace sotto::client
