// SPDX-License-Identifier: Apache-2.0
// Safety numbers: both sides compute the fingerprint of their conversation
// (version 1, 5200 iterations, stable ids = address names). The 60-digit
// displayable forms must be equal and each side's compare must accept the
// other's scannable form; a fingerprint over a different key must not match.
#include <algorithm>

#include "conversation.hpp"
#include "scenarios.hpp"
#include "sotto/core/encoding.hpp"

namespace sotto::interop {
namespace {

constexpr int kIterations = 5200;
constexpr int kFingerprintVersion = 1;

struct Fingerprint {
  std::string displayable;
  std::string scannable;
};

std::string id_of(const Party& p) {
  return base64_encode(as_bytes(p.address["name"].get<std::string>()));
}

Result<Fingerprint> fingerprint(Harness& h, const Party& local, const Party& remote,
                                const std::string& remote_identity_key) {
  json req = {{"op", "fingerprint"},
              {"party", local.key},
              {"local_id", id_of(local)},
              {"remote_id", id_of(remote)},
              {"remote_identity_key", remote_identity_key},
              {"iterations", kIterations},
              {"version", kFingerprintVersion}};
  INTEROP_ASSIGN(json r, h.expect_ok(*local.driver, req));
  Fingerprint f{r.value("displayable", std::string()), r.value("scannable", std::string())};
  bool digits =
      f.displayable.size() == 60 && std::all_of(f.displayable.begin(), f.displayable.end(),
                                                [](char c) { return c >= '0' && c <= '9'; });
  if (!digits) return h.mismatch(*local.driver, "displayable is not 60 digits", req, r);
  if (f.scannable.empty() || !base64_decode(f.scannable)) {
    return h.mismatch(*local.driver, "scannable is not non-empty base64", req, r);
  }
  return f;
}

Status expect_match(Harness& h, DriverProcess& d, const std::string& scannable,
                    const std::string& other, bool want) {
  json req = {{"op", "fingerprint.compare"}, {"scannable", scannable}, {"other", other}};
  INTEROP_ASSIGN(json r, h.expect_ok(d, req));
  auto it = r.find("match");
  if (it == r.end() || !it->is_boolean() || it->get<bool>() != want) {
    return h.mismatch(d, std::string("expected match ") + (want ? "true" : "false"), req, r);
  }
  return ok();
}

}  // namespace

Status run_safety_number(Harness& h) {
  h.step("create parties");
  INTEROP_ASSIGN(Party alice, h.new_party(h.a(), "alice"));
  INTEROP_ASSIGN(Party bob, h.new_party(h.b(), "bob"));
  INTEROP_ASSIGN(Party carol, h.new_party(h.b(), "carol"));

  h.step("alice computes the safety number with bob");
  INTEROP_ASSIGN(Fingerprint fa, fingerprint(h, alice, bob, bob.identity_key));
  h.step("bob computes the safety number with alice");
  INTEROP_ASSIGN(Fingerprint fb, fingerprint(h, bob, alice, alice.identity_key));
  h.step("displayable safety numbers are equal");
  if (fa.displayable != fb.displayable) {
    return h.mismatch("alice sees " + fa.displayable + ", bob sees " + fb.displayable);
  }
  h.step("alice's driver matches bob's scannable form");
  SOTTO_TRY(expect_match(h, h.a(), fa.scannable, fb.scannable, true));
  h.step("bob's driver matches alice's scannable form");
  SOTTO_TRY(expect_match(h, h.b(), fb.scannable, fa.scannable, true));

  h.step("alice computes a safety number over the wrong key for bob");
  INTEROP_ASSIGN(Fingerprint wrong, fingerprint(h, alice, bob, carol.identity_key));
  if (wrong.displayable == fb.displayable) {
    return h.mismatch("the safety number did not change with bob's identity key");
  }
  h.step("alice's driver refuses bob's scannable form against the wrong key");
  SOTTO_TRY(expect_match(h, h.a(), wrong.scannable, fb.scannable, false));
  h.step("bob's driver refuses the scannable form over the wrong key");
  SOTTO_TRY(expect_match(h, h.b(), fb.scannable, wrong.scannable, false));
  return ok();
}

}  // namespace sotto::interop
