#include "base/redact.hpp"

#include <regex>

namespace lpack {

bool is_secret_variable(std::string_view name) {
  return name == "AWS_SECRET_ACCESS_KEY" || name == "AWS_SESSION_TOKEN" ||
         name == "AWS_SECURITY_TOKEN" || name.ends_with("_TOKEN") || name.ends_with("_PASSWORD") ||
         name.ends_with("_SECRET") || name.ends_with("_AUTH");
}

std::string strip_url_credentials(std::string_view url) {
  static const std::regex k_creds(R"(([a-zA-Z][a-zA-Z0-9+.-]*://)[^/@\s]+@)");
  return std::regex_replace(std::string(url), k_creds, "$1");
}

std::string redact(std::string_view text) {
  static const std::regex k_key_id(R"(\b(AKIA|ASIA)[A-Z0-9]{16}\b)");
  static const std::regex k_assignment(
      R"(\b(AWS_SECRET_ACCESS_KEY|AWS_SESSION_TOKEN|AWS_SECURITY_TOKEN|[A-Z0-9_]*(_TOKEN|_PASSWORD|_SECRET))(\s*[=:]\s*)\S+)");
  static const std::regex k_url_creds(R"(([a-zA-Z][a-zA-Z0-9+.-]*://)[^/@\s]+@)");
  std::string out = std::regex_replace(std::string(text), k_key_id, "$1****************");
  out = std::regex_replace(out, k_assignment, "$1$3***");
  out = std::regex_replace(out, k_url_creds, "$1***@");
  return out;
}

}  // namespace lpack
