#include "net/clock.hpp"

#include <charconv>
#include <ctime>
#include <thread>

namespace lpack::net {

std::chrono::system_clock::time_point SystemClock::now() {
  return std::chrono::system_clock::now();
}
std::chrono::steady_clock::time_point SystemClock::steady_now() {
  return std::chrono::steady_clock::now();
}
void SystemClock::sleep(std::chrono::milliseconds duration) {
  if (duration.count() > 0) std::this_thread::sleep_for(duration);
}
Clock& system_clock() {
  static SystemClock clock;
  return clock;
}

ManualClock::ManualClock(std::chrono::system_clock::time_point start) : m_now(start) {}
std::chrono::system_clock::time_point ManualClock::now() {
  std::lock_guard lock(m_mutex);
  return m_now + m_offset;
}
std::chrono::steady_clock::time_point ManualClock::steady_now() {
  std::lock_guard lock(m_mutex);
  return std::chrono::steady_clock::time_point{} + m_offset;
}
void ManualClock::sleep(std::chrono::milliseconds duration) {
  std::lock_guard lock(m_mutex);
  m_offset += duration;
  m_slept += duration;
}
void ManualClock::advance(std::chrono::milliseconds duration) {
  std::lock_guard lock(m_mutex);
  m_offset += duration;
}
std::chrono::milliseconds ManualClock::slept() const {
  std::lock_guard lock(m_mutex);
  return m_slept;
}

SystemRandom::SystemRandom() : m_engine(std::random_device{}()) {}
double SystemRandom::uniform() {
  std::lock_guard lock(m_mutex);
  return std::uniform_real_distribution<double>(0.0, 1.0)(m_engine);
}
Random& system_random() {
  static SystemRandom random;
  return random;
}

namespace {

std::tm utc_tm(std::chrono::system_clock::time_point time) {
  const std::time_t t = std::chrono::system_clock::to_time_t(time);
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  return tm;
}

bool parse_int(std::string_view text, int& out) {
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && ptr == text.data() + text.size();
}

}  // namespace

std::string amz_date(std::chrono::system_clock::time_point time) {
  const std::tm tm = utc_tm(time);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
  return buf;
}

std::string amz_day(std::chrono::system_clock::time_point time) {
  return amz_date(time).substr(0, 8);
}

bool parse_iso8601(std::string_view text, std::chrono::system_clock::time_point& out) {
  // YYYY-MM-DDTHH:MM:SS[.fff](Z|+00:00)
  if (text.size() < 20 || text[4] != '-' || text[7] != '-' ||
      (text[10] != 'T' && text[10] != ' ') || text[13] != ':' || text[16] != ':')
    return false;
  std::tm tm{};
  int year, month, day, hour, minute, second;
  if (!parse_int(text.substr(0, 4), year) || !parse_int(text.substr(5, 2), month) ||
      !parse_int(text.substr(8, 2), day) || !parse_int(text.substr(11, 2), hour) ||
      !parse_int(text.substr(14, 2), minute) || !parse_int(text.substr(17, 2), second))
    return false;
  std::string_view rest = text.substr(19);
  if (!rest.empty() && rest[0] == '.') {
    size_t i = 1;
    while (i < rest.size() && rest[i] >= '0' && rest[i] <= '9') ++i;
    rest = rest.substr(i);
  }
  if (rest != "Z" && rest != "+00:00" && rest != "z") return false;
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  tm.tm_sec = second;
  const std::time_t t = ::timegm(&tm);
  if (t == static_cast<std::time_t>(-1)) return false;
  out = std::chrono::system_clock::from_time_t(t);
  return true;
}

}  // namespace lpack::net
