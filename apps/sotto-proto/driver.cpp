// SPDX-License-Identifier: Apache-2.0
#include "driver.hpp"

#include "sotto/core/encoding.hpp"
#include "sotto/protocol/fingerprint.hpp"
#include "sotto/protocol/group_cipher.hpp"
#include "sotto/protocol/session_builder.hpp"
#include "sotto/protocol/session_cipher.hpp"

namespace sotto::proto_driver {
namespace {

constexpr std::uint32_t kSupportedVersion = 3;

// Unwraps a Result into `var` or returns its error from the enclosing function.
#define DRIVER_TRY_ASSIGN(var, expr)                              \
  auto var##_result_ = (expr);                                    \
  if (!var##_result_) return tl::unexpected(var##_result_.error()); \
  auto& var = *var##_result_

Json ok_reply() { return Json{{"ok", true}}; }

std::string b64(ByteView bytes) { return base64_encode(bytes); }

}  // namespace

std::string_view contract_error_code(Errc code) {
  switch (code) {
    case Errc::invalid_key:
    case Errc::zero_shared_secret:
    case Errc::bad_padding:
      return errc_name(Errc::invalid_message);
    case Errc::invalid_encoding:
      return errc_name(Errc::bad_request);
    case Errc::limit_exceeded:
    case Errc::not_found:
    case Errc::already_exists:
    case Errc::queue_full:
    case Errc::network_error:
    case Errc::tls_pin_mismatch:
      // Storage and network codes: the protocol never produces them.
      return errc_name(Errc::internal);
    default:
      return errc_name(code);
  }
}

Json Driver::handle(const Json& request) {
  Json response;
  try {
    Reply reply;
    if (!request.is_object()) {
      reply = fail(Errc::bad_request, "request is not a JSON object");
    } else {
      auto op = get_string(request, "op");
      reply = op ? dispatch(*op, request) : Reply(tl::unexpected(op.error()));
    }
    if (reply) {
      response = std::move(*reply);
    } else {
      response = Json{{"ok", false},
                      {"error",
                       {{"code", contract_error_code(reply.error().code)},
                        {"message", reply.error().message}}}};
    }
  } catch (const std::exception& e) {
    // A bug, not an input error: report it and keep serving.
    response = Json{{"ok", false}, {"error", {{"code", "internal"}, {"message", e.what()}}}};
  }
  if (request.is_object() && request.contains("id")) response["id"] = request["id"];
  return response;
}

Driver::Reply Driver::dispatch(const std::string& op, const Json& request) {
  if (op == "party.new") return party_new(request);
  if (op == "prekeys.generate") return prekeys_generate(request);
  if (op == "session.from_bundle") return session_from_bundle(request);
  if (op == "session.info") return session_info(request);
  if (op == "encrypt") return encrypt(request);
  if (op == "decrypt") return decrypt(request);
  if (op == "identity.get") return identity_get(request);
  if (op == "identity.trust") return identity_trust(request);
  if (op == "group.distribution") return group_distribution(request);
  if (op == "group.process") return group_process(request);
  if (op == "group.encrypt") return group_encrypt(request);
  if (op == "group.decrypt") return group_decrypt(request);
  if (op == "fingerprint") return fingerprint(request);
  if (op == "fingerprint.compare") return fingerprint_compare(request);
  if (op.starts_with("cert.") || op.starts_with("sealed.")) {
    return fail(Errc::bad_request, "sealed sender belongs to protocol version 4, not yet in this driver");
  }
  return fail(Errc::bad_request, "unknown op '" + op + "'");
}

Result<Party*> Driver::party(const Json& request) {
  DRIVER_TRY_ASSIGN(name, get_string(request, "party"));
  auto it = parties_.find(name);
  if (it == parties_.end()) return fail(Errc::bad_request, "no party named '" + name + "'");
  return it->second.get();
}

Driver::Reply Driver::party_new(const Json& request) {
  DRIVER_TRY_ASSIGN(name, get_string(request, "party"));
  DRIVER_TRY_ASSIGN(address, get_address(request, "address"));
  DRIVER_TRY_ASSIGN(registration_id, get_u32(request, "registration_id"));
  DRIVER_TRY_ASSIGN(version, get_u32(request, "version"));
  if (version != kSupportedVersion) {
    return fail(Errc::bad_request, "this driver implements protocol version 3 only");
  }
  std::unique_ptr<crypto::Rng> rng;
  if (request.contains("seed") && !request["seed"].is_null()) {
    DRIVER_TRY_ASSIGN(seed, get_b64(request, "seed", 32));
    rng = std::make_unique<crypto::DeterministicRng>(std::span<const std::uint8_t, 32>(seed.data(), 32));
  } else {
    rng = std::make_unique<crypto::OsRng>();
  }
  // An existing name is replaced: this models a re-installation.
  auto party = std::make_unique<Party>(address, registration_id, version, std::move(rng));
  auto identity = party->identity.identity_key_pair().public_key.serialize();
  parties_[name] = std::move(party);
  auto reply = ok_reply();
  reply["identity_key"] = b64(identity);
  return reply;
}

Driver::Reply Driver::prekeys_generate(const Json& request) {
  DRIVER_TRY_ASSIGN(p, party(request));
  DRIVER_TRY_ASSIGN(signed_id, get_u32(request, "signed_prekey_id"));
  const auto& identity = p->identity.identity_key_pair();
  auto signed_prekey = protocol::generate_signed_prekey(signed_id, identity, 0, *p->rng);

  Json bundle{{"registration_id", p->identity.local_registration_id()},
              {"device_id", p->address.device_id},
              {"identity_key", b64(identity.public_key.serialize())},
              {"signed_prekey_id", signed_id},
              {"signed_prekey", b64(signed_prekey.key_pair.public_key.serialize())},
              {"signed_prekey_signature", b64(signed_prekey.signature)}};
  SOTTO_TRY(p->signed_prekeys.store_signed_prekey(std::move(signed_prekey)));
  if (request.contains("one_time_prekey_id") && !request["one_time_prekey_id"].is_null()) {
    DRIVER_TRY_ASSIGN(one_time_id, get_u32(request, "one_time_prekey_id"));
    auto prekey = protocol::generate_prekey(one_time_id, *p->rng);
    bundle["prekey_id"] = one_time_id;
    bundle["prekey"] = b64(prekey.key_pair.public_key.serialize());
    SOTTO_TRY(p->prekeys.store_prekey(std::move(prekey)));
  }
  if (request.contains("kyber_prekey_id") && !request["kyber_prekey_id"].is_null()) {
    return fail(Errc::bad_request, "Kyber prekeys belong to protocol version 4");
  }
  auto reply = ok_reply();
  reply["bundle"] = std::move(bundle);
  return reply;
}

Driver::Reply Driver::session_from_bundle(const Json& request) {
  DRIVER_TRY_ASSIGN(p, party(request));
  DRIVER_TRY_ASSIGN(peer, get_address(request, "peer"));
  auto it = request.find("bundle");
  if (it == request.end() || !it->is_object()) return fail(Errc::bad_request, "'bundle' must be an object");
  const Json& b = *it;
  protocol::PreKeyBundle bundle;
  DRIVER_TRY_ASSIGN(registration_id, get_u32(b, "registration_id"));
  DRIVER_TRY_ASSIGN(device_id, get_u32(b, "device_id"));
  DRIVER_TRY_ASSIGN(identity_key, get_public_key(b, "identity_key"));
  DRIVER_TRY_ASSIGN(signed_id, get_u32(b, "signed_prekey_id"));
  DRIVER_TRY_ASSIGN(signed_key, get_public_key(b, "signed_prekey"));
  DRIVER_TRY_ASSIGN(signature, get_b64(b, "signed_prekey_signature"));
  bundle.registration_id = registration_id;
  bundle.device_id = device_id;
  bundle.identity_key = identity_key;
  bundle.signed_prekey_id = signed_id;
  bundle.signed_prekey = signed_key;
  bundle.signed_prekey_signature = std::move(signature);
  if (b.contains("prekey_id") && !b["prekey_id"].is_null()) {
    DRIVER_TRY_ASSIGN(prekey_id, get_u32(b, "prekey_id"));
    DRIVER_TRY_ASSIGN(prekey, get_public_key(b, "prekey"));
    bundle.prekey_id = prekey_id;
    bundle.prekey = prekey;
  }
  if (b.contains("kyber_prekey") && !b["kyber_prekey"].is_null()) {
    return fail(Errc::bad_request, "Kyber prekeys belong to protocol version 4");
  }
  auto stores = p->stores();
  SOTTO_TRY(protocol::process_prekey_bundle(peer, bundle, stores, *p->rng));
  return ok_reply();
}

Driver::Reply Driver::session_info(const Json& request) {
  DRIVER_TRY_ASSIGN(p, party(request));
  DRIVER_TRY_ASSIGN(peer, get_address(request, "peer"));
  DRIVER_TRY_ASSIGN(record, p->sessions.load_session(peer));
  auto reply = ok_reply();
  bool exists = record && record->has_current_state();
  reply["exists"] = exists;
  reply["version"] = exists ? Json(record->current()->version) : Json(nullptr);
  return reply;
}

Driver::Reply Driver::encrypt(const Json& request) {
  DRIVER_TRY_ASSIGN(p, party(request));
  DRIVER_TRY_ASSIGN(peer, get_address(request, "peer"));
  DRIVER_TRY_ASSIGN(plaintext, get_b64(request, "plaintext"));
  auto stores = p->stores();
  DRIVER_TRY_ASSIGN(message, protocol::encrypt(peer, plaintext, stores, *p->rng));
  auto reply = ok_reply();
  reply["type"] = message.type == protocol::MessageType::prekey ? "prekey" : "whisper";
  reply["ciphertext"] = b64(message.serialized);
  return reply;
}

Driver::Reply Driver::decrypt(const Json& request) {
  DRIVER_TRY_ASSIGN(p, party(request));
  DRIVER_TRY_ASSIGN(peer, get_address(request, "peer"));
  DRIVER_TRY_ASSIGN(type, get_string(request, "type"));
  DRIVER_TRY_ASSIGN(ciphertext, get_b64(request, "ciphertext"));
  auto stores = p->stores();
  Result<Bytes> plaintext;
  if (type == "prekey") {
    plaintext = protocol::decrypt_prekey_message(peer, ciphertext, stores, *p->rng);
  } else if (type == "whisper") {
    plaintext = protocol::decrypt_signal_message(peer, ciphertext, stores, *p->rng);
  } else {
    return fail(Errc::bad_request, "'type' must be 'prekey' or 'whisper'");
  }
  if (!plaintext) return tl::unexpected(plaintext.error());
  auto reply = ok_reply();
  reply["plaintext"] = b64(*plaintext);
  return reply;
}

Driver::Reply Driver::identity_get(const Json& request) {
  DRIVER_TRY_ASSIGN(p, party(request));
  DRIVER_TRY_ASSIGN(peer, get_address(request, "peer"));
  DRIVER_TRY_ASSIGN(identity, p->identity.get_identity(peer));
  auto reply = ok_reply();
  reply["identity_key"] = identity ? Json(b64(identity->serialize())) : Json(nullptr);
  return reply;
}

Driver::Reply Driver::identity_trust(const Json& request) {
  DRIVER_TRY_ASSIGN(p, party(request));
  DRIVER_TRY_ASSIGN(peer, get_address(request, "peer"));
  DRIVER_TRY_ASSIGN(identity, get_public_key(request, "identity_key"));
  SOTTO_TRY(p->identity.save_identity(peer, identity));
  return ok_reply();
}

Driver::Reply Driver::group_distribution(const Json& request) {
  DRIVER_TRY_ASSIGN(p, party(request));
  DRIVER_TRY_ASSIGN(id, get_uuid(request, "distribution_id"));
  DRIVER_TRY_ASSIGN(message,
                    protocol::create_sender_key_distribution(p->address, id, p->sender_keys, *p->rng));
  auto reply = ok_reply();
  reply["message"] = b64(message);
  return reply;
}

Driver::Reply Driver::group_process(const Json& request) {
  DRIVER_TRY_ASSIGN(p, party(request));
  DRIVER_TRY_ASSIGN(sender, get_address(request, "sender"));
  DRIVER_TRY_ASSIGN(id, get_uuid(request, "distribution_id"));
  DRIVER_TRY_ASSIGN(message, get_b64(request, "message"));
  SOTTO_TRY(protocol::process_sender_key_distribution(sender, id, message, p->sender_keys));
  return ok_reply();
}

Driver::Reply Driver::group_encrypt(const Json& request) {
  DRIVER_TRY_ASSIGN(p, party(request));
  DRIVER_TRY_ASSIGN(id, get_uuid(request, "distribution_id"));
  DRIVER_TRY_ASSIGN(plaintext, get_b64(request, "plaintext"));
  DRIVER_TRY_ASSIGN(ciphertext,
                    protocol::group_encrypt(p->address, id, plaintext, p->sender_keys, *p->rng));
  auto reply = ok_reply();
  reply["ciphertext"] = b64(ciphertext);
  return reply;
}

Driver::Reply Driver::group_decrypt(const Json& request) {
  DRIVER_TRY_ASSIGN(p, party(request));
  DRIVER_TRY_ASSIGN(sender, get_address(request, "sender"));
  DRIVER_TRY_ASSIGN(id, get_uuid(request, "distribution_id"));
  DRIVER_TRY_ASSIGN(ciphertext, get_b64(request, "ciphertext"));
  DRIVER_TRY_ASSIGN(plaintext, protocol::group_decrypt(sender, id, ciphertext, p->sender_keys));
  auto reply = ok_reply();
  reply["plaintext"] = b64(plaintext);
  return reply;
}

Driver::Reply Driver::fingerprint(const Json& request) {
  DRIVER_TRY_ASSIGN(p, party(request));
  DRIVER_TRY_ASSIGN(local_id, get_b64(request, "local_id"));
  DRIVER_TRY_ASSIGN(remote_id, get_b64(request, "remote_id"));
  DRIVER_TRY_ASSIGN(remote_key, get_public_key(request, "remote_identity_key"));
  DRIVER_TRY_ASSIGN(iterations, get_u32(request, "iterations"));
  DRIVER_TRY_ASSIGN(version, get_u32(request, "version"));
  // Optional extension shared with the C peer: a published test vector gives
  // only public keys, so the local key may be named instead of the party's own.
  auto local_key = p->identity.identity_key_pair().public_key;
  if (request.contains("local_identity_key") && !request["local_identity_key"].is_null()) {
    DRIVER_TRY_ASSIGN(named, get_public_key(request, "local_identity_key"));
    local_key = named;
  }
  DRIVER_TRY_ASSIGN(fp, protocol::compute_fingerprint(version, iterations, local_id, local_key,
                                                      remote_id, remote_key));
  auto reply = ok_reply();
  reply["displayable"] = fp.displayable;
  reply["scannable"] = b64(fp.scannable);
  return reply;
}

Driver::Reply Driver::fingerprint_compare(const Json& request) {
  DRIVER_TRY_ASSIGN(ours, get_b64(request, "scannable"));
  DRIVER_TRY_ASSIGN(theirs, get_b64(request, "other"));
  DRIVER_TRY_ASSIGN(match, protocol::compare_scannable(ours, theirs));
  auto reply = ok_reply();
  reply["match"] = match;
  return reply;
}

}  // namespace sotto::proto_driver
