// SPDX-License-Identifier: Apache-2.0
// The server's RFC 6455 codec on arbitrary bytes: what any TLS client can send
// before and after the upgrade. Input: [chunking seed][max_message pick] then
// the stream. The stream goes to parse_upgrade; the frames (after an accepted
// head, else the whole stream) go to a WsReader twice, in one read() and in
// chunks fed the way a connection does, which must report the same events.
#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_check.hpp"
#include "sotto/core/bytes.hpp"
#include "sotto/transport/ws_codec.hpp"

namespace {

using namespace sotto::transport;
using sotto::Bytes;
using sotto::ByteView;

constexpr std::array<std::size_t, 8> kMaxMessages = {0, 1, 10, 125, 126, 300, 65536, 1 << 20};
constexpr std::string_view kServer = "sottod";

// ---- Upgrade -----------------------------------------------------------

bool same(const UpgradeOutcome& a, const UpgradeOutcome& b) {
  return a.kind == b.kind && a.response == b.response && a.consumed == b.consumed;
}

void check_upgrade(std::string_view text, std::uint8_t seed) {
  const UpgradeOutcome out = parse_upgrade(text, kServer);
  // A prefix of the input, picked by the seed.
  const std::size_t split = text.size() * seed / 256;
  switch (out.kind) {
    case UpgradeOutcome::Kind::need_more:
      SOTTO_FUZZ_CHECK(text.size() < kMaxUpgradeRequest);
      SOTTO_FUZZ_CHECK(out.response.empty() && out.consumed == 0);
      // Less of a request that is still coming is still coming.
      SOTTO_FUZZ_CHECK(parse_upgrade(text.substr(0, split), kServer).kind ==
                       UpgradeOutcome::Kind::need_more);
      break;
    case UpgradeOutcome::Kind::accepted: {
      SOTTO_FUZZ_CHECK(out.consumed >= 4 && out.consumed <= text.size());
      SOTTO_FUZZ_CHECK(out.consumed <= kMaxUpgradeRequest);
      SOTTO_FUZZ_CHECK(text.substr(out.consumed - 4, 4) == "\r\n\r\n");
      SOTTO_FUZZ_CHECK(out.response.rfind("HTTP/1.1 101 Switching Protocols\r\n", 0) == 0);
      SOTTO_FUZZ_CHECK(out.response.ends_with("\r\nServer: sottod\r\n\r\n"));
      const std::size_t accept = out.response.find("\r\nSec-WebSocket-Accept: ");
      SOTTO_FUZZ_CHECK(accept != std::string::npos);
      SOTTO_FUZZ_CHECK(out.response.substr(accept + 24 + 28, 2) == "\r\n");
      // The head alone gives the same answer; any part of it is not enough.
      SOTTO_FUZZ_CHECK(same(parse_upgrade(text.substr(0, out.consumed), kServer), out));
      SOTTO_FUZZ_CHECK(parse_upgrade(text.substr(0, out.consumed * seed / 256), kServer).kind ==
                       UpgradeOutcome::Kind::need_more);
      break;
    }
    case UpgradeOutcome::Kind::refused:
      SOTTO_FUZZ_CHECK(out.response.rfind("HTTP/1.1 4", 0) == 0);
      SOTTO_FUZZ_CHECK(out.response.ends_with("Content-Length: 0\r\nConnection: close\r\n\r\n"));
      break;
  }
}

// ---- Reader ------------------------------------------------------------

struct Event {
  int kind = 0;  // 0 message, 1 ping, 2 pong, 3 close
  bool binary = false;
  Bytes payload;
  std::uint16_t code = 0;
  std::string reason;
  bool operator==(const Event&) const = default;
};

class Recorder : public WsEvents {
 public:
  explicit Recorder(std::size_t max_message) : max_message_(max_message) {}

  void on_message(bool binary, ByteView payload) override {
    SOTTO_FUZZ_CHECK(!closed);
    SOTTO_FUZZ_CHECK(payload.size() <= max_message_);
    events.push_back({0, binary, Bytes(payload.begin(), payload.end()), 0, {}});
  }
  void on_ping(ByteView payload) override {
    SOTTO_FUZZ_CHECK(!closed);
    SOTTO_FUZZ_CHECK(payload.size() <= 125);
    events.push_back({1, false, Bytes(payload.begin(), payload.end()), 0, {}});
  }
  void on_pong() override {
    SOTTO_FUZZ_CHECK(!closed);
    events.push_back({2, false, {}, 0, {}});
  }
  void on_close(std::uint16_t code, std::string_view reason) override {
    SOTTO_FUZZ_CHECK(!closed);
    closed = true;
    SOTTO_FUZZ_CHECK(code != 1004 && code != 1006 && code != 1015);
    SOTTO_FUZZ_CHECK((code >= 1000 && code <= 1014) || (code >= 3000 && code <= 4999));
    SOTTO_FUZZ_CHECK(code != 1005 || reason.empty());
    SOTTO_FUZZ_CHECK(reason.size() <= 123);
    SOTTO_FUZZ_CHECK(is_valid_utf8(reason));
    events.push_back({3, false, {}, code, std::string(reason)});
  }

  std::vector<Event> events;
  bool closed = false;

 private:
  std::size_t max_message_;
};

struct Outcome {
  std::vector<Event> events;
  std::size_t consumed = 0;
  std::optional<WsError> error;
};

// The reader's state after one read(): what a connection relies on.
void check_after_read(WsReader& reader, const WsReadResult& r, std::size_t input_size,
                      const Recorder& rec) {
  SOTTO_FUZZ_CHECK(r.consumed <= input_size);
  if (r.error) {
    const std::uint16_t code = r.error->close_code;
    SOTTO_FUZZ_CHECK(code == 1002 || code == 1007 || code == 1009);
    SOTTO_FUZZ_CHECK(!r.error->reason.empty() && r.error->reason.size() <= 123);
    SOTTO_FUZZ_CHECK(!rec.closed);
  }
  if (!reader.in_message()) SOTTO_FUZZ_CHECK(reader.held_bytes() == 0);
}

// A stopped reader (error or close) takes nothing and says nothing.
void check_stopped(WsReader& reader, Recorder& rec, Bytes& input) {
  const std::size_t before = rec.events.size();
  const WsReadResult r = reader.read(input, rec);
  SOTTO_FUZZ_CHECK(r.consumed == 0 && !r.error && rec.events.size() == before);
  SOTTO_FUZZ_CHECK(reader.held_bytes() == 0);
}

Outcome read_whole(ByteView frames, std::size_t max_message) {
  Bytes input(frames.begin(), frames.end());
  WsReader reader(max_message);
  Recorder rec(max_message);
  const WsReadResult r = reader.read(input, rec);
  check_after_read(reader, r, input.size(), rec);
  if (r.error || rec.closed) check_stopped(reader, rec, input);
  return {std::move(rec.events), r.consumed, r.error};
}

Outcome read_chunked(ByteView frames, std::size_t max_message, std::uint8_t seed) {
  WsReader reader(max_message);
  Recorder rec(max_message);
  Outcome out;
  Bytes pending;
  std::uint32_t x = seed * 2654435761u + 1;
  const std::uint32_t max_chunk = 1u << (seed % 12);
  std::size_t pos = 0;
  while (pos < frames.size()) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    const std::size_t chunk = std::min<std::size_t>(1 + x % max_chunk, frames.size() - pos);
    pending.insert(pending.end(), frames.begin() + static_cast<std::ptrdiff_t>(pos),
                   frames.begin() + static_cast<std::ptrdiff_t>(pos + chunk));
    pos += chunk;
    const WsReadResult r = reader.read(pending, rec);
    check_after_read(reader, r, pending.size(), rec);
    out.consumed += r.consumed;
    pending.erase(pending.begin(), pending.begin() + static_cast<std::ptrdiff_t>(r.consumed));
    if (r.error || rec.closed) {
      out.error = r.error;
      check_stopped(reader, rec, pending);
      break;
    }
    // It stopped at an incomplete frame: the same bytes again give nothing.
    const std::size_t events = rec.events.size();
    const WsReadResult again = reader.read(pending, rec);
    SOTTO_FUZZ_CHECK(again.consumed == 0 && !again.error && rec.events.size() == events);
  }
  out.events = std::move(rec.events);
  return out;
}

bool same_error(const std::optional<WsError>& a, const std::optional<WsError>& b) {
  if (a.has_value() != b.has_value()) return false;
  return !a || (a->close_code == b->close_code && a->reason == b->reason);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  const std::uint8_t seed = data[0];
  const std::size_t max_message = kMaxMessages[data[1] % kMaxMessages.size()];
  const ByteView stream(data + 2, size - 2);

  check_upgrade(sotto::as_string(stream), seed);
  const UpgradeOutcome up = parse_upgrade(sotto::as_string(stream), kServer);
  const ByteView frames =
      up.kind == UpgradeOutcome::Kind::accepted ? stream.subspan(up.consumed) : stream;

  const Outcome whole = read_whole(frames, max_message);
  const Outcome chunked = read_chunked(frames, max_message, seed);
  SOTTO_FUZZ_CHECK(whole.events == chunked.events);
  SOTTO_FUZZ_CHECK(whole.consumed == chunked.consumed);
  SOTTO_FUZZ_CHECK(same_error(whole.error, chunked.error));
  return 0;
}
