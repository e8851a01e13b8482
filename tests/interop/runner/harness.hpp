// SPDX-License-Identifier: Apache-2.0
// What every scenario uses: the two drivers, named parties living in them,
// typed wrappers over the contract's operations, and the first-mismatch
// report. A check that fails returns an Error whose message says, in words,
// which step failed, which request was sent to which driver and what came
// back; scenarios just propagate it (SOTTO_TRY / INTEROP_ASSIGN).
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "driver_process.hpp"
#include "sotto/core/bytes.hpp"
#include "sotto/core/result.hpp"

// `INTEROP_ASSIGN(auto x, expr);` — binds the value of a Result or returns its error.
#define INTEROP_CONCAT_INNER(a, b) a##b
#define INTEROP_CONCAT(a, b) INTEROP_CONCAT_INNER(a, b)
#define INTEROP_ASSIGN(lhs, expr) \
  INTEROP_ASSIGN_IMPL(INTEROP_CONCAT(interop_r_, __LINE__), lhs, expr)
#define INTEROP_ASSIGN_IMPL(tmp, lhs, expr)                \
  auto tmp = (expr);                                       \
  if (!tmp) return tl::unexpected(std::move(tmp.error())); \
  lhs = std::move(*tmp)

namespace sotto::interop {

using nlohmann::json;

// What differs between protocol versions, so scenarios are written once.
struct VersionProfile {
  int version = 3;
  // Largest accepted counter jump into a fresh receiving chain (messages
  // skipped): 2000 for v3 (libsignal-protocol-c's MAX_MESSAGE_KEYS), 25 000 for v4.
  std::uint32_t max_jump = 2000;
  // How many skipped message keys a receiver keeps; older ones are dropped.
  std::uint32_t kept_skipped_keys = 2000;
  bool kyber = false;             // bundles carry a Kyber prekey (PQXDH)
  bool service_id_names = false;  // address names are UUIDs (v4 service ids)
};

// Nullptr for a version the runner does not know.
const VersionProfile* profile_for(int version);

// A party as the runner sees it. `key` is the driver-local party name; the
// address is what other parties call it.
struct Party {
  DriverProcess* driver = nullptr;
  std::string key;
  json address;
  std::uint32_t registration_id = 0;
  std::string identity_key;  // b64, 33 bytes with the 0x05 prefix
  int generation = 0;        // bumped by each re-installation
};

// One message in flight between two parties.
struct Envelope {
  std::string from;  // party key of the sender
  json from_address;
  std::string to;  // party key of the receiver
  std::string type;
  std::string ciphertext;  // b64
  Bytes plaintext;
  std::size_t seq = 0;  // scenario-local number, for messages in words
};

class Harness {
 public:
  Harness(std::string scenario, const VersionProfile& profile, std::uint64_t seed, DriverProcess& a,
          DriverProcess& b);

  const VersionProfile& profile() const { return profile_; }
  DriverProcess& a() { return a_; }
  DriverProcess& b() { return b_; }
  std::mt19937_64& rng() { return rng_; }
  std::size_t calls() const { return calls_; }

  // Names the step that the next failure will be reported under.
  void step(std::string description) { step_ = std::move(description); }

  // --- generic requests -------------------------------------------------
  // Sends one request; fails only on transport problems or a malformed
  // response (no `ok`, no echoed `id`, an error without a code).
  [[nodiscard]] Result<json> send(DriverProcess& d, json request);
  // Expects `{"ok": true}` and returns the response.
  [[nodiscard]] Result<json> expect_ok(DriverProcess& d, json request);
  // Expects `{"ok": false}` with one of `codes` (any code if empty) and
  // returns the code.
  [[nodiscard]] Result<std::string> expect_error(DriverProcess& d, json request,
                                                 const std::vector<std::string_view>& codes);
  // The failure for a check on a request/response pair, in words.
  [[nodiscard]] tl::unexpected<Error> mismatch(const DriverProcess& d, std::string_view what,
                                               const json& request, const json& response) const;
  // A failure that is not tied to one request.
  [[nodiscard]] tl::unexpected<Error> mismatch(std::string_view what) const;

  // --- parties ----------------------------------------------------------
  // Creates (or, for an existing `party`, replaces) a party with a seed derived
  // from the run seed, the name and the generation.
  [[nodiscard]] Result<Party> new_party(DriverProcess& d, const std::string& name,
                                        int generation = 0);
  [[nodiscard]] Status reinstall(Party& p);

  // prekeys.generate; checks the bundle describes `p`.
  [[nodiscard]] Result<json> bundle(const Party& p, std::uint32_t signed_prekey_id,
                                    std::optional<std::uint32_t> one_time_prekey_id);
  [[nodiscard]] json from_bundle_request(const Party& p, const Party& peer,
                                         const json& bundle) const;
  [[nodiscard]] Status from_bundle(const Party& p, const Party& peer, const json& bundle);

  // Encrypts and numbers the envelope (Envelope::seq, from 0) in order of sending.
  [[nodiscard]] Result<Envelope> encrypt(const Party& from, const Party& to,
                                         const Bytes& plaintext);
  // Checks the type the sender's driver chose for an envelope.
  [[nodiscard]] Status expect_type(const Envelope& e, std::string_view type) const;
  [[nodiscard]] json decrypt_request(const Envelope& e, std::string_view ciphertext) const;
  // Decrypts at the receiver and checks the plaintext.
  [[nodiscard]] Status deliver(const Party& to, const Envelope& e);
  // Expects the receiver to reject `ciphertext` (the envelope's, if empty).
  [[nodiscard]] Result<std::string> reject(const Party& to, const Envelope& e,
                                           const std::vector<std::string_view>& codes,
                                           std::string_view ciphertext = {});

  // identity.get: the identity `p` stores for `peer`, or nullopt.
  [[nodiscard]] Result<std::optional<std::string>> stored_identity(const Party& p,
                                                                   const Party& peer);
  [[nodiscard]] Status expect_stored_identity(const Party& p, const Party& peer,
                                              std::optional<std::string> expected);
  [[nodiscard]] Result<bool> session_exists(const Party& p, const Party& peer);

  // --- data -------------------------------------------------------------
  Bytes random_bytes(std::size_t n);
  // A plaintext of random length in [0, max_len] never returned before in
  // this run, so a decrypt that yields another message's text is caught.
  Bytes unique_plaintext(std::size_t max_len);
  std::uint32_t uniform(std::uint32_t lo, std::uint32_t hi);  // inclusive
  std::string uuid(std::string_view purpose) const;           // deterministic, canonical form

 private:
  std::string scenario_;
  const VersionProfile& profile_;
  std::uint64_t seed_;
  DriverProcess& a_;
  DriverProcess& b_;
  std::mt19937_64 rng_;
  std::string step_ = "start";
  std::size_t calls_ = 0;
  std::uint64_t next_id_ = 1;
  std::size_t messages_ = 0;
  std::unordered_set<std::string> used_plaintexts_;
};

// Shuffles 0..n-1 so that no element moves more than `window - 1` places
// ahead of or behind where it was: a reordering network with bounded delay.
std::vector<std::size_t> reorder_within(std::size_t n, std::size_t window, std::mt19937_64& rng);

}  // namespace sotto::interop
