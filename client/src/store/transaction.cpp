// SPDX-License-Identifier: Apache-2.0
// BEGIN IMMEDIATE takes the write lock up front, so a transaction never fails
// halfway through for want of it.
#include <utility>

#include "impl.hpp"

namespace sotto::client {

Result<Transaction> ClientStore::begin() {
  if (impl_->in_transaction) return fail(Errc::bad_request, "a transaction is already open");
  SOTTO_TRY(impl_->db->exec("BEGIN IMMEDIATE"));
  impl_->in_transaction = true;
  return Transaction(this);
}

Transaction::Transaction(Transaction&& other) noexcept
    : store_(std::exchange(other.store_, nullptr)) {}

Status Transaction::commit() {
  if (store_ == nullptr) return fail(Errc::bad_request, "transaction already finished");
  // A failed COMMIT leaves the transaction open; the destructor rolls it back.
  SOTTO_TRY(store_->impl_->db->exec("COMMIT"));
  store_->impl_->in_transaction = false;
  store_ = nullptr;
  return ok();
}

Transaction::~Transaction() {
  if (store_ == nullptr) return;
  auto& impl = *store_->impl_;
  // Fails harmlessly when SQLite already rolled back on an I/O error.
  (void)impl.db->exec("ROLLBACK");
  impl.in_transaction = false;
  // The cached identity must match the file again if the transaction saved
  // or wiped the account. Errors leave the cache as it is; the next
  // load_account() refreshes it.
  (void)impl.refresh_local_identity();
}

}  // namespace sotto::client
