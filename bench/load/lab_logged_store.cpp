// SPDX-License-Identifier: Apache-2.0
#include "lab_logged_store.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <utility>

#include "sotto/core/bytes.hpp"

namespace sotto::bench {

namespace {

using storage::AccountId;
using storage::DeviceId;
using storage::Guid;

// A real log would rotate segments and delete the ones whose messages are
// all acked or settled; cutting the file back costs about the same.
constexpr std::size_t kLogBytesBeforeTruncate = std::size_t{64} << 20;

void put_u32(Bytes& out, std::uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<std::uint8_t>(v >> shift));
}

void put(Bytes& out, ByteView bytes) { out.insert(out.end(), bytes.begin(), bytes.end()); }

[[noreturn]] void die(const char* what) {
  std::fprintf(stderr, "sottod-memory-log: log %s failed: %s\n", what, std::strerror(errno));
  std::abort();
}

class LoggedMailbox final : public storage::MailboxStore {
 public:
  LoggedMailbox(storage::MailboxStore& inner, int fd) : inner_(inner), fd_(fd) {
    thread_ = std::thread([this] { loop(); });
  }

  ~LoggedMailbox() override {
    {
      std::lock_guard lock(mu_);
      stopping_ = true;
    }
    cv_.notify_all();
    thread_.join();
    ::close(fd_);
  }

  LoggedMailbox(const LoggedMailbox&) = delete;
  LoggedMailbox& operator=(const LoggedMailbox&) = delete;

  void enqueue_async(std::vector<storage::NewEnvelope> batch,
                     storage::EnqueueCallback done) override {
    Bytes record;
    for (const auto& e : batch) {
      put_u32(record,
              static_cast<std::uint32_t>(16 + 4 + 16 + e.sender.size() + e.envelope.size()));
      put(record, e.account);
      put_u32(record, e.device);
      put(record, e.guid);
      put(record, e.sender);
      put(record, e.envelope);
    }
    append(record, [this, batch = std::move(batch), done = std::move(done)]() mutable {
      inner_.enqueue_async(std::move(batch), std::move(done));
    });
  }

  void ack_many_async(const AccountId& account, DeviceId device, std::vector<Guid> guids,
                      storage::AckCallback done) override {
    Bytes record;
    put_u32(record, static_cast<std::uint32_t>(16 + 4 + 16 * guids.size()));
    put(record, account);
    put_u32(record, device);
    for (const auto& g : guids) put(record, g);
    append(record,
           [this, account, device, guids = std::move(guids), done = std::move(done)]() mutable {
             inner_.ack_many_async(account, device, std::move(guids), std::move(done));
           });
  }

  Result<std::vector<storage::StoredEnvelope>> fetch(const AccountId& account, DeviceId device,
                                                     std::uint64_t after_seq,
                                                     std::size_t limit) override {
    return inner_.fetch(account, device, after_seq, limit);
  }

  Result<std::uint64_t> count(const AccountId& account, DeviceId device) override {
    return inner_.count(account, device);
  }

  Result<std::vector<storage::ExpiredEnvelope>> expire(
      std::int64_t now_ms, std::size_t limit, const storage::ExpiryNotice& notice) override {
    return inner_.expire(now_ms, limit, notice);
  }

 private:
  void append(const Bytes& record, std::function<void()> apply) {
    {
      std::lock_guard lock(mu_);
      buffer_.insert(buffer_.end(), record.begin(), record.end());
      pending_.push_back(std::move(apply));
    }
    cv_.notify_one();
  }

  // Write what was appended, sync it, then apply it in order; meanwhile new
  // appends gather for the next round (group commit).
  void loop() {
    Bytes buffer;
    std::vector<std::function<void()>> pending;
    for (;;) {
      {
        std::unique_lock lock(mu_);
        cv_.wait(lock, [&] { return stopping_ || !pending_.empty(); });
        if (pending_.empty()) return;  // stopping, nothing left
        buffer.swap(buffer_);
        pending.swap(pending_);
      }
      // A lab build that cannot make its log durable must not answer as if it
      // had: the run stops loudly instead (the bench reports the server gone).
      write_all(buffer);
      if (::fdatasync(fd_) != 0) die("fdatasync");
      written_ += buffer.size();
      if (written_ > kLogBytesBeforeTruncate) {
        if (::ftruncate(fd_, 0) != 0 || ::lseek(fd_, 0, SEEK_SET) != 0) die("truncate");
        written_ = 0;
      }
      buffer.clear();
      for (auto& apply : pending) apply();
      pending.clear();
    }
  }

  void write_all(const Bytes& bytes) {
    std::size_t done = 0;
    while (done < bytes.size()) {
      const ssize_t n = ::write(fd_, bytes.data() + done, bytes.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) die("write");
      done += static_cast<std::size_t>(n);
    }
  }

  storage::MailboxStore& inner_;
  const int fd_;
  std::mutex mu_;
  std::condition_variable cv_;
  Bytes buffer_;  // guarded by mu_
  // Changes whose records are in buffer_, applied once they are on disk.
  std::vector<std::function<void()>> pending_;  // guarded by mu_
  bool stopping_ = false;                       // guarded by mu_
  std::size_t written_ = 0;                     // the log thread's
  std::thread thread_;
};

class LoggedStorage final : public storage::Storage {
 public:
  LoggedStorage(std::unique_ptr<storage::Storage> inner, int fd)
      : inner_(std::move(inner)), mailbox_(inner_->mailbox(), fd) {}
  storage::AccountStore& accounts() override { return inner_->accounts(); }
  storage::DeviceStore& devices() override { return inner_->devices(); }
  storage::KeyStore& keys() override { return inner_->keys(); }
  storage::MailboxStore& mailbox() override { return mailbox_; }

 private:
  std::unique_ptr<storage::Storage> inner_;
  LoggedMailbox mailbox_;  // after inner_: stops (and completes) before it goes
};

}  // namespace

Result<std::unique_ptr<storage::Storage>> make_logged_memory_storage(
    const std::filesystem::path& log_path, storage::MailboxLimits limits) {
  const int fd = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) {
    return fail(Errc::internal, "cannot open " + log_path.string() + ": " + std::strerror(errno));
  }
  return std::unique_ptr<storage::Storage>(
      std::make_unique<LoggedStorage>(storage::make_memory_storage(limits), fd));
}

}  // namespace sotto::bench
