// The retrying transport with a scripted transport and a pinned clock: nothing really waits,
// and the pauses are read back from the clock.
#include <gtest/gtest.h>

#include "fake_transport.hpp"
#include "net/retry.hpp"

namespace lpack::net {
namespace {

using std::chrono::milliseconds;
using test::FakeTransport;
using test::response;

struct RetryFixture : ::testing::Test {
  FakeTransport inner;
  ManualClock clock{std::chrono::system_clock::from_time_t(1'700'000'000)};
  FixedRandom random{0.5};
  RetryPolicy policy{.max_attempts = 4,
                     .base_delay = milliseconds(100),
                     .max_delay = milliseconds(1000),
                     .max_total = milliseconds(60'000)};
  RetryingTransport transport{inner, policy, clock, random};

  static HttpRequest get() {
    HttpRequest r;
    r.url = "http://127.0.0.1:1/x";
    return r;
  }
  static HttpRequest post() {
    HttpRequest r;
    r.method = "POST";
    r.url = "http://127.0.0.1:1/x";
    return r;
  }
};

TEST_F(RetryFixture, RetriesA503ThenReturnsTheSuccess) {
  inner.push(response(503));
  inner.push(response(503));
  inner.push(response(200, "ok"));
  auto r = transport.send(get());
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(inner.count(), 3u);
  // Full jitter at 0.5: 0.5 * 100 ms, then 0.5 * 200 ms.
  EXPECT_EQ(clock.slept(), milliseconds(150));
}

TEST_F(RetryFixture, GivesUpAfterMaxAttemptsWithTheLastAnswer) {
  for (int i = 0; i < 10; ++i)
    inner.push(response(500, "<Error><Code>InternalError</Code></Error>"));
  auto r = transport.send(get());
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 500);
  EXPECT_EQ(inner.count(), 4u);
}

TEST_F(RetryFixture, HonoursRetryAfter) {
  inner.push(response(429, "", {{"Retry-After", "3"}}));
  inner.push(response(200));
  ASSERT_TRUE(transport.send(get()));
  EXPECT_EQ(clock.slept(), milliseconds(3000));
}

TEST_F(RetryFixture, RetryAfterBeyondTheTotalBudgetReturnsAtOnce) {
  inner.push(response(503, "", {{"Retry-After", "120"}}));
  inner.push(response(200));
  auto r = transport.send(get());
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 503);
  EXPECT_EQ(inner.count(), 1u);
  EXPECT_EQ(clock.slept(), milliseconds(0));
}

TEST_F(RetryFixture, BackoffIsExponentialAndCapped) {
  EXPECT_EQ(backoff_delay(policy, 1, 1.0), milliseconds(100));
  EXPECT_EQ(backoff_delay(policy, 2, 1.0), milliseconds(200));
  EXPECT_EQ(backoff_delay(policy, 4, 1.0), milliseconds(800));
  EXPECT_EQ(backoff_delay(policy, 5, 1.0), milliseconds(1000));
  EXPECT_EQ(backoff_delay(policy, 40, 1.0), milliseconds(1000));
  EXPECT_EQ(backoff_delay(policy, 3, 0.0), milliseconds(0));
}

TEST_F(RetryFixture, TimeoutsAndResetsAreRetriedForIdempotentRequests) {
  inner.push(Error(ErrorCode::timeout, "GET x: no answer in time"));
  inner.push(Error(ErrorCode::unreachable, "GET x: connection reset"));
  inner.push(response(200));
  auto r = transport.send(get());
  ASSERT_TRUE(r);
  EXPECT_EQ(inner.count(), 3u);
}

TEST_F(RetryFixture, NonIdempotentPostIsNotRetriedOnAResetOrA500) {
  inner.push(Error(ErrorCode::unreachable, "POST x: connection reset"));
  auto r = transport.send(post());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), ErrorCode::unreachable);
  EXPECT_EQ(inner.count(), 1u);

  inner.push(response(500));
  auto r2 = transport.send(post());
  ASSERT_TRUE(r2);
  EXPECT_EQ(r2->status, 500);
  EXPECT_EQ(inner.count(), 2u);
}

TEST_F(RetryFixture, ThrottlingIsRetriedEvenForPost) {
  inner.push(response(429));
  inner.push(response(400,
                      "<ErrorResponse><Error><Code>Throttling</Code><Message>Rate "
                      "exceeded</Message></Error></ErrorResponse>"));
  inner.push(response(400, R"({"__type":"TooManyRequestsException","message":"slow down"})"));
  inner.push(response(200));
  auto r = transport.send(post());
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(inner.count(), 4u);
}

TEST_F(RetryFixture, PostMarkedIdempotentIsRetriedOnA500) {
  inner.push(response(500));
  inner.push(response(200));
  HttpRequest r = post();
  r.idempotent = true;
  ASSERT_EQ(transport.send(r)->status, 200);
}

TEST_F(RetryFixture, TlsFailuresAndClientErrorsAreNotRetried) {
  inner.push(Error(ErrorCode::tls, "GET x: TLS failed"));
  EXPECT_EQ(transport.send(get()).error().code(), ErrorCode::tls);
  inner.push(response(403, "<Error><Code>AccessDenied</Code></Error>"));
  EXPECT_EQ(transport.send(get())->status, 403);
  inner.push(response(404));
  EXPECT_EQ(transport.send(get())->status, 404);
  EXPECT_EQ(inner.count(), 3u);
}

TEST_F(RetryFixture, TheTotalTimeBoundsTheAttempts) {
  RetryPolicy tight = policy;
  tight.max_attempts = 100;
  tight.max_total = milliseconds(1000);
  RetryingTransport bounded(inner, tight, clock, random);
  inner.set_handler([&](const HttpRequest&) -> Result<HttpResponse> {
    clock.advance(milliseconds(300));  // each attempt takes 300 ms
    return response(503);
  });
  auto r = bounded.send(get());
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 503);
  EXPECT_LE(inner.count(), 4u);
  EXPECT_GE(inner.count(), 2u);
}

TEST_F(RetryFixture, ProgressCallbackNamesNoSecret) {
  std::vector<std::string> lines;
  transport.set_on_retry([&](const std::string& line) { lines.push_back(line); });
  inner.push(response(503));
  inner.push(response(200));
  HttpRequest r = get();
  r.url = "https://user:hunter2@cache.example/ac/x";
  r.headers.emplace_back("Authorization", "Bearer sekrit");
  ASSERT_TRUE(transport.send(r));
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].find("hunter2"), std::string::npos);
  EXPECT_EQ(lines[0].find("sekrit"), std::string::npos);
  EXPECT_NE(lines[0].find("HTTP 503, attempt 2 of 4"), std::string::npos) << lines[0];
}

TEST(NetRetry, ParseRetryAfter) {
  EXPECT_EQ(parse_retry_after("7"), milliseconds(7000));
  EXPECT_EQ(parse_retry_after(" 0 "), milliseconds(0));
  EXPECT_FALSE(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"));
  EXPECT_FALSE(parse_retry_after("-1"));
}

}  // namespace
}  // namespace lpack::net
