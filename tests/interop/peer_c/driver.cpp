// SPDX-License-Identifier: Apache-2.0
#include "driver.hpp"

#include <exception>
#include <unordered_map>

#include "ops.hpp"
#include "sotto/core/errc.hpp"

namespace sotto::peer_c {
namespace {

using Op = OpResult (*)(Driver&, const Json&);

const std::unordered_map<std::string, Op>& operations() {
  static const std::unordered_map<std::string, Op> kOps = {
      {"party.new", op_party_new},
      {"prekeys.generate", op_prekeys_generate},
      {"session.from_bundle", op_session_from_bundle},
      {"session.info", op_session_info},
      {"encrypt", op_encrypt},
      {"decrypt", op_decrypt},
      {"identity.get", op_identity_get},
      {"identity.trust", op_identity_trust},
      {"group.distribution", op_group_distribution},
      {"group.process", op_group_process},
      {"group.encrypt", op_group_encrypt},
      {"group.decrypt", op_group_decrypt},
      {"fingerprint", op_fingerprint},
      {"fingerprint.compare", op_fingerprint_compare},
  };
  return kOps;
}

bool is_unsupported(const std::string& op) {
  return op == "cert.server" || op == "cert.sender" || op == "sealed.encrypt" ||
         op == "sealed.decrypt";
}

Json error_response(Errc code, const std::string& message) {
  return Json{{"ok", false},
              {"error", {{"code", std::string(errc_name(code))}, {"message", message}}}};
}

}  // namespace

Driver::Driver() : shared_(Context::create(make_os_random())) {}

Result<Party*> Driver::party(const Json& request) {
  auto name = get_string(request, "party");
  if (!name) return tl::unexpected(name.error());
  auto it = parties_.find(*name);
  if (it == parties_.end()) return fail(Errc::bad_request, "unknown party '" + *name + "'");
  return it->second.get();
}

void Driver::set_party(const std::string& name, std::unique_ptr<Party> party) {
  parties_[name] = std::move(party);
}

Result<Json> Driver::dispatch(const std::string& op, const Json& request) {
  if (is_unsupported(op)) {
    return fail(Errc::bad_request,
                "'" + op + "' is not available in libsignal-protocol-c (no sealed sender)");
  }
  const auto& ops = operations();
  auto it = ops.find(op);
  if (it == ops.end()) return fail(Errc::bad_request, "unknown op '" + op + "'");
  return it->second(*this, request);
}

Json Driver::handle_line(std::string_view line) {
  const Json request = Json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (request.is_discarded()) return error_response(Errc::bad_request, "malformed JSON");
  if (!request.is_object()) return error_response(Errc::bad_request, "a request is a JSON object");

  Json response;
  if (!shared_) {
    response = error_response(Errc::internal, "cannot create a libsignal-protocol-c context");
  } else {
    auto op = get_string(request, "op");
    Result<Json> result;
    if (!op) {
      result = tl::unexpected(op.error());
    } else {
      // Exceptions would only come from a bug here (or allocation failure);
      // the driver answers `internal` and keeps going.
      try {
        result = dispatch(*op, request);
      } catch (const std::exception& e) {
        result = fail(Errc::internal, std::string("exception: ") + e.what());
      }
    }
    if (result) {
      response = Json{{"ok", true}};
      if (result->is_object()) response.update(*result);
    } else {
      response = error_response(result.error().code, result.error().message);
    }
  }
  if (auto id = request.find("id"); id != request.end()) response["id"] = *id;
  return response;
}

}  // namespace sotto::peer_c
