// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string_view>

#include "sotto/core/result.hpp"
#include "sotto/storage/types.hpp"

namespace sotto::storage {

// Accounts: an id, a unique (after folding) username and the identity key.
// All methods are thread-safe.
class AccountStore {
 public:
  virtual ~AccountStore() = default;

  // Stores a new account.
  // Errors: already_exists if the id or fold_username(username) is taken;
  // bad_request if the username is empty.
  virtual Status create_account(const Account& account) = 0;

  // account.create in one transaction: the account, its first device and that
  // device's keys are all stored, or none is. `device.account` must be
  // `account.id`. Errors: already_exists (id or folded username taken);
  // bad_request (empty username, device id or key invalid, a key id twice in
  // one list of `keys`).
  virtual Status register_account(const Account& account, const Device& device,
                                  const KeyUpload& keys) = 0;

  // The account whose folded username equals fold_username(username).
  // Errors: not_found.
  virtual Result<Account> lookup_username(std::string_view username) = 0;

  // Errors: not_found.
  virtual Result<Account> get_account(const AccountId& id) = 0;

  // Removes the account with all its devices, their prekeys and queued
  // messages, in one transaction (all or nothing). Errors: not_found.
  virtual Status delete_account(const AccountId& id) = 0;
};

}  // namespace sotto::storage
