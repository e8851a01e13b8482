// SPDX-License-Identifier: Apache-2.0
#include "protocol_bench_signal_c_stores.hpp"

namespace sotto::bench {
namespace {

CStoreData& data_of(void* user_data) { return *static_cast<CStoreData*>(user_data); }

std::pair<std::string, std::int32_t> key_of(const signal_protocol_address& a) {
  return {std::string(a.name, a.name_len), a.device_id};
}

std::tuple<std::string, std::string, std::int32_t> key_of(
    const signal_protocol_sender_key_name& n) {
  return {std::string(n.group_id, n.group_id_len), std::string(n.sender.name, n.sender.name_len),
          n.sender.device_id};
}

CRecord record_of(const std::uint8_t* p, std::size_t n) {
  return n == 0 ? CRecord{} : CRecord(p, p + n);
}

// The library takes ownership of what a load returns, so loads copy.
int copy_out(const CRecord& r, signal_buffer** out) {
  signal_buffer* b = signal_buffer_create(r.data(), r.size());
  if (b == nullptr) return SG_ERR_NOMEM;
  *out = b;
  return SG_SUCCESS;
}

// Loads that may find nothing answer 1 (found) or 0 (not found).
template <class Map, class Key>
int load_optional(const Map& map, const Key& key, signal_buffer** out) {
  auto it = map.find(key);
  if (it == map.end()) return 0;
  const int rc = copy_out(it->second, out);
  return rc < 0 ? rc : 1;
}

// Prekey loads must fail on a missing id.
int load_required(const std::map<std::uint32_t, CRecord>& map, std::uint32_t id,
                  signal_buffer** out) {
  auto it = map.find(id);
  return it == map.end() ? SG_ERR_INVALID_KEY_ID : copy_out(it->second, out);
}

int load_session(signal_buffer** record, signal_buffer**, const signal_protocol_address* address,
                 void* ud) {
  return load_optional(data_of(ud).sessions, key_of(*address), record);
}

int get_sub_device_sessions(signal_int_list** sessions, const char* name, std::size_t name_len,
                            void* ud) {
  signal_int_list* list = signal_int_list_alloc();
  if (list == nullptr) return SG_ERR_NOMEM;
  const std::string wanted(name, name_len);
  int count = 0;
  for (const auto& [key, record] : data_of(ud).sessions) {
    if (key.first != wanted) continue;
    if (signal_int_list_push_back(list, key.second) < 0) {
      signal_int_list_free(list);
      return SG_ERR_NOMEM;
    }
    ++count;
  }
  *sessions = list;
  return count;
}

int store_session(const signal_protocol_address* address, std::uint8_t* record, std::size_t len,
                  std::uint8_t*, std::size_t, void* ud) {
  data_of(ud).sessions[key_of(*address)] = record_of(record, len);
  return SG_SUCCESS;
}

int contains_session(const signal_protocol_address* address, void* ud) {
  return data_of(ud).sessions.count(key_of(*address)) != 0 ? 1 : 0;
}

int delete_session(const signal_protocol_address* address, void* ud) {
  return data_of(ud).sessions.erase(key_of(*address)) != 0 ? 1 : 0;
}

int delete_all_sessions(const char* name, std::size_t name_len, void* ud) {
  const std::string wanted(name, name_len);
  return static_cast<int>(std::erase_if(data_of(ud).sessions,
                                        [&](const auto& kv) { return kv.first.first == wanted; }));
}

int load_pre_key(signal_buffer** record, std::uint32_t id, void* ud) {
  return load_required(data_of(ud).prekeys, id, record);
}

int store_pre_key(std::uint32_t id, std::uint8_t* record, std::size_t len, void* ud) {
  data_of(ud).prekeys[id] = record_of(record, len);
  return SG_SUCCESS;
}

int contains_pre_key(std::uint32_t id, void* ud) {
  return data_of(ud).prekeys.count(id) != 0 ? 1 : 0;
}

int remove_pre_key(std::uint32_t id, void* ud) {
  data_of(ud).prekeys.erase(id);
  return SG_SUCCESS;
}

int load_signed_pre_key(signal_buffer** record, std::uint32_t id, void* ud) {
  return load_required(data_of(ud).signed_prekeys, id, record);
}

int store_signed_pre_key(std::uint32_t id, std::uint8_t* record, std::size_t len, void* ud) {
  data_of(ud).signed_prekeys[id] = record_of(record, len);
  return SG_SUCCESS;
}

int contains_signed_pre_key(std::uint32_t id, void* ud) {
  return data_of(ud).signed_prekeys.count(id) != 0 ? 1 : 0;
}

int remove_signed_pre_key(std::uint32_t id, void* ud) {
  data_of(ud).signed_prekeys.erase(id);
  return SG_SUCCESS;
}

int get_identity_key_pair(signal_buffer** public_data, signal_buffer** private_data, void* ud) {
  const CStoreData& d = data_of(ud);
  signal_buffer* pub = signal_buffer_create(d.identity_public.data(), d.identity_public.size());
  signal_buffer* priv = signal_buffer_create(d.identity_private.data(), d.identity_private.size());
  if (pub == nullptr || priv == nullptr) {
    signal_buffer_free(pub);
    signal_buffer_bzero_free(priv);
    return SG_ERR_NOMEM;
  }
  *public_data = pub;
  *private_data = priv;
  return SG_SUCCESS;
}

int get_local_registration_id(void* ud, std::uint32_t* registration_id) {
  *registration_id = data_of(ud).registration_id;
  return SG_SUCCESS;
}

int save_identity(const signal_protocol_address* address, std::uint8_t* key, std::size_t len,
                  void* ud) {
  auto& identities = data_of(ud).identities;
  if (key == nullptr) {
    identities.erase(key_of(*address));
  } else {
    identities[key_of(*address)] = record_of(key, len);
  }
  return SG_SUCCESS;
}

// Trust on first use, as our InMemoryIdentityKeyStore does.
int is_trusted_identity(const signal_protocol_address* address, std::uint8_t* key, std::size_t len,
                        void* ud) {
  const auto& identities = data_of(ud).identities;
  auto it = identities.find(key_of(*address));
  if (it == identities.end()) return 1;
  return it->second == CRecord(key, key + len) ? 1 : 0;
}

int store_sender_key(const signal_protocol_sender_key_name* name, std::uint8_t* record,
                     std::size_t len, std::uint8_t*, std::size_t, void* ud) {
  data_of(ud).sender_keys[key_of(*name)] = record_of(record, len);
  return SG_SUCCESS;
}

int load_sender_key(signal_buffer** record, signal_buffer**,
                    const signal_protocol_sender_key_name* name, void* ud) {
  return load_optional(data_of(ud).sender_keys, key_of(*name), record);
}

}  // namespace

int install_bench_stores(signal_protocol_store_context* store, CStoreData* data) {
  signal_protocol_session_store sessions{};
  sessions.load_session_func = load_session;
  sessions.get_sub_device_sessions_func = get_sub_device_sessions;
  sessions.store_session_func = store_session;
  sessions.contains_session_func = contains_session;
  sessions.delete_session_func = delete_session;
  sessions.delete_all_sessions_func = delete_all_sessions;
  sessions.user_data = data;

  signal_protocol_pre_key_store prekeys{};
  prekeys.load_pre_key = load_pre_key;
  prekeys.store_pre_key = store_pre_key;
  prekeys.contains_pre_key = contains_pre_key;
  prekeys.remove_pre_key = remove_pre_key;
  prekeys.user_data = data;

  signal_protocol_signed_pre_key_store signed_prekeys{};
  signed_prekeys.load_signed_pre_key = load_signed_pre_key;
  signed_prekeys.store_signed_pre_key = store_signed_pre_key;
  signed_prekeys.contains_signed_pre_key = contains_signed_pre_key;
  signed_prekeys.remove_signed_pre_key = remove_signed_pre_key;
  signed_prekeys.user_data = data;

  signal_protocol_identity_key_store identities{};
  identities.get_identity_key_pair = get_identity_key_pair;
  identities.get_local_registration_id = get_local_registration_id;
  identities.save_identity = save_identity;
  identities.is_trusted_identity = is_trusted_identity;
  identities.user_data = data;

  signal_protocol_sender_key_store sender_keys{};
  sender_keys.store_sender_key = store_sender_key;
  sender_keys.load_sender_key = load_sender_key;
  sender_keys.user_data = data;

  int rc = signal_protocol_store_context_set_session_store(store, &sessions);
  if (rc == 0) rc = signal_protocol_store_context_set_pre_key_store(store, &prekeys);
  if (rc == 0) rc = signal_protocol_store_context_set_signed_pre_key_store(store, &signed_prekeys);
  if (rc == 0) rc = signal_protocol_store_context_set_identity_key_store(store, &identities);
  if (rc == 0) rc = signal_protocol_store_context_set_sender_key_store(store, &sender_keys);
  return rc;
}

}  // namespace sotto::bench
