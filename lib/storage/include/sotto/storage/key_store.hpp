// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <span>

#include "sotto/core/result.hpp"
#include "sotto/storage/types.hpp"

namespace sotto::storage {

// Prekeys per device: one signed EC prekey, one Kyber last-resort key, and
// stocks of one-time EC and Kyber prekeys. Signatures are checked by the server
// before it calls these. All methods are thread-safe; every method errs with
// not_found if the device does not exist.
class KeyStore {
 public:
  virtual ~KeyStore() = default;

  // Replaces the device's signed prekey (rotation is an overwrite).
  virtual Status set_signed_prekey(const AccountId& account, DeviceId device,
                                   const SignedPreKey& key) = 0;

  // Replaces the device's Kyber last-resort key.
  virtual Status set_kyber_last_resort(const AccountId& account, DeviceId device,
                                       const KyberPreKey& key) = 0;

  // Adds one-time EC prekeys, all or nothing; a key whose id is already stored
  // replaces the stored one (so a retried upload is harmless).
  virtual Status add_one_time_prekeys(const AccountId& account, DeviceId device,
                                      std::span<const OneTimePreKey> keys) = 0;

  // Adds one-time Kyber prekeys; same rules as add_one_time_prekeys.
  virtual Status add_kyber_prekeys(const AccountId& account, DeviceId device,
                                   std::span<const KyberPreKey> keys) = 0;

  // keys.upload: stores everything present in `keys` in one transaction
  // (replacing the signed and last-resort keys, adding the one-time keys by
  // the rules above), or nothing. Errors: not_found; bad_request if a key id
  // appears twice in one list (nothing is stored).
  virtual Status upload_keys(const AccountId& account, DeviceId device, const KeyUpload& keys) = 0;

  // How many one-time keys of each kind are left.
  virtual Result<PreKeyCounts> count_prekeys(const AccountId& account, DeviceId device) = 0;

  // Hands out a bundle: the signed prekey, the one-time EC prekey with the
  // lowest id (removed) if any, and the one-time Kyber prekey with the lowest id
  // (removed), else the last-resort Kyber key, else no Kyber key. The removal
  // is atomic: under any number of concurrent callers each one-time key goes to
  // exactly one of them. Errors: not_found (device, or no signed prekey yet).
  virtual Result<PreKeyBundle> take_bundle(const AccountId& account, DeviceId device) = 0;
};

}  // namespace sotto::storage
