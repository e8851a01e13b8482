// SPDX-License-Identifier: Apache-2.0
#include "harness.hpp"

#include <algorithm>
#include <array>
#include <cstdio>

#include "sotto/core/encoding.hpp"

namespace sotto::interop {
namespace {

constexpr std::size_t kMaxDumpChars = 1500;
constexpr std::uint32_t kDeviceId = 1;

// The contract's error vocabulary; any other code is itself a mismatch.
constexpr std::array<std::string_view, 15> kContractCodes = {"bad_request",
                                                             "invalid_message",
                                                             "invalid_mac",
                                                             "invalid_signature",
                                                             "duplicate_message",
                                                             "too_far_in_future",
                                                             "untrusted_identity",
                                                             "no_session",
                                                             "invalid_prekey_id",
                                                             "invalid_kyber_prekey_id",
                                                             "legacy_version",
                                                             "unknown_version",
                                                             "invalid_certificate",
                                                             "expired_certificate",
                                                             "internal"};

constexpr VersionProfile kV3{3, 2000, 2000, false, false};
constexpr VersionProfile kV4{4, 25000, 2000, true, true};

std::uint64_t splitmix64(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

std::uint64_t fnv1a(std::string_view s) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : s) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  return h;
}

// Deterministic bytes for `purpose` under the run seed: party seeds, UUIDs.
Bytes derived_bytes(std::uint64_t seed, std::string_view purpose, std::size_t n) {
  std::uint64_t state = seed ^ fnv1a(purpose);
  Bytes out;
  out.reserve(n);
  while (out.size() < n) {
    std::uint64_t v = splitmix64(state);
    for (int i = 0; i < 8 && out.size() < n; ++i)
      out.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
  }
  return out;
}

std::string dump(const json& j) {
  std::string s = j.dump();
  if (s.size() > kMaxDumpChars)
    s = s.substr(0, kMaxDumpChars) + "... (" + std::to_string(s.size()) + " chars)";
  return s;
}

std::string codes_text(const std::vector<std::string_view>& codes) {
  if (codes.empty()) return "any error";
  std::string s;
  for (auto c : codes) s += (s.empty() ? "" : " or ") + std::string(c);
  return s;
}

// b64 field of `j` decoded, or nullopt if missing / not a string / not base64.
std::optional<Bytes> b64_field(const json& j, const char* name) {
  auto it = j.find(name);
  if (it == j.end() || !it->is_string()) return std::nullopt;
  auto bytes = base64_decode(it->get<std::string>());
  if (!bytes) return std::nullopt;
  return *bytes;
}

}  // namespace

const VersionProfile* profile_for(int version) {
  if (version == 3) return &kV3;
  if (version == 4) return &kV4;
  return nullptr;
}

Harness::Harness(std::string scenario, const VersionProfile& profile, std::uint64_t seed,
                 DriverProcess& a, DriverProcess& b)
    : scenario_(std::move(scenario)),
      profile_(profile),
      seed_(seed),
      a_(a),
      b_(b),
      rng_(seed ^ fnv1a(scenario_)) {}

tl::unexpected<Error> Harness::mismatch(const DriverProcess& d, std::string_view what,
                                        const json& request, const json& response) const {
  std::string m = "scenario " + scenario_ + ", step \"" + step_ + "\": " + std::string(what) +
                  "\n    request to driver " + d.label() + ": " + dump(request) +
                  "\n    response: " + dump(response);
  return fail(Errc::internal, std::move(m));
}

tl::unexpected<Error> Harness::mismatch(std::string_view what) const {
  return fail(Errc::internal,
              "scenario " + scenario_ + ", step \"" + step_ + "\": " + std::string(what));
}

Result<json> Harness::send(DriverProcess& d, json request) {
  const std::uint64_t id = next_id_++;
  request["id"] = id;
  ++calls_;
  auto response = d.call(request);
  if (!response) {
    return mismatch(d, "driver failed: " + response.error().message, request, json());
  }
  const json& r = *response;
  auto ok_it = r.find("ok");
  if (ok_it == r.end() || !ok_it->is_boolean()) {
    return mismatch(d, "response has no boolean \"ok\"", request, r);
  }
  auto id_it = r.find("id");
  if (id_it == r.end() || *id_it != id) {
    return mismatch(d, "response does not echo the request id " + std::to_string(id), request, r);
  }
  if (!ok_it->get<bool>()) {
    auto err = r.find("error");
    if (err == r.end() || !err->is_object() || !err->contains("code") ||
        !(*err)["code"].is_string()) {
      return mismatch(d, "error response without error.code", request, r);
    }
    auto code = (*err)["code"].get<std::string>();
    if (std::find(kContractCodes.begin(), kContractCodes.end(), code) == kContractCodes.end()) {
      return mismatch(d, "error code \"" + code + "\" is not in the contract's list", request, r);
    }
  }
  return std::move(*response);
}

Result<json> Harness::expect_ok(DriverProcess& d, json request) {
  INTEROP_ASSIGN(json r, send(d, request));
  if (!r["ok"].get<bool>()) {
    const json& e = r["error"];
    return mismatch(d,
                    "expected success, got error " + e["code"].get<std::string>() +
                        (e.contains("message") && e["message"].is_string()
                             ? " (" + e["message"].get<std::string>() + ")"
                             : ""),
                    request, r);
  }
  return r;
}

Result<std::string> Harness::expect_error(DriverProcess& d, json request,
                                          const std::vector<std::string_view>& codes) {
  INTEROP_ASSIGN(json r, send(d, request));
  if (r["ok"].get<bool>()) {
    return mismatch(d, "expected " + codes_text(codes) + ", got success", request, r);
  }
  auto code = r["error"]["code"].get<std::string>();
  if (!codes.empty() && std::find(codes.begin(), codes.end(), code) == codes.end()) {
    return mismatch(d, "expected " + codes_text(codes) + ", got " + code, request, r);
  }
  return code;
}

Result<Party> Harness::new_party(DriverProcess& d, const std::string& name, int generation) {
  const std::string purpose = name + "#" + std::to_string(generation);
  Party p;
  p.driver = &d;
  p.key = name;
  p.generation = generation;
  // Registration ids fit in 14 bits (Sealed Sender v2 packs them so).
  Bytes rid = derived_bytes(seed_, "registration " + purpose, 2);
  p.registration_id = 1 + ((static_cast<std::uint32_t>(rid[0]) << 8 | rid[1]) % 0x3ffe);
  std::string address_name = profile_.service_id_names ? uuid("address " + name) : name;
  p.address = json{{"name", address_name}, {"device", kDeviceId}};
  json req = {{"op", "party.new"},
              {"party", name},
              {"address", p.address},
              {"registration_id", p.registration_id},
              {"version", profile_.version},
              {"seed", base64_encode(derived_bytes(seed_, "seed " + purpose, 32))}};
  INTEROP_ASSIGN(json r, expect_ok(d, req));
  auto key = b64_field(r, "identity_key");
  if (!key || key->size() != 33 || (*key)[0] != 0x05) {
    return mismatch(d, "identity_key is not 33 bytes of base64 starting with 0x05", req, r);
  }
  p.identity_key = r["identity_key"].get<std::string>();
  return p;
}

Status Harness::reinstall(Party& p) {
  INTEROP_ASSIGN(Party fresh, new_party(*p.driver, p.key, p.generation + 1));
  if (fresh.identity_key == p.identity_key) {
    return mismatch("re-installed party " + p.key + " kept its identity key despite a new seed");
  }
  p = std::move(fresh);
  return ok();
}

Result<json> Harness::bundle(const Party& p, std::uint32_t signed_prekey_id,
                             std::optional<std::uint32_t> one_time_prekey_id) {
  json req = {{"op", "prekeys.generate"}, {"party", p.key}, {"signed_prekey_id", signed_prekey_id}};
  if (one_time_prekey_id) req["one_time_prekey_id"] = *one_time_prekey_id;
  if (profile_.kyber) req["kyber_prekey_id"] = signed_prekey_id;
  INTEROP_ASSIGN(json r, expect_ok(*p.driver, req));
  auto it = r.find("bundle");
  if (it == r.end() || !it->is_object()) return mismatch(*p.driver, "no bundle object", req, r);
  const json& b = *it;
  auto field_is = [&](const char* name, const json& want) {
    auto f = b.find(name);
    return f != b.end() && *f == want;
  };
  if (!field_is("identity_key", p.identity_key)) {
    return mismatch(*p.driver, "bundle.identity_key differs from the party's identity key", req, r);
  }
  if (!field_is("registration_id", p.registration_id) || !field_is("device_id", kDeviceId) ||
      !field_is("signed_prekey_id", signed_prekey_id)) {
    return mismatch(*p.driver,
                    "bundle registration_id/device_id/signed_prekey_id differ from the request",
                    req, r);
  }
  auto spk = b64_field(b, "signed_prekey");
  auto sig = b64_field(b, "signed_prekey_signature");
  if (!spk || spk->size() != 33 || !sig || sig->size() != 64) {
    return mismatch(*p.driver, "signed_prekey must be 33 bytes and its signature 64 (base64)", req,
                    r);
  }
  if (one_time_prekey_id) {
    auto pk = b64_field(b, "prekey");
    if (!field_is("prekey_id", *one_time_prekey_id) || !pk || pk->size() != 33) {
      return mismatch(*p.driver, "bundle lacks the requested one-time prekey (id, 33-byte key)",
                      req, r);
    }
  } else if (b.contains("prekey_id") || b.contains("prekey")) {
    return mismatch(*p.driver, "bundle has a one-time prekey that was not requested", req, r);
  }
  if (profile_.kyber &&
      (!b.contains("kyber_prekey") || !field_is("kyber_prekey_id", signed_prekey_id))) {
    return mismatch(*p.driver, "bundle lacks the requested Kyber prekey", req, r);
  }
  return b;
}

json Harness::from_bundle_request(const Party& p, const Party& peer, const json& bundle) const {
  return json{
      {"op", "session.from_bundle"}, {"party", p.key}, {"peer", peer.address}, {"bundle", bundle}};
}

Status Harness::from_bundle(const Party& p, const Party& peer, const json& bundle) {
  SOTTO_TRY(expect_ok(*p.driver, from_bundle_request(p, peer, bundle)));
  return ok();
}

Result<Envelope> Harness::encrypt(const Party& from, const Party& to, const Bytes& plaintext) {
  json req = {{"op", "encrypt"},
              {"party", from.key},
              {"peer", to.address},
              {"plaintext", base64_encode(plaintext)}};
  INTEROP_ASSIGN(json r, expect_ok(*from.driver, req));
  auto type = r.find("type");
  if (type == r.end() || !(*type == "prekey" || *type == "whisper")) {
    return mismatch(*from.driver, "type must be \"prekey\" or \"whisper\"", req, r);
  }
  auto ct = b64_field(r, "ciphertext");
  if (!ct || ct->empty())
    return mismatch(*from.driver, "ciphertext is not non-empty base64", req, r);
  Envelope e;
  e.from = from.key;
  e.from_address = from.address;
  e.to = to.key;
  e.type = type->get<std::string>();
  e.ciphertext = r["ciphertext"].get<std::string>();
  e.plaintext = plaintext;
  e.seq = messages_++;
  return e;
}

Status Harness::expect_type(const Envelope& e, std::string_view type) const {
  if (e.type != type) {
    return mismatch("message " + std::to_string(e.seq) + " from " + e.from + " to " + e.to +
                    " has type " + e.type + ", expected " + std::string(type));
  }
  return ok();
}

json Harness::decrypt_request(const Envelope& e, std::string_view ciphertext) const {
  return json{{"op", "decrypt"},
              {"party", e.to},
              {"peer", e.from_address},
              {"type", e.type},
              {"ciphertext", ciphertext.empty() ? e.ciphertext : std::string(ciphertext)}};
}

Status Harness::deliver(const Party& to, const Envelope& e) {
  json req = decrypt_request(e, {});
  INTEROP_ASSIGN(json r, expect_ok(*to.driver, req));
  auto pt = b64_field(r, "plaintext");
  if (!pt) return mismatch(*to.driver, "plaintext is not base64", req, r);
  if (*pt != e.plaintext) {
    return mismatch(*to.driver,
                    "message " + std::to_string(e.seq) + " from " + e.from + " decrypted to " +
                        std::to_string(pt->size()) + " bytes that are not its plaintext (" +
                        std::to_string(e.plaintext.size()) + " bytes)",
                    req, r);
  }
  return ok();
}

Result<std::string> Harness::reject(const Party& to, const Envelope& e,
                                    const std::vector<std::string_view>& codes,
                                    std::string_view ciphertext) {
  return expect_error(*to.driver, decrypt_request(e, ciphertext), codes);
}

Result<std::optional<std::string>> Harness::stored_identity(const Party& p, const Party& peer) {
  json req = {{"op", "identity.get"}, {"party", p.key}, {"peer", peer.address}};
  INTEROP_ASSIGN(json r, expect_ok(*p.driver, req));
  auto it = r.find("identity_key");
  if (it == r.end()) return mismatch(*p.driver, "no identity_key field (null or base64)", req, r);
  if (it->is_null()) return std::optional<std::string>();
  if (!it->is_string())
    return mismatch(*p.driver, "identity_key is neither null nor a string", req, r);
  return std::optional<std::string>(it->get<std::string>());
}

Status Harness::expect_stored_identity(const Party& p, const Party& peer,
                                       std::optional<std::string> expected) {
  INTEROP_ASSIGN(auto got, stored_identity(p, peer));
  if (got != expected) {
    auto text = [](const std::optional<std::string>& k) { return k ? *k : std::string("null"); };
    return mismatch(p.key + " stores identity " + text(got) + " for " + peer.key + ", expected " +
                    text(expected));
  }
  return ok();
}

Result<bool> Harness::session_exists(const Party& p, const Party& peer) {
  json req = {{"op", "session.info"}, {"party", p.key}, {"peer", peer.address}};
  INTEROP_ASSIGN(json r, expect_ok(*p.driver, req));
  auto it = r.find("exists");
  if (it == r.end() || !it->is_boolean()) return mismatch(*p.driver, "no boolean exists", req, r);
  if (it->get<bool>() && r.value("version", 0) != profile_.version) {
    return mismatch(*p.driver, "session version is not " + std::to_string(profile_.version), req,
                    r);
  }
  return it->get<bool>();
}

Bytes Harness::random_bytes(std::size_t n) {
  Bytes out(n);
  for (auto& b : out) b = static_cast<std::uint8_t>(rng_());
  return out;
}

Bytes Harness::unique_plaintext(std::size_t max_len) {
  for (;;) {
    Bytes p = random_bytes(uniform(0, static_cast<std::uint32_t>(max_len)));
    if (used_plaintexts_.insert(std::string(as_string(p))).second) return p;
  }
}

std::uint32_t Harness::uniform(std::uint32_t lo, std::uint32_t hi) {
  return std::uniform_int_distribution<std::uint32_t>(lo, hi)(rng_);
}

std::string Harness::uuid(std::string_view purpose) const {
  Bytes u = derived_bytes(seed_, "uuid " + std::string(purpose), 16);
  u[6] = static_cast<std::uint8_t>((u[6] & 0x0f) | 0x40);  // version 4
  u[8] = static_cast<std::uint8_t>((u[8] & 0x3f) | 0x80);  // RFC 4122 variant
  std::string hex = hex_encode(u);
  return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" +
         hex.substr(16, 4) + "-" + hex.substr(20);
}

std::vector<std::size_t> reorder_within(std::size_t n, std::size_t window, std::mt19937_64& rng) {
  // Each item gets a delivery time in [i, i + window); sorting by it moves no
  // item more than window - 1 places.
  std::uniform_real_distribution<double> delay(0.0, static_cast<double>(window));
  std::vector<std::pair<double, std::size_t>> keyed(n);
  for (std::size_t i = 0; i < n; ++i) keyed[i] = {static_cast<double>(i) + delay(rng), i};
  std::sort(keyed.begin(), keyed.end());
  std::vector<std::size_t> order(n);
  for (std::size_t i = 0; i < n; ++i) order[i] = keyed[i].second;
  return order;
}

}  // namespace sotto::interop
