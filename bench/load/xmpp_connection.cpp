// SPDX-License-Identifier: Apache-2.0
#include "xmpp_connection.hpp"

#include <charconv>

#include "clock.hpp"
#include "payloads.hpp"
#include "sotto/core/encoding.hpp"

namespace sotto::bench {

namespace {

constexpr std::uint32_t kOk = 200;

// The value of attribute `name` in the start tag at the front of `stanza`.
std::string_view attribute(std::string_view stanza, std::string_view name) {
  const std::size_t end = stanza.find('>');
  const std::string_view tag = stanza.substr(0, end);
  std::size_t at = 0;
  while ((at = tag.find(name, at)) != std::string_view::npos) {
    const std::size_t eq = at + name.size();
    // Whole attribute names only: " id=" not "xid=".
    if (at > 0 && tag[at - 1] == ' ' && eq + 1 < tag.size() && tag[eq] == '=' &&
        (tag[eq + 1] == '\'' || tag[eq + 1] == '"')) {
      const char quote = tag[eq + 1];
      const std::size_t close = tag.find(quote, eq + 2);
      if (close == std::string_view::npos) return {};
      return tag.substr(eq + 2, close - eq - 2);
    }
    at = eq;
  }
  return {};
}

std::string_view element_name(std::string_view stanza) {
  std::size_t end = 1;
  while (end < stanza.size() && stanza[end] != ' ' && stanza[end] != '>' && stanza[end] != '/') {
    ++end;
  }
  return stanza.substr(1, end - 1);
}

std::string sasl_plain(const std::string& user, const std::string& password) {
  std::string raw;
  raw.push_back('\0');
  raw += user;
  raw.push_back('\0');
  raw += password;
  return base64_encode(ByteView(reinterpret_cast<const std::uint8_t*>(raw.data()), raw.size()));
}

}  // namespace

// ---- XmlStanzaSplitter ----

void XmlStanzaSplitter::reset() {
  buffer_.clear();
  pos_ = stanza_start_ = 0;
  depth_ = 0;
}

void XmlStanzaSplitter::feed(std::string_view data) {
  // Drop what was consumed before growing the buffer.
  const std::size_t keep_from = depth_ >= 2 ? stanza_start_ : pos_;
  if (keep_from > 0) {
    buffer_.erase(0, keep_from);
    pos_ -= keep_from;
    if (depth_ >= 2) stanza_start_ = 0;
  }
  buffer_.append(data);
}

XmlStanzaSplitter::Event XmlStanzaSplitter::next(std::string& stanza) {
  for (;;) {
    const std::size_t lt = buffer_.find('<', pos_);
    if (lt == std::string::npos) {
      pos_ = buffer_.size();  // text between tags
      return Event::none;
    }
    // Find the tag's end, outside quoted attribute values.
    char quote = 0;
    std::size_t gt = std::string::npos;
    for (std::size_t i = lt + 1; i < buffer_.size(); ++i) {
      const char c = buffer_[i];
      if (quote != 0) {
        if (c == quote) quote = 0;
      } else if (c == '\'' || c == '"') {
        quote = c;
      } else if (c == '>') {
        gt = i;
        break;
      }
    }
    if (gt == std::string::npos) {
      pos_ = lt;
      return Event::none;  // wait for the rest of the tag
    }
    pos_ = gt + 1;
    const char kind = lt + 1 < buffer_.size() ? buffer_[lt + 1] : 0;
    if (kind == '?' || kind == '!') continue;  // prolog, comment
    if (kind == '/') {
      --depth_;
      if (depth_ == 1) {
        stanza.assign(buffer_, stanza_start_, pos_ - stanza_start_);
        return Event::stanza;
      }
      if (depth_ == 0) return Event::stream_end;
      if (depth_ < 0) return Event::error;
      continue;
    }
    const bool empty = buffer_[gt - 1] == '/';
    if (depth_ == 0) {
      if (empty) return Event::error;
      depth_ = 1;
      return Event::stream_open;
    }
    if (depth_ == 1) {
      stanza_start_ = lt;
      if (empty) {
        stanza.assign(buffer_, lt, pos_ - lt);
        return Event::stanza;
      }
    }
    if (!empty) ++depth_;
  }
}

// ---- XmppDevice ----

XmppDevice::XmppDevice(std::size_t index, std::string username, const ServerEndpoint& server)
    : Device(index, std::move(username)), server_(server) {}

XmppDevice::~XmppDevice() = default;

void XmppDevice::connect(boost::asio::io_context& io, TlsClientContext&, const WsTarget& target) {
  state_ = State::idle;
  online_ = false;
  unanswered_.clear();
  barriers_.clear();
  unbarriered_ = 0;
  splitter_.reset();
  connection_ = TcpConnection::create(io, target, *this);
  connection_->start();
}

void XmppDevice::open_stream() {
  splitter_.reset();
  connection_->send(
      "<?xml version='1.0'?><stream:stream to='" + server_.xmpp_domain +
      "' xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' version='1.0'>");
}

void XmppDevice::create_account() {
  state_ = State::registering;
  connection_->send("<iq type='set' id='reg'><query xmlns='jabber:iq:register'><username>" +
                    username_ + "</username><password>" + server_.password +
                    "</password></query></iq>");
}

void XmppDevice::login() {
  state_ = State::authenticating;
  connection_->send("<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>" +
                    sasl_plain(username_, server_.password) + "</auth>");
}

void XmppDevice::send_message(const Device& to, std::uint64_t seq, const PayloadPool& pool) {
  std::string stanza = "<message to='" + to.username() + "@" + server_.xmpp_domain +
                       "' type='chat'><body>" + pool.text_content(seq, steady_ns()) +
                       "</body></message>";
  connection_->send(stanza);
  if (server_.xmpp_barrier_every == 0) {
    if (events_ != nullptr) events_->on_send_answer(*this, seq, kOk);
    return;
  }
  unanswered_.push_back(seq);
  if (++unbarriered_ >= server_.xmpp_barrier_every) send_barrier();
}

void XmppDevice::flush_sends() {
  if (unbarriered_ > 0) send_barrier();
}

void XmppDevice::send_barrier() {
  const std::uint64_t id = next_barrier_++;
  barriers_.push_back({id, unbarriered_});
  unbarriered_ = 0;
  connection_->send("<iq type='get' id='b" + std::to_string(id) + "' to='" + server_.xmpp_domain +
                    "'><ping xmlns='urn:xmpp:ping'/></iq>");
}

void XmppDevice::close() {
  if (!connection_) return;
  state_ = State::closing;
  online_ = false;
  connection_->send("</stream:stream>");
  connection_->close();
}

void XmppDevice::on_connected(const std::string& error) {
  if (!error.empty()) {
    if (events_ != nullptr) events_->on_connected(*this, error);
    return;
  }
  state_ = State::opening;
  open_stream();
}

void XmppDevice::on_data(ByteView data) {
  splitter_.feed(std::string_view(reinterpret_cast<const char*>(data.data()), data.size()));
  for (;;) {
    switch (splitter_.next(stanza_)) {
      case XmlStanzaSplitter::Event::none:
        return;
      case XmlStanzaSplitter::Event::stream_open:
        break;
      case XmlStanzaSplitter::Event::stanza:
        on_stanza(stanza_);
        if (!connection_ || !connection_->is_open()) return;
        break;
      case XmlStanzaSplitter::Event::stream_end:
        // The server ended the stream; it closes the socket next.
        return;
      case XmlStanzaSplitter::Event::error:
        return protocol_error("malformed XML stream");
    }
  }
}

void XmppDevice::on_stanza(const std::string& stanza) {
  const std::string_view name = element_name(stanza);
  if (name == "message") return on_message_stanza(stanza);
  if (name == "iq") return on_iq(stanza);
  if (name == "stream:features") {
    if (state_ == State::opening) {
      state_ = State::features;
      if (events_ != nullptr) events_->on_connected(*this, {});
      if (events_ != nullptr && state_ == State::features) events_->on_challenge(*this);
    } else if (state_ == State::reopening) {
      state_ = State::binding;
      connection_->send(
          "<iq type='set' id='bind'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'>"
          "<resource>r</resource></bind></iq>");
    }
    return;
  }
  if (name == "success" && state_ == State::authenticating) {
    state_ = State::reopening;
    return open_stream();
  }
  if (name == "failure" && state_ == State::authenticating) {
    state_ = State::features;
    if (events_ != nullptr) events_->on_logged_in(*this, 401, "SASL failure");
    return;
  }
  if (name == "presence" && state_ == State::presence) {
    const std::string_view type = attribute(stanza, "type");
    if (!type.empty()) return;  // unavailable, error: not the echo
    state_ = State::online;
    online_ = true;
    if (events_ != nullptr) events_->on_logged_in(*this, kOk, {});
    return;
  }
  if (name == "stream:error") return protocol_error("stream error: " + stanza.substr(0, 300));
  // Anything else (presence of others, notices) is not part of the workload.
}

void XmppDevice::on_message_stanza(const std::string& stanza) {
  if (attribute(stanza, "type") == "error") {
    return protocol_error("message bounced: " + stanza.substr(0, 300));
  }
  const std::size_t body = stanza.find("<body>");
  if (body == std::string::npos) return;  // no payload (e.g. a notice)
  auto stamp = PayloadPool::read_text_stamp(std::string_view(stanza).substr(body + 6));
  if (!stamp) return protocol_error("delivered body without a stamp");
  if (events_ != nullptr) events_->on_deliver(*this, stamp->seq, stamp->send_ns);
}

void XmppDevice::on_iq(const std::string& stanza) {
  const std::string_view id = attribute(stanza, "id");
  const std::string_view type = attribute(stanza, "type");
  const bool ok = type == "result";
  if (type == "get" || type == "set") {
    // A server request (e.g. a ping): answered, as a client must.
    connection_->send("<iq type='result' id='" + std::string(id) + "'/>");
    return;
  }
  if (id == "reg" && state_ == State::registering) {
    state_ = State::features;
    std::uint32_t status = kOk;
    std::string message;
    if (!ok) {
      status = stanza.find("<conflict") != std::string::npos ? 409 : 400;
      message = stanza.substr(0, 300);
    } else {
      registered_ = true;
    }
    if (events_ != nullptr) events_->on_created(*this, status, message);
    return;
  }
  if (id == "bind" && state_ == State::binding) {
    if (!ok) {
      state_ = State::features;
      if (events_ != nullptr) events_->on_logged_in(*this, 400, "bind: " + stanza.substr(0, 300));
      return;
    }
    state_ = State::presence;
    connection_->send("<presence/>");
    return;
  }
  if (id.size() > 1 && id[0] == 'b') {
    std::uint64_t n = 0;
    std::from_chars(id.data() + 1, id.data() + id.size(), n);
    if (barriers_.empty() || barriers_.front().id != n) {
      return protocol_error("unexpected ping answer " + std::string(id));
    }
    const std::size_t covers = barriers_.front().covers;
    barriers_.pop_front();
    const std::uint32_t status = ok ? kOk : 500;
    for (std::size_t i = 0; i < covers && !unanswered_.empty(); ++i) {
      const std::uint64_t tag = unanswered_.front();
      unanswered_.pop_front();
      if (events_ != nullptr) events_->on_send_answer(*this, tag, status);
    }
    return;
  }
  protocol_error("unexpected iq: " + stanza.substr(0, 300));
}

void XmppDevice::protocol_error(const std::string& what) {
  if (events_ != nullptr) events_->on_protocol_error(*this, what);
}

void XmppDevice::on_closed(const std::string& why) {
  online_ = false;
  state_ = State::idle;
  if (events_ != nullptr) events_->on_closed(*this, why);
}

}  // namespace sotto::bench
