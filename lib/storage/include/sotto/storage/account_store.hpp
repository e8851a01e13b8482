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
