// SPDX-License-Identifier: Apache-2.0
// One-time prekeys: made in batches, kept locally, published to the server,
// and refilled when the server says the stock is low.
#include "client_impl.hpp"

namespace sotto::client {

namespace {

// Prekey ids are 24-bit in Signal's clients; wrap before the top.
constexpr std::uint32_t kMaxPreKeyId = 0xFFFFFE;

}  // namespace

Result<std::vector<protocol::PreKeyRecord>> Client::Impl::make_prekeys(std::uint32_t count) {
  std::vector<protocol::PreKeyRecord> out;
  out.reserve(count);
  std::uint32_t id = account->next_prekey_id;
  for (std::uint32_t i = 0; i < count; ++i) {
    if (id == 0 || id > kMaxPreKeyId) id = 1;
    auto record = protocol::generate_prekey(id++, *rng);
    SOTTO_TRY(store->prekey_store().store_prekey(record.clone()));
    out.push_back(std::move(record));
  }
  account->next_prekey_id = id;
  SOTTO_TRY(store->save_account(*account));
  return out;
}

Status Client::Impl::refill_prekeys() {
  wire::KeysUpload upload;
  {
    auto transaction = store->begin();
    if (!transaction) return tl::unexpected(transaction.error());
    auto made = make_prekeys(options.prekey_batch);
    if (!made) return tl::unexpected(made.error());
    SOTTO_TRY(transaction->commit());
    for (const auto& k : *made) {
      auto serialized = k.key_pair.public_key.serialize();
      upload.one_time_prekeys.push_back({k.id, Bytes(serialized.begin(), serialized.end())});
    }
  }
  auto response = call(wire::kOpKeysUpload, wire::encode(upload));
  if (!response) return tl::unexpected(response.error());
  if (response->status != 200) {
    return fail(Errc::internal, "prekey upload refused (" + std::to_string(response->status) +
                                    " " + response->message + ")");
  }
  return ok();
}

}  // namespace sotto::client
