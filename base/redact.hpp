// Secrets never reach a log, an artifact, a manifest or a cache key. These helpers are the
// one place that knows what a secret looks like.
#pragma once

#include <string>
#include <string_view>

namespace lpack {

// Masks AWS access key ids (AKIA…/ASIA…), the values of secret-bearing variables
// (AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, *_TOKEN, *_PASSWORD) and the user:password part
// of URLs ("https://u:p@host" -> "https://***@host").
std::string redact(std::string_view text);

// A URL with its credentials removed entirely, for cache keys ("https://u:p@h/x" -> "https://h/x").
std::string strip_url_credentials(std::string_view url);

// Whether an environment variable name carries a secret by its name.
bool is_secret_variable(std::string_view name);

}  // namespace lpack
