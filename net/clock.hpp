// Time and chance, as seams: the retry loop, SigV4's request date, credential expiry and the
// remote cache's timings read the time only through a Clock, and back-off jitter comes from
// a Random. Tests pass a ManualClock (sleep advances it, nothing waits) and a fixed Random.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <random>
#include <string>

namespace lpack::net {

class Clock {
 public:
  virtual ~Clock() = default;
  // Wall-clock time (SigV4's x-amz-date, credential expiry).
  virtual std::chrono::system_clock::time_point now() = 0;
  // A monotonic reading for measuring elapsed time and deadlines.
  virtual std::chrono::steady_clock::time_point steady_now() = 0;
  virtual void sleep(std::chrono::milliseconds duration) = 0;
};

// The real clock. Thread-safe.
class SystemClock final : public Clock {
 public:
  std::chrono::system_clock::time_point now() override;
  std::chrono::steady_clock::time_point steady_now() override;
  void sleep(std::chrono::milliseconds duration) override;
};
// One process-wide SystemClock.
Clock& system_clock();

// A clock for tests: it starts at `start`, moves only by advance() and sleep(), and records
// the total slept. Thread-safe.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(std::chrono::system_clock::time_point start);
  std::chrono::system_clock::time_point now() override;
  std::chrono::steady_clock::time_point steady_now() override;
  void sleep(std::chrono::milliseconds duration) override;
  void advance(std::chrono::milliseconds duration);
  std::chrono::milliseconds slept() const;

 private:
  mutable std::mutex m_mutex;
  std::chrono::system_clock::time_point m_now;
  std::chrono::milliseconds m_offset{0};
  std::chrono::milliseconds m_slept{0};
};

// A source of uniform numbers in [0, 1) for jitter.
class Random {
 public:
  virtual ~Random() = default;
  virtual double uniform() = 0;
};

// Seeded from std::random_device. Thread-safe.
class SystemRandom final : public Random {
 public:
  SystemRandom();
  double uniform() override;

 private:
  std::mutex m_mutex;
  std::mt19937_64 m_engine;
};
Random& system_random();

// Always returns the same value (tests).
class FixedRandom final : public Random {
 public:
  explicit FixedRandom(double value) : m_value(value) {}
  double uniform() override { return m_value; }

 private:
  double m_value;
};

// "20150830T123600Z" (SigV4's x-amz-date) and "20150830" for a time point, in UTC.
std::string amz_date(std::chrono::system_clock::time_point time);
std::string amz_day(std::chrono::system_clock::time_point time);
// Parses "2015-08-30T12:36:00Z" (also with fractional seconds, or "+00:00"), the form STS,
// ECS and IMDS give expirations in. nullopt-like: returns false when the text is not one.
bool parse_iso8601(std::string_view text, std::chrono::system_clock::time_point& out);

}  // namespace lpack::net
