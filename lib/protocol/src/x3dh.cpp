// SPDX-License-Identifier: Apache-2.0
#include "x3dh.hpp"

#include <algorithm>

#include "ratchet_kdf.hpp"
#include "sotto/crypto/hash.hpp"

namespace sotto::protocol::detail {
namespace {

constexpr std::string_view kX3dhInfo = "WhisperText";
constexpr std::size_t kDhSize = 32;

// Collects 0xFF×32 || DH1 || DH2 || DH3 [|| DH4] in one wiping buffer.
class MasterSecret {
 public:
  explicit MasterSecret(std::size_t dh_count) : bytes_(kDhSize * (1 + dh_count)) {
    std::fill_n(bytes_.mutable_bytes().begin(), kDhSize, 0xFF);
  }
  Status add(Result<crypto::SecretKey<32>> dh) {
    if (!dh) return tl::unexpected(dh.error());
    auto src = dh->expose();
    std::copy(src.begin(), src.end(), bytes_.mutable_bytes().begin() + static_cast<std::ptrdiff_t>(filled_));
    filled_ += kDhSize;
    return ok();
  }
  // HKDF(salt = none, master, "WhisperText", 64) → root key, chain key.
  RootStep derive() const {
    crypto::SecretKey<64> out;
    crypto::hkdf_sha256({}, bytes_.expose(), as_bytes(kX3dhInfo), out.mutable_bytes());
    RootStep step;
    auto all = out.expose();
    std::copy(all.begin(), all.begin() + 32, step.root_key.mutable_bytes().begin());
    std::copy(all.begin() + 32, all.end(), step.chain.key.mutable_bytes().begin());
    return step;
  }

 private:
  crypto::SecretBytes bytes_;
  std::size_t filled_ = kDhSize;
};

}  // namespace

Result<SessionState> initialize_alice(const AliceParameters& p, crypto::Rng& rng) {
  MasterSecret master(p.their_one_time_prekey ? 4 : 3);
  SOTTO_TRY(master.add(p.our_identity.agree(p.their_signed_prekey)));
  SOTTO_TRY(master.add(p.our_base_key.agree(p.their_identity)));
  SOTTO_TRY(master.add(p.our_base_key.agree(p.their_signed_prekey)));
  if (p.their_one_time_prekey) SOTTO_TRY(master.add(p.our_base_key.agree(*p.their_one_time_prekey)));
  auto x3dh = master.derive();

  SessionState state;
  state.version = 3;
  state.local_identity = p.our_identity.public_key;
  state.remote_identity = p.their_identity;
  state.base_key = p.our_base_key.public_key;
  // Bob's first sending chain is keyed on his signed prekey: receive on it.
  state.add_receiver_chain({p.their_signed_prekey, std::move(x3dh.chain), {}});
  state.sender_ratchet = KeyPair::generate(rng);
  auto step = kdf_root(x3dh.root_key, state.sender_ratchet, p.their_signed_prekey);
  if (!step) return tl::unexpected(step.error());
  state.root_key = std::move(step->root_key);
  state.sender_chain = std::move(step->chain);
  return state;
}

Result<SessionState> initialize_bob(const BobParameters& p) {
  MasterSecret master(p.our_one_time_prekey ? 4 : 3);
  SOTTO_TRY(master.add(p.our_signed_prekey.agree(p.their_identity)));
  SOTTO_TRY(master.add(p.our_identity.agree(p.their_base_key)));
  SOTTO_TRY(master.add(p.our_signed_prekey.agree(p.their_base_key)));
  if (p.our_one_time_prekey) SOTTO_TRY(master.add(p.our_one_time_prekey->agree(p.their_base_key)));
  auto x3dh = master.derive();

  SessionState state;
  state.version = 3;
  state.local_identity = p.our_identity.public_key;
  state.remote_identity = p.their_identity;
  state.base_key = p.their_base_key;
  state.sender_ratchet = p.our_signed_prekey.clone();
  state.sender_chain = std::move(x3dh.chain);
  state.root_key = std::move(x3dh.root_key);
  return state;
}

}  // namespace sotto::protocol::detail
