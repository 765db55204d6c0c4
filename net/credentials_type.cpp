#include "net/credentials_type.hpp"

#include <openssl/crypto.h>

namespace lpack::net {

namespace {
void cleanse(std::string& s) {
  if (!s.empty()) OPENSSL_cleanse(s.data(), s.size());
  s.clear();
}
}  // namespace

Credentials::Credentials(std::string access_key_id, std::string secret_access_key,
                         std::string session_token, std::string source,
                         std::optional<std::chrono::system_clock::time_point> expiration)
    : m_access_key_id(std::move(access_key_id)),
      m_secret_access_key(std::move(secret_access_key)),
      m_session_token(std::move(session_token)),
      m_source(std::move(source)),
      m_expiration(expiration) {}

Credentials::Credentials(const Credentials& other) = default;
Credentials& Credentials::operator=(const Credentials& other) {
  if (this != &other) {
    wipe();
    m_access_key_id = other.m_access_key_id;
    m_secret_access_key = other.m_secret_access_key;
    m_session_token = other.m_session_token;
    m_source = other.m_source;
    m_expiration = other.m_expiration;
  }
  return *this;
}
Credentials::Credentials(Credentials&& other) noexcept
    : m_access_key_id(std::move(other.m_access_key_id)),
      m_secret_access_key(std::move(other.m_secret_access_key)),
      m_session_token(std::move(other.m_session_token)),
      m_source(std::move(other.m_source)),
      m_expiration(other.m_expiration) {
  other.wipe();
}
Credentials& Credentials::operator=(Credentials&& other) noexcept {
  if (this != &other) {
    wipe();
    m_access_key_id = std::move(other.m_access_key_id);
    m_secret_access_key = std::move(other.m_secret_access_key);
    m_session_token = std::move(other.m_session_token);
    m_source = std::move(other.m_source);
    m_expiration = other.m_expiration;
    other.wipe();
  }
  return *this;
}
Credentials::~Credentials() {
  wipe();
}

void Credentials::wipe() {
  cleanse(m_access_key_id);
  cleanse(m_secret_access_key);
  cleanse(m_session_token);
}

std::string Credentials::masked_key_id() const {
  const std::string& k = m_access_key_id;
  if (k.size() <= 8) return std::string(k.size(), '*');
  return k.substr(0, 4) + std::string(k.size() - 8, '*') + k.substr(k.size() - 4);
}

}  // namespace lpack::net
