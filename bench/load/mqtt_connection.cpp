// SPDX-License-Identifier: Apache-2.0
#include "mqtt_connection.hpp"

#include "clock.hpp"
#include "payloads.hpp"

namespace sotto::bench {

namespace {

constexpr std::uint32_t kOk = 200;

// Control packet types (MQTT 3.1.1, 2.2.1), in the fixed header's high nibble.
constexpr std::uint8_t kConnect = 1;
constexpr std::uint8_t kConnack = 2;
constexpr std::uint8_t kPublish = 3;
constexpr std::uint8_t kPuback = 4;
constexpr std::uint8_t kSubscribe = 8;
constexpr std::uint8_t kSuback = 9;
constexpr std::uint8_t kDisconnect = 14;

void put_u16(std::string& out, std::uint16_t v) {
  out.push_back(static_cast<char>(v >> 8));
  out.push_back(static_cast<char>(v & 0xff));
}

void put_string(std::string& out, std::string_view s) {
  put_u16(out, static_cast<std::uint16_t>(s.size()));
  out.append(s);
}

std::uint16_t get_u16(std::string_view in, std::size_t at) {
  return static_cast<std::uint16_t>((static_cast<std::uint8_t>(in[at]) << 8) |
                                    static_cast<std::uint8_t>(in[at + 1]));
}

}  // namespace

MqttDevice::MqttDevice(std::size_t index, std::string username, const ServerEndpoint& server)
    : Device(index, std::move(username)), server_(server), topic_("u/" + username_) {}

MqttDevice::~MqttDevice() = default;

void MqttDevice::connect(boost::asio::io_context& io, TlsClientContext&, const WsTarget& target) {
  state_ = State::idle;
  ready_ = false;
  online_ = false;
  in_flight_.clear();
  in_.clear();
  connection_ = TcpConnection::create(io, target, *this);
  connection_->start();
}

void MqttDevice::create_account() {
  // Accounts are the broker's password file.
  if (events_ != nullptr) events_->on_created(*this, kOk, {});
}

void MqttDevice::send_packet(std::uint8_t header, const std::string& body) {
  std::string packet;
  packet.reserve(body.size() + 5);
  packet.push_back(static_cast<char>(header));
  std::size_t length = body.size();
  do {  // remaining length, 7 bits a byte (2.2.3)
    auto byte = static_cast<std::uint8_t>(length % 128);
    length /= 128;
    if (length > 0) byte |= 0x80;
    packet.push_back(static_cast<char>(byte));
  } while (length > 0);
  packet += body;
  connection_->send(packet);
}

void MqttDevice::login() {
  state_ = State::connack;
  ready_ = false;
  std::string body;
  put_string(body, "MQTT");
  body.push_back(4);  // protocol level 3.1.1
  // username, password, clean session as asked
  body.push_back(static_cast<char>(0x80 | 0x40 | (clean_session_ ? 0x02 : 0)));
  put_u16(body, 0);  // keep-alive off: idle connections stay without pings
  put_string(body, username_);
  put_string(body, username_);
  put_string(body, server_.password);
  send_packet(kConnect << 4, body);
}

void MqttDevice::send_message(const Device& to, std::uint64_t seq, const PayloadPool& pool) {
  const std::string text = pool.text_content(seq, steady_ns());
  std::string body;
  body.reserve(text.size() + to.username().size() + 8);
  put_string(body, "u/" + to.username());
  if (server_.mqtt_qos == 0) {
    body += text;
    send_packet(kPublish << 4, body);
    if (events_ != nullptr) events_->on_send_answer(*this, seq, kOk);
    return;
  }
  std::uint16_t id = next_packet_id_;
  while (id == 0 || in_flight_.count(id) != 0) ++id;
  next_packet_id_ = static_cast<std::uint16_t>(id + 1);
  in_flight_.emplace(id, seq);
  put_u16(body, id);
  body += text;
  send_packet(static_cast<std::uint8_t>(kPublish << 4 | 1 << 1), body);
}

void MqttDevice::close() {
  if (!connection_) return;
  state_ = State::closing;
  online_ = false;
  send_packet(kDisconnect << 4, {});
  connection_->close();
}

void MqttDevice::on_connected(const std::string& error) {
  if (error.empty()) {
    state_ = State::ready;
    ready_ = true;
  }
  if (events_ != nullptr) events_->on_connected(*this, error);
  if (error.empty() && ready_ && events_ != nullptr) events_->on_challenge(*this);
}

void MqttDevice::on_data(ByteView data) {
  std::string_view view(reinterpret_cast<const char*>(data.data()), data.size());
  if (!in_.empty()) {
    in_.append(view);
    view = in_;
  }
  std::size_t at = 0;
  while (at + 2 <= view.size()) {
    std::size_t length = 0;
    std::size_t i = at + 1;
    int shift = 0;
    bool complete = false;
    while (i < view.size() && shift <= 21) {
      const auto byte = static_cast<std::uint8_t>(view[i++]);
      length |= static_cast<std::size_t>(byte & 0x7f) << shift;
      shift += 7;
      if ((byte & 0x80) == 0) {
        complete = true;
        break;
      }
    }
    if (!complete) {
      if (shift > 21) return protocol_error("bad remaining length");
      break;
    }
    if (i + length > view.size()) break;
    on_packet(static_cast<std::uint8_t>(view[at]), view.substr(i, length));
    if (!connection_ || !connection_->is_open()) return;
    at = i + length;
  }
  std::string rest(view.substr(at));
  in_.swap(rest);
}

void MqttDevice::on_packet(std::uint8_t header, std::string_view body) {
  switch (header >> 4) {
    case kConnack: {
      if (state_ != State::connack || body.size() < 2) return protocol_error("unexpected CONNACK");
      const auto code = static_cast<std::uint8_t>(body[1]);
      if (code != 0) {
        state_ = State::ready;
        if (events_ != nullptr) {
          events_->on_logged_in(*this, code == 4 || code == 5 ? 401 : 400 + code,
                                "CONNACK return code " + std::to_string(code));
        }
        return;
      }
      state_ = State::suback;
      std::string sub;
      put_u16(sub, 1);
      put_string(sub, topic_);
      sub.push_back(static_cast<char>(server_.mqtt_qos));
      send_packet(kSubscribe << 4 | 0x02, sub);
      return;
    }
    case kSuback: {
      if (state_ != State::suback) return;
      const bool granted = body.size() >= 3 && static_cast<std::uint8_t>(body[2]) != 0x80;
      state_ = granted ? State::online : State::ready;
      online_ = granted;
      if (events_ != nullptr) {
        events_->on_logged_in(*this, granted ? kOk : 403, granted ? "" : "SUBSCRIBE refused");
      }
      return;
    }
    case kPublish:
      return on_publish(header, body);
    case kPuback: {
      if (body.size() < 2) return protocol_error("short PUBACK");
      auto it = in_flight_.find(get_u16(body, 0));
      if (it == in_flight_.end()) return protocol_error("PUBACK for an unknown packet id");
      const std::uint64_t tag = it->second;
      in_flight_.erase(it);
      if (events_ != nullptr) events_->on_send_answer(*this, tag, kOk);
      return;
    }
    default:
      return;  // PINGRESP and the like: not part of the workload
  }
}

void MqttDevice::on_publish(std::uint8_t header, std::string_view body) {
  const int qos = (header >> 1) & 3;
  if (body.size() < 2) return protocol_error("short PUBLISH");
  std::size_t at = 2 + get_u16(body, 0);
  std::uint16_t id = 0;
  if (qos > 0) {
    if (at + 2 > body.size()) return protocol_error("short PUBLISH");
    id = get_u16(body, at);
    at += 2;
  }
  if (at > body.size()) return protocol_error("short PUBLISH");
  auto stamp = PayloadPool::read_text_stamp(body.substr(at));
  if (!stamp) {
    protocol_error("delivered payload without a stamp");
  } else if (events_ != nullptr) {
    events_->on_deliver(*this, stamp->seq, stamp->send_ns);
  }
  if (qos == 1) {
    std::string ack;
    put_u16(ack, id);
    send_packet(kPuback << 4, ack);
  }
}

void MqttDevice::protocol_error(const std::string& what) {
  if (events_ != nullptr) events_->on_protocol_error(*this, what);
}

void MqttDevice::on_closed(const std::string& why) {
  online_ = false;
  ready_ = false;
  state_ = State::idle;
  if (events_ != nullptr) events_->on_closed(*this, why);
}

}  // namespace sotto::bench
