// A Transport that sends again what failed for a passing reason, with jittered exponential
// back-off, wrapped around another Transport.
//
// What is retried:
// - answers 429 and 503, and 400s whose error code says throttling (Throttling,
//   ThrottlingException, SlowDown, RequestLimitExceeded, TooManyRequestsException,
//   ProvisionedThroughputExceededException): the server did not act on the request, so
//   these are retried for every request;
// - answers 500, 502 and 504, and the transport failures ErrorCode::timeout and
//   ErrorCode::unreachable: the request may or may not have taken effect, so these are
//   retried only for idempotent requests (HttpRequest::is_idempotent());
// - never: TLS failures, 4xx other than the above, io errors of our own files.
// Delays: attempt n (from 1) waits uniform(0, min(max_delay, base_delay * 2^(n-1))) ("full
// jitter"), or the server's Retry-After (seconds) when that is longer. No attempt starts when
// the delay would take the time since the first attempt past max_total, or when max_attempts
// were made: then the last answer or failure is returned as it was.
#pragma once

#include <chrono>
#include <functional>
#include <string>

#include "net/clock.hpp"
#include "net/http.hpp"

namespace lpack::net {

struct RetryPolicy {
  int max_attempts = 4;  // including the first
  std::chrono::milliseconds base_delay{250};
  std::chrono::milliseconds max_delay{8'000};
  std::chrono::milliseconds max_total{60'000};
};

// Whether a 4xx answer's body names a throttling error.
bool is_throttling_answer(const HttpResponse& response);

class RetryingTransport final : public Transport {
 public:
  // `inner`, `clock` and `random` must outlive this transport.
  RetryingTransport(Transport& inner, RetryPolicy policy, Clock& clock, Random& random);

  Result<HttpResponse> send(const HttpRequest& request) override;

  // Called before each pause with a one-line description ("PUT https://host/x: HTTP 503,
  // attempt 2 of 4 in 0.4 s"), for progress output; may be empty. No secrets: URLs lose
  // their userinfo and no header is shown.
  void set_on_retry(std::function<void(const std::string&)> callback) {
    m_on_retry = std::move(callback);
  }

 private:
  Transport& m_inner;
  RetryPolicy m_policy;
  Clock& m_clock;
  Random& m_random;
  std::function<void(const std::string&)> m_on_retry;
};

// The delay before attempt `attempt` + 1 (attempt >= 1), before any Retry-After.
std::chrono::milliseconds backoff_delay(const RetryPolicy& policy, int attempt, double uniform);

// Retry-After's value in seconds ("120"); an HTTP-date or junk gives nullopt.
std::optional<std::chrono::milliseconds> parse_retry_after(std::string_view value);

}  // namespace lpack::net
