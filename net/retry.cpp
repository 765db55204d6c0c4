#include "net/retry.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>

#include "base/redact.hpp"
#include "net/xml.hpp"

namespace lpack::net {

bool is_throttling_answer(const HttpResponse& response) {
  if (response.status < 400 || response.status >= 500) return false;
  static constexpr std::string_view k_codes[] = {"Throttling",
                                                 "ThrottlingException",
                                                 "ThrottledException",
                                                 "SlowDown",
                                                 "RequestLimitExceeded",
                                                 "TooManyRequestsException",
                                                 "RequestThrottled",
                                                 "RequestThrottledException",
                                                 "ProvisionedThroughputExceededException",
                                                 "BandwidthLimitExceeded"};
  std::string code;
  if (auto c = xml::text(response.body, "Code")) code = *c;
  if (code.empty()) {
    // JSON services: "__type" or x-amzn-ErrorType, possibly "prefix#Code".
    if (auto t = response.header("x-amzn-ErrorType")) code = *t;
    for (std::string_view k : k_codes) {
      if (response.body.find("\"" + std::string(k) + "\"") != std::string::npos ||
          response.body.find("#" + std::string(k) + "\"") != std::string::npos)
        return true;
    }
  }
  if (const size_t colon = code.find(':'); colon != std::string::npos) code.resize(colon);
  if (const size_t hash = code.rfind('#'); hash != std::string::npos) code = code.substr(hash + 1);
  return std::find(std::begin(k_codes), std::end(k_codes), code) != std::end(k_codes);
}

std::chrono::milliseconds backoff_delay(const RetryPolicy& policy, int attempt, double uniform) {
  const double cap = static_cast<double>(policy.max_delay.count());
  const double exp =
      static_cast<double>(policy.base_delay.count()) * std::ldexp(1.0, std::min(attempt - 1, 30));
  const double bound = std::min(cap, exp);
  return std::chrono::milliseconds(static_cast<int64_t>(std::clamp(uniform, 0.0, 1.0) * bound));
}

std::optional<std::chrono::milliseconds> parse_retry_after(std::string_view value) {
  while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  while (!value.empty() && value.back() == ' ') value.remove_suffix(1);
  int64_t seconds = 0;
  auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), seconds);
  if (ec != std::errc() || ptr != value.data() + value.size() || seconds < 0) return std::nullopt;
  return std::chrono::milliseconds(std::min<int64_t>(seconds, 24 * 3600) * 1000);
}

RetryingTransport::RetryingTransport(Transport& inner, RetryPolicy policy, Clock& clock,
                                     Random& random)
    : m_inner(inner), m_policy(policy), m_clock(clock), m_random(random) {}

Result<HttpResponse> RetryingTransport::send(const HttpRequest& request) {
  const auto start = m_clock.steady_now();
  const bool idempotent = request.is_idempotent();
  for (int attempt = 1;; ++attempt) {
    Result<HttpResponse> result = m_inner.send(request);
    bool retry = false;
    std::optional<std::chrono::milliseconds> retry_after;
    std::string cause;
    if (result) {
      const HttpResponse& r = *result;
      if (r.status == 429 || r.status == 503 || is_throttling_answer(r)) {
        retry = true;
      } else if (r.status == 500 || r.status == 502 || r.status == 504) {
        retry = idempotent;
      }
      if (retry) {
        if (auto h = r.header("Retry-After")) retry_after = parse_retry_after(*h);
        cause = "HTTP " + std::to_string(r.status);
      }
    } else {
      const ErrorCode code = result.error().code();
      retry = idempotent && (code == ErrorCode::timeout || code == ErrorCode::unreachable);
      cause = code == ErrorCode::timeout ? "timed out" : "connection failed";
    }
    if (!retry || attempt >= m_policy.max_attempts) return result;

    auto delay = backoff_delay(m_policy, attempt, m_random.uniform());
    if (retry_after && *retry_after > delay) delay = *retry_after;
    const auto elapsed =
        std::chrono::duration_cast<std::chrono::milliseconds>(m_clock.steady_now() - start);
    if (elapsed + delay > m_policy.max_total) return result;
    if (m_on_retry) {
      char seconds[32];
      std::snprintf(seconds, sizeof seconds, "%.1f", static_cast<double>(delay.count()) / 1000.0);
      m_on_retry(request.method + " " + strip_url_credentials(request.url) + ": " + cause +
                 ", attempt " + std::to_string(attempt + 1) + " of " +
                 std::to_string(m_policy.max_attempts) + " in " + seconds + " s");
    }
    m_clock.sleep(delay);
  }
}

}  // namespace lpack::net
