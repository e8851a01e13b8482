// SPDX-License-Identifier: Apache-2.0
#include "protobuf_walk.hpp"

namespace sotto::interop {
namespace {

Result<std::uint64_t> read_varint(ByteView data, std::size_t& pos) {
  std::uint64_t value = 0;
  for (int shift = 0; shift < 70; shift += 7) {
    if (pos >= data.size()) return fail(Errc::invalid_message, "truncated varint");
    std::uint8_t b = data[pos++];
    value |= static_cast<std::uint64_t>(b & 0x7f) << shift;
    if ((b & 0x80) == 0) return value;
  }
  return fail(Errc::invalid_message, "varint longer than ten bytes");
}

}  // namespace

Result<std::vector<ProtoField>> walk_protobuf(ByteView data) {
  std::vector<ProtoField> fields;
  std::size_t pos = 0;
  while (pos < data.size()) {
    ProtoField f;
    f.begin = pos;
    auto key = read_varint(data, pos);
    if (!key) return tl::unexpected(key.error());
    f.number = static_cast<std::uint32_t>(*key >> 3);
    f.wire_type = static_cast<std::uint8_t>(*key & 7);
    f.value_begin = pos;
    switch (f.wire_type) {
      case 0: {
        auto v = read_varint(data, pos);
        if (!v) return tl::unexpected(v.error());
        f.varint = *v;
        break;
      }
      case 1:
        pos += 8;
        break;
      case 2: {
        auto len = read_varint(data, pos);
        if (!len) return tl::unexpected(len.error());
        if (*len > data.size() - pos) return fail(Errc::invalid_message, "truncated field");
        pos += static_cast<std::size_t>(*len);
        break;
      }
      case 5:
        pos += 4;
        break;
      default:
        return fail(Errc::invalid_message, "unsupported wire type");
    }
    if (pos > data.size()) return fail(Errc::invalid_message, "truncated field");
    f.end = pos;
    fields.push_back(f);
  }
  return fields;
}

}  // namespace sotto::interop
