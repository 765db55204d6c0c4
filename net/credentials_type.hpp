// AWS credentials as a value that cannot leak by accident: it has no operator<<, no
// to_string and no formatter, its members are private, and its secret parts are wiped from
// memory when it dies. Code that needs a part asks for it by name (the SigV4 signer). What
// may be shown is source() ("environment", "profile ci", "web identity", ...) and
// masked_key_id() ("AKIA************MPLE").
#pragma once

#include <chrono>
#include <iosfwd>
#include <optional>
#include <string>

namespace lpack::net {

class Credentials {
 public:
  Credentials() = default;
  Credentials(std::string access_key_id, std::string secret_access_key, std::string session_token,
              std::string source,
              std::optional<std::chrono::system_clock::time_point> expiration = std::nullopt);
  Credentials(const Credentials& other);
  Credentials& operator=(const Credentials& other);
  Credentials(Credentials&& other) noexcept;
  Credentials& operator=(Credentials&& other) noexcept;
  ~Credentials();

  bool empty() const { return m_access_key_id.empty() || m_secret_access_key.empty(); }
  const std::string& access_key_id() const { return m_access_key_id; }
  const std::string& secret_access_key() const { return m_secret_access_key; }
  const std::string& session_token() const { return m_session_token; }
  // Where they came from, safe to show.
  const std::string& source() const { return m_source; }
  std::optional<std::chrono::system_clock::time_point> expiration() const { return m_expiration; }
  // The key id with all but its first 4 and last 4 characters masked, safe to show.
  std::string masked_key_id() const;

  // Deliberately absent: printing credentials is a compile error.
  friend std::ostream& operator<<(std::ostream&, const Credentials&) = delete;

 private:
  void wipe();
  std::string m_access_key_id;
  std::string m_secret_access_key;
  std::string m_session_token;
  std::string m_source;
  std::optional<std::chrono::system_clock::time_point> m_expiration;
};

}  // namespace lpack::net
