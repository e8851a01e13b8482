// SPDX-License-Identifier: Apache-2.0
#include <algorithm>
#include <atomic>
#include <future>
#include <mutex>
#include <thread>
#include <optional>
#include <vector>

#include "conformance_support.hpp"

namespace sotto::storage::testing {
namespace {

template <class B>
class MailboxConformance : public StorageTest<B> {
 protected:
  void SetUp() override {
    StorageTest<B>::SetUp();
    a_ = this->add_account(1, "nina");
    ASSERT_OK(this->devices().add_device(make_device(a_, 2)));
  }
  // Reopens with caps and starts over with a fresh account (a reopened
  // persistent store still has the old one).
  void use_limits(MailboxLimits limits) {
    this->reopen(limits);
    (void)this->accounts().delete_account(a_);
    a_ = this->add_account(1, "nina");
  }
  std::vector<StoredEnvelope> all(DeviceId device) {
    auto fetched = this->mailbox().fetch(a_, device, 0, 1'000'000);
    EXPECT_TRUE(fetched);
    return fetched ? *fetched : std::vector<StoredEnvelope>{};
  }
  std::uint64_t count(DeviceId device) {
    auto n = this->mailbox().count(a_, device);
    EXPECT_TRUE(n);
    return n ? *n : ~std::uint64_t{0};
  }
  AccountId a_;
};
TYPED_TEST_SUITE(MailboxConformance, AllBackends);

TYPED_TEST(MailboxConformance, EnqueueFetchAck) {
  NewEnvelope env = make_envelope(this->a_, 1, 7, 200, 5'000);
  ASSERT_OK(this->put(env));
  EXPECT_EQ(this->count(1), 1u);
  EXPECT_EQ(this->count(2), 0u);

  auto got = this->all(1);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_GT(got[0].seq, 0u);
  EXPECT_EQ(got[0].guid, env.guid);
  EXPECT_EQ(got[0].sender, env.sender);
  EXPECT_EQ(got[0].envelope, env.envelope);
  EXPECT_EQ(got[0].expires_ms, 5'000);
  EXPECT_TRUE(this->all(2).empty());

  ASSERT_OK(this->mailbox().ack(this->a_, 1, env.guid));
  EXPECT_EQ(this->count(1), 0u);
  EXPECT_TRUE(this->all(1).empty());
  EXPECT_ERRC(this->mailbox().ack(this->a_, 1, env.guid), Errc::not_found);
}

TYPED_TEST(MailboxConformance, InsertionOrderAcrossManyEnqueues) {
  std::vector<std::uint32_t> sent1, sent2;
  std::uint32_t n = 0;
  for (int call = 0; call < 40; ++call) {
    std::vector<NewEnvelope> batch;
    for (int i = 0; i < 5; ++i, ++n) {
      DeviceId d = (n % 3 == 0) ? 2 : 1;
      (d == 1 ? sent1 : sent2).push_back(n);
      batch.push_back(make_envelope(this->a_, d, n));
    }
    auto r = this->mailbox().enqueue(std::move(batch));
    ASSERT_OK(r);
    for (const auto& s : *r) ASSERT_OK(s);
  }
  for (DeviceId d : {1u, 2u}) {
    const auto& sent = d == 1 ? sent1 : sent2;
    auto got = this->all(d);
    ASSERT_EQ(got.size(), sent.size());
    for (std::size_t i = 0; i < got.size(); ++i) {
      EXPECT_EQ(got[i].guid, guid(sent[i])) << "position " << i;
      if (i > 0) {
        EXPECT_GT(got[i].seq, got[i - 1].seq);
      }
    }
    // Paging with after_seq walks the same order.
    std::vector<StoredEnvelope> paged;
    std::uint64_t after = 0;
    for (;;) {
      auto page = this->mailbox().fetch(this->a_, d, after, 7);
      ASSERT_OK(page);
      if (page->empty()) break;
      EXPECT_LE(page->size(), 7u);
      after = page->back().seq;
      paged.insert(paged.end(), page->begin(), page->end());
    }
    ASSERT_EQ(paged.size(), got.size());
    for (std::size_t i = 0; i < got.size(); ++i) EXPECT_EQ(paged[i].guid, got[i].guid);
  }
  auto none = this->mailbox().fetch(this->a_, 1, 0, 0);
  ASSERT_OK(none);
  EXPECT_TRUE(none->empty());
}

// A seq handed out once is never handed out again, even after the message
// that held the highest seq is acked: a reader resuming "after seq" would
// otherwise skip the new message.
TYPED_TEST(MailboxConformance, SeqIsNeverReused) {
  ASSERT_OK(this->put(make_envelope(this->a_, 1, 1)));
  auto first = this->all(1);
  ASSERT_EQ(first.size(), 1u);
  ASSERT_OK(this->mailbox().ack(this->a_, 1, guid(1)));
  ASSERT_OK(this->put(make_envelope(this->a_, 1, 2)));
  auto next = this->mailbox().fetch(this->a_, 1, first[0].seq, 10);
  ASSERT_OK(next);
  ASSERT_EQ(next->size(), 1u);
  EXPECT_GT((*next)[0].seq, first[0].seq);
}

// The seq each enqueue reports is the one fetch returns: the server pushes
// new envelopes straight from the callback and must agree with later reads.
TYPED_TEST(MailboxConformance, EnqueueReportsTheStoredSeq) {
  auto r = this->mailbox().enqueue({make_envelope(this->a_, 1, 1), make_envelope(this->a_, 2, 2),
                                    make_envelope(this->a_, 1, 3)});
  ASSERT_OK(r);
  ASSERT_EQ(r->size(), 3u);
  for (const auto& one : *r) {
    ASSERT_OK(one);
    EXPECT_NE(*one, kAlreadyQueued);
  }
  EXPECT_LT(*(*r)[0], *(*r)[1]);
  EXPECT_LT(*(*r)[1], *(*r)[2]);
  const auto on_first = this->all(1);
  ASSERT_EQ(on_first.size(), 2u);
  EXPECT_EQ(on_first[0].seq, *(*r)[0]);
  EXPECT_EQ(on_first[1].seq, *(*r)[2]);
  const auto on_second = this->all(2);
  ASSERT_EQ(on_second.size(), 1u);
  EXPECT_EQ(on_second[0].seq, *(*r)[1]);
}

// Callbacks come in seq order even when many threads enqueue at once.
TYPED_TEST(MailboxConformance, EnqueueCallbacksRunInSeqOrder) {
  constexpr int kThreads = 4;
  constexpr int kPerThread = 50;
  std::mutex mu;
  std::vector<std::uint64_t> order;
  std::atomic<int> done{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        this->mailbox().enqueue_async(
            {make_envelope(this->a_, 1, static_cast<std::uint32_t>(1000 + t * kPerThread + i))},
            [&](Result<EnqueueResults> r) {
              if (r && r->size() == 1 && (*r)[0]) {
                std::lock_guard lock(mu);
                order.push_back(*(*r)[0]);
              }
              done.fetch_add(1);
            });
      }
    });
  }
  for (auto& thread : threads) thread.join();
  while (done.load() < kThreads * kPerThread) std::this_thread::yield();
  std::lock_guard lock(mu);
  ASSERT_EQ(order.size(), static_cast<std::size_t>(kThreads * kPerThread));
  EXPECT_TRUE(std::is_sorted(order.begin(), order.end()));
}

TYPED_TEST(MailboxConformance, DuplicateGuidIsIdempotent) {
  NewEnvelope env = make_envelope(this->a_, 1, 42);
  ASSERT_OK(this->put(env));
  ASSERT_OK(this->put(env));
  auto r = this->mailbox().enqueue({env, env});
  ASSERT_OK(r);
  ASSERT_EQ(r->size(), 2u);
  ASSERT_OK((*r)[0]);
  ASSERT_OK((*r)[1]);
  EXPECT_EQ(*(*r)[0], kAlreadyQueued);
  EXPECT_EQ(*(*r)[1], kAlreadyQueued);
  EXPECT_EQ(this->count(1), 1u);
  // Same guid aimed at another device: still the one stored message.
  NewEnvelope elsewhere = env;
  elsewhere.device = 2;
  ASSERT_OK(this->put(elsewhere));
  EXPECT_EQ(this->count(2), 0u);
}

TYPED_TEST(MailboxConformance, UnknownDeviceIsReportedPerItem) {
  auto r = this->mailbox().enqueue({make_envelope(this->a_, 1, 1), make_envelope(this->a_, 3, 2),
                                    make_envelope(account_id(9), 1, 3),
                                    make_envelope(this->a_, 2, 4)});
  ASSERT_OK(r);
  ASSERT_EQ(r->size(), 4u);
  ASSERT_OK((*r)[0]);
  EXPECT_ERRC((*r)[1], Errc::not_found);
  EXPECT_ERRC((*r)[2], Errc::not_found);
  ASSERT_OK((*r)[3]);
  EXPECT_EQ(this->count(1), 1u);
  EXPECT_EQ(this->count(2), 1u);
  EXPECT_ERRC(this->mailbox().fetch(this->a_, 3, 0, 10), Errc::not_found);
  EXPECT_ERRC(this->mailbox().count(this->a_, 3), Errc::not_found);
  EXPECT_ERRC(this->mailbox().ack(this->a_, 3, guid(1)), Errc::not_found);
}

TYPED_TEST(MailboxConformance, AckManyReportsEachGuid) {
  for (std::uint32_t n = 1; n <= 4; ++n) ASSERT_OK(this->put(make_envelope(this->a_, 1, n, 10)));
  auto r = this->mailbox().ack_many(this->a_, 1, {guid(2), guid(9), guid(4), guid(2)});
  ASSERT_OK(r);
  ASSERT_EQ(r->size(), 4u);
  ASSERT_OK((*r)[0]);
  EXPECT_ERRC((*r)[1], Errc::not_found);
  ASSERT_OK((*r)[2]);
  EXPECT_ERRC((*r)[3], Errc::not_found);  // already acked earlier in the same call
  auto left = this->all(1);
  ASSERT_EQ(left.size(), 2u);
  EXPECT_EQ(left[0].guid, guid(1));
  EXPECT_EQ(left[1].guid, guid(3));
  auto none = this->mailbox().ack_many(this->a_, 1, {});
  ASSERT_OK(none);
  EXPECT_TRUE(none->empty());
}

TYPED_TEST(MailboxConformance, AckNeedsTheRightDevice) {
  ASSERT_OK(this->put(make_envelope(this->a_, 1, 1)));
  EXPECT_ERRC(this->mailbox().ack(this->a_, 2, guid(1)), Errc::not_found);
  EXPECT_ERRC(this->mailbox().ack(this->a_, 1, guid(2)), Errc::not_found);
  EXPECT_EQ(this->count(1), 1u);
}

TYPED_TEST(MailboxConformance, CountCapIsReportedNotSilent) {
  this->use_limits({.max_messages = 3, .max_bytes = 1 << 20});
  auto r = this->mailbox().enqueue({make_envelope(this->a_, 1, 1), make_envelope(this->a_, 1, 2),
                                    make_envelope(this->a_, 1, 3), make_envelope(this->a_, 1, 4),
                                    make_envelope(this->a_, 1, 5)});
  ASSERT_OK(r);
  ASSERT_EQ(r->size(), 5u);
  for (int i = 0; i < 3; ++i) ASSERT_OK((*r)[i]);
  EXPECT_ERRC((*r)[3], Errc::queue_full);
  EXPECT_ERRC((*r)[4], Errc::queue_full);
  EXPECT_EQ(this->count(1), 3u);
  auto got = this->all(1);
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[2].guid, guid(3));

  EXPECT_ERRC(this->put(make_envelope(this->a_, 1, 6)), Errc::queue_full);
  ASSERT_OK(this->mailbox().ack(this->a_, 1, guid(1)));  // room again
  ASSERT_OK(this->put(make_envelope(this->a_, 1, 6)));
  EXPECT_ERRC(this->put(make_envelope(this->a_, 1, 7)), Errc::queue_full);
}

TYPED_TEST(MailboxConformance, ByteCapIsReportedNotSilent) {
  this->use_limits({.max_messages = 1000, .max_bytes = 100});
  ASSERT_OK(this->put(make_envelope(this->a_, 1, 1, 40)));
  ASSERT_OK(this->put(make_envelope(this->a_, 1, 2, 40)));
  EXPECT_ERRC(this->put(make_envelope(this->a_, 1, 3, 40)), Errc::queue_full);
  ASSERT_OK(this->put(make_envelope(this->a_, 1, 4, 20)));  // exactly at the cap
  EXPECT_ERRC(this->put(make_envelope(this->a_, 1, 5, 1)), Errc::queue_full);
  EXPECT_EQ(this->count(1), 3u);
  ASSERT_OK(this->mailbox().ack(this->a_, 1, guid(2)));
  ASSERT_OK(this->put(make_envelope(this->a_, 1, 3, 40)));
}

TYPED_TEST(MailboxConformance, ExpiryDeletesAndReportsEachEnvelope) {
  ASSERT_OK(this->put(make_envelope(this->a_, 1, 1, 16, 300)));
  ASSERT_OK(this->put(make_envelope(this->a_, 2, 2, 16, 100)));
  ASSERT_OK(this->put(make_envelope(this->a_, 1, 3, 16, 200)));
  ASSERT_OK(this->put(make_envelope(this->a_, 1, 4, 16, 10'000)));

  auto expired = this->mailbox().expire(200, 100);
  ASSERT_OK(expired);
  ASSERT_EQ(expired->size(), 2u);
  EXPECT_EQ((*expired)[0].guid, guid(2));  // earliest expiry first
  EXPECT_EQ((*expired)[0].account, this->a_);
  EXPECT_EQ((*expired)[0].device, 2u);
  EXPECT_EQ((*expired)[0].sender, to_bytes("sender-2"));
  EXPECT_EQ((*expired)[1].guid, guid(3));
  EXPECT_EQ((*expired)[1].device, 1u);
  EXPECT_EQ((*expired)[1].sender, to_bytes("sender-3"));

  EXPECT_EQ(this->count(1), 2u);
  EXPECT_EQ(this->count(2), 0u);
  expired = this->mailbox().expire(200, 100);
  ASSERT_OK(expired);
  EXPECT_TRUE(expired->empty());

  expired = this->mailbox().expire(20'000, 1);  // the limit bounds one pass
  ASSERT_OK(expired);
  ASSERT_EQ(expired->size(), 1u);
  EXPECT_EQ((*expired)[0].guid, guid(1));
  EXPECT_EQ(this->count(1), 1u);
  auto left = this->all(1);
  ASSERT_EQ(left.size(), 1u);
  EXPECT_EQ(left[0].guid, guid(4));
}

TYPED_TEST(MailboxConformance, ExpiryQueuesNoticesInTheSameTransaction) {
  ASSERT_OK(this->put(make_envelope(this->a_, 1, 1, 16, 100)));
  ASSERT_OK(this->put(make_envelope(this->a_, 1, 2, 16, 100)));
  ASSERT_OK(this->put(make_envelope(this->a_, 1, 3, 16, 100)));
  // Notices go to device 2; the one for guid 3 names a device that does not
  // exist and is skipped, and guid 2 gets none.
  std::vector<Guid> asked;
  auto notice = [&](const ExpiredEnvelope& e) -> std::optional<NewEnvelope> {
    asked.push_back(e.guid);
    if (e.guid == guid(2)) return std::nullopt;
    const DeviceId to = e.guid == guid(3) ? 9 : 2;
    const auto n = static_cast<std::uint32_t>(100 + asked.size());
    return NewEnvelope{
        this->a_, to, guid(n), to_bytes("notice"), Bytes(e.guid.begin(), e.guid.end()), 5'000};
  };
  auto expired = this->mailbox().expire(100, 10, notice);
  ASSERT_OK(expired);
  EXPECT_EQ(expired->size(), 3u);
  EXPECT_EQ(asked, (std::vector<Guid>{guid(1), guid(2), guid(3)}));
  EXPECT_EQ(this->count(1), 0u);
  auto notices = this->all(2);
  ASSERT_EQ(notices.size(), 1u);
  EXPECT_EQ(notices[0].sender, to_bytes("notice"));
  const Guid first = guid(1);
  EXPECT_EQ(notices[0].envelope, Bytes(first.begin(), first.end()));
  EXPECT_EQ(notices[0].expires_ms, 5'000);
}

TYPED_TEST(MailboxConformance, ExpiryNoticeRespectsTheCap) {
  this->use_limits({.max_messages = 1, .max_bytes = 1 << 20});
  ASSERT_OK(this->devices().add_device(make_device(this->a_, 2)));
  ASSERT_OK(this->put(make_envelope(this->a_, 1, 1, 16, 100)));
  ASSERT_OK(this->put(make_envelope(this->a_, 2, 2, 16, 10'000)));  // device 2 is full
  auto notice = [&](const ExpiredEnvelope&) -> std::optional<NewEnvelope> {
    return make_envelope(this->a_, 2, 50, 16, 20'000);
  };
  auto expired = this->mailbox().expire(100, 10, notice);
  ASSERT_OK(expired);
  EXPECT_EQ(expired->size(), 1u);  // the expiry itself still happened
  EXPECT_EQ(this->count(2), 1u);
  EXPECT_EQ(this->all(2)[0].guid, guid(2));
}

TYPED_TEST(MailboxConformance, ExpiryFreesQueueRoom) {
  this->use_limits({.max_messages = 1, .max_bytes = 1 << 20});
  ASSERT_OK(this->put(make_envelope(this->a_, 1, 1, 16, 100)));
  EXPECT_ERRC(this->put(make_envelope(this->a_, 1, 2, 16, 100)), Errc::queue_full);
  auto expired = this->mailbox().expire(100, 10);
  ASSERT_OK(expired);
  EXPECT_EQ(expired->size(), 1u);
  ASSERT_OK(this->put(make_envelope(this->a_, 1, 2, 16, 100)));
}

TYPED_TEST(MailboxConformance, AsyncCallsCompleteOnceAfterTheChange) {
  std::promise<Result<EnqueueResults>> enqueued;
  this->mailbox().enqueue_async({make_envelope(this->a_, 1, 1)},
                                [&](Result<EnqueueResults> r) { enqueued.set_value(r); });
  auto r = enqueued.get_future().get();
  ASSERT_OK(r);
  ASSERT_EQ(r->size(), 1u);
  ASSERT_OK((*r)[0]);
  EXPECT_EQ(this->count(1), 1u);

  std::promise<Status> acked;
  this->mailbox().ack_async(this->a_, 1, guid(1), [&](Status s) { acked.set_value(s); });
  ASSERT_OK(acked.get_future().get());
  EXPECT_EQ(this->count(1), 0u);
}

}  // namespace
}  // namespace sotto::storage::testing
