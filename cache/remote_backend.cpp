#include "cache/remote_backend.hpp"

#include "base/redact.hpp"
#include "cache/remote_backends.hpp"
#include "net/aws_config.hpp"

namespace lpack::cache {

namespace {

// Base64 for the Basic credentials (RFC 4648, with padding).
std::string base64(std::string_view in) {
  static const char* k_table = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    const uint32_t v = (static_cast<uint8_t>(in[i]) << 16) |
                       (static_cast<uint8_t>(in[i + 1]) << 8) | static_cast<uint8_t>(in[i + 2]);
    out += k_table[(v >> 18) & 63];
    out += k_table[(v >> 12) & 63];
    out += k_table[(v >> 6) & 63];
    out += k_table[v & 63];
  }
  if (i < in.size()) {
    uint32_t v = static_cast<uint8_t>(in[i]) << 16;
    if (i + 1 < in.size()) v |= static_cast<uint8_t>(in[i + 1]) << 8;
    out += k_table[(v >> 18) & 63];
    out += k_table[(v >> 12) & 63];
    out += i + 1 < in.size() ? k_table[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

std::vector<std::string> netrc_tokens(std::string_view text) {
  std::vector<std::string> tokens;
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
    if (i >= text.size()) break;
    if (text[i] == '#') {  // comment to the end of the line
      while (i < text.size() && text[i] != '\n') ++i;
      continue;
    }
    std::string token;
    if (text[i] == '"') {
      ++i;
      while (i < text.size() && text[i] != '"') {
        if (text[i] == '\\' && i + 1 < text.size()) ++i;
        token += text[i++];
      }
      ++i;
    } else {
      while (i < text.size() && !std::isspace(static_cast<unsigned char>(text[i])))
        token += text[i++];
    }
    tokens.push_back(std::move(token));
  }
  return tokens;
}

}  // namespace

RemoteFailure remote_failure(const Error& error) {
  switch (error.code()) {
    case ErrorCode::not_found:
      return RemoteFailure::not_found;
    case ErrorCode::timeout:
      return RemoteFailure::timeout;
    case ErrorCode::unauthorized:
      return RemoteFailure::unauthorized;
    case ErrorCode::corrupt:
      return RemoteFailure::corrupt;
    default:
      return RemoteFailure::other;
  }
}

std::string_view to_string(RemoteFailure failure) {
  switch (failure) {
    case RemoteFailure::not_found:
      return "not found";
    case RemoteFailure::timeout:
      return "timeout";
    case RemoteFailure::unauthorized:
      return "unauthorized";
    case RemoteFailure::corrupt:
      return "corrupt";
    case RemoteFailure::other:
      break;
  }
  return "error";
}

std::optional<NetrcEntry> netrc_lookup(std::string_view netrc_text, std::string_view host) {
  const auto tokens = netrc_tokens(netrc_text);
  std::optional<NetrcEntry> fallback;
  for (size_t i = 0; i < tokens.size(); ++i) {
    const bool machine = tokens[i] == "machine" && i + 1 < tokens.size();
    const bool is_default = tokens[i] == "default";
    if (!machine && !is_default) continue;
    const bool matches = machine && tokens[i + 1] == host;
    size_t j = i + (machine ? 2 : 1);
    NetrcEntry entry;
    for (; j + 1 < tokens.size(); j += 2) {
      const std::string& k = tokens[j];
      if (k == "machine" || k == "default") break;
      if (k == "login")
        entry.login = tokens[j + 1];
      else if (k == "password")
        entry.password = tokens[j + 1];
      else if (k == "macdef")
        break;
    }
    if (matches) return entry;
    if (is_default && !fallback) fallback = entry;
    i = j - 1;
  }
  return fallback;
}

Result<std::unique_ptr<RemoteBackend>> open_remote_backend(std::string_view url,
                                                           const RemoteContext& context) {
  auto bad = [&](std::string_view why) {
    return bad_usage("remote cache '" + net::display_url(url) + "': " + std::string(why) +
                     "; expected s3://bucket[/prefix] or http(s)://host[:port][/path]");
  };
  if (context.aws.transport == nullptr || context.aws.clock == nullptr)
    return Error(ErrorCode::internal, "open_remote_backend: no transport or clock");
  if (url.starts_with("s3://")) {
    std::string_view rest = url.substr(5);
    const size_t slash = rest.find('/');
    std::string bucket(rest.substr(0, slash));
    std::string prefix(slash == std::string_view::npos ? std::string_view()
                                                       : rest.substr(slash + 1));
    while (!prefix.empty() && prefix.back() == '/') prefix.pop_back();
    while (!prefix.empty() && prefix.front() == '/') prefix.erase(0, 1);
    if (bucket.empty()) return bad("no bucket");
    for (char c : bucket)
      if (!(std::islower(static_cast<unsigned char>(c)) ||
            std::isdigit(static_cast<unsigned char>(c)) || c == '-' || c == '.'))
        return bad("a bucket name has only lowercase letters, digits, '-' and '.'");
    return make_s3_backend(std::move(bucket), std::move(prefix), context);
  }
  if (!url.starts_with("http://") && !url.starts_with("https://")) return bad("unknown scheme");
  auto parsed = net::parse_url(url);
  if (!parsed) return bad(parsed.error().message());
  net::Url base = *parsed;
  if (!base.query.empty()) return bad("a query string is not allowed");
  while (base.path.size() > 1 && base.path.back() == '/') base.path.pop_back();
  if (base.path == "/") base.path.clear();

  const net::Environment& env = context.aws.env;
  std::string authorization;
  if (!base.userinfo.empty()) {
    authorization = "Basic " + base64(net::url_decode(base.userinfo));
  } else if (auto token = net::env_value(env, "LPACK_REMOTE_CACHE_TOKEN")) {
    authorization = "Bearer " + *token;
  } else if (auto user = net::env_value(env, "LPACK_REMOTE_CACHE_USER")) {
    authorization =
        "Basic " +
        base64(*user + ":" + net::env_value(env, "LPACK_REMOTE_CACHE_PASSWORD").value_or(""));
  } else if (!context.aws.home.empty()) {
    const fs::path netrc =
        net::env_value(env, "NETRC").value_or((context.aws.home / ".netrc").string());
    std::error_code ec;
    if (fs::exists(netrc, ec)) {
      auto text = read_file(netrc);
      if (!text) return std::move(text).error();
      std::string host = base.host;
      if (auto entry = netrc_lookup(*text, host); entry && !entry->login.empty())
        authorization = "Basic " + base64(entry->login + ":" + entry->password);
    }
  }
  base.userinfo.clear();
  return make_http_backend(std::move(base), std::move(authorization), *context.aws.transport);
}

}  // namespace lpack::cache
