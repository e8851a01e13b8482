// SPDX-License-Identifier: Apache-2.0
// An XMPP client for the load generator (client_device.hpp), over plain TCP
// as the peer is measured: no TLS, SASL PLAIN.
//
//   connect: TCP, stream header, stream features
//   create:  in-band registration (XEP-0077: iq set jabber:iq:register)
//   login:   SASL PLAIN, stream restart, resource bind, initial presence;
//            online once the server echoes that presence to its sender
//            (RFC 6121 4.2.2), so a message to the bare JID is not stored
//            offline for a client that has just logged in
//   send:    <message type='chat'> to the bare JID with the stamped body
//   close:   </stream:stream>, then the server closes
//
// A message has no answer in XMPP. With ServerEndpoint::xmpp_barrier_every
// n > 0 a ping (XEP-0199) follows every n messages and flush_sends(); its
// result answers every message sent before it with 200, because the server
// handles a stream's stanzas in order. With 0 every message is answered 200
// when it is sent.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <string_view>

#include "client_device.hpp"
#include "fleet.hpp"
#include "tcp_connection.hpp"

namespace sotto::bench {

// Splits a client's inbound XML stream into top-level stanzas (children of
// <stream:stream>). Enough XML for what a server sends: prolog, start and
// end tags, empty-element tags, quoted attribute values, text.
class XmlStanzaSplitter {
 public:
  enum class Event { none, stream_open, stanza, stream_end, error };
  void reset();
  void feed(std::string_view data);
  // The next event; with Event::stanza, `stanza` holds its text.
  Event next(std::string& stanza);

 private:
  std::string buffer_;
  std::size_t pos_ = 0;           // scan position in buffer_
  std::size_t stanza_start_ = 0;  // of the stanza being read (depth >= 2)
  int depth_ = 0;
};

class XmppDevice final : public Device, public TcpListener {
 public:
  XmppDevice(std::size_t index, std::string username, const ServerEndpoint& server);
  ~XmppDevice() override;

  [[nodiscard]] bool connected() const override { return connection_ && connection_->is_open(); }
  [[nodiscard]] bool has_challenge() const override { return state_ == State::features; }
  [[nodiscard]] bool has_account() const override { return registered_; }
  [[nodiscard]] std::size_t outstanding_sends() const override { return unanswered_.size(); }
  [[nodiscard]] std::size_t queued_bytes() const override {
    return connection_ ? connection_->queued_bytes() : 0;
  }
  // For an account registered earlier (W2's measuring step, workers).
  void set_registered() { registered_ = true; }

  void connect(boost::asio::io_context& io, TlsClientContext& tls, const WsTarget& target) override;
  void create_account() override;
  void login() override;
  void send_message(const Device& to, std::uint64_t seq, const PayloadPool& pool) override;
  void flush_sends() override;
  void close() override;

  // TcpListener
  void on_connected(const std::string& error) override;
  void on_data(ByteView data) override;
  void on_closed(const std::string& why) override;

 private:
  enum class State : std::uint8_t {
    idle,
    opening,   // stream header sent, waiting for the features
    features,  // ready for registration and SASL
    registering,
    authenticating,
    reopening,  // after SASL success, waiting for the new stream's features
    binding,
    presence,  // waiting for the echo of the initial presence
    online,
    closing,
  };
  struct Barrier {
    std::uint64_t id;
    std::size_t covers;  // messages of unanswered_ it answers (the oldest)
  };

  void open_stream();
  void on_stanza(const std::string& stanza);
  void on_message_stanza(const std::string& stanza);
  void on_iq(const std::string& stanza);
  void send_barrier();
  void protocol_error(const std::string& what);

  const ServerEndpoint& server_;
  std::unique_ptr<TcpConnection> connection_;
  XmlStanzaSplitter splitter_;
  std::string stanza_;
  State state_ = State::idle;
  bool registered_ = false;
  std::deque<std::uint64_t> unanswered_;  // tags of messages not answered yet
  std::size_t unbarriered_ = 0;           // newest messages no barrier covers
  std::deque<Barrier> barriers_;
  std::uint64_t next_barrier_ = 1;
};

}  // namespace sotto::bench
