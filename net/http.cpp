#include "net/http.hpp"

#include <algorithm>
#include <charconv>
#include <nlohmann/json.hpp>

#include "base/redact.hpp"
#include "net/xml.hpp"

namespace lpack::net {

namespace {

bool iequals(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) ==
           std::tolower(static_cast<unsigned char>(y));
  });
}

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool is_unreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_' || c == '.' || c == '~';
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The service's own words for an error answer, from an XML or JSON body.
std::string service_message(const HttpResponse& response) {
  const std::string_view body = std::string_view(response.body).substr(0, 4096);
  std::string code, message;
  if (auto c = xml::text(body, "Code")) code = *c;
  if (auto m = xml::text(body, "Message")) message = *m;
  if (code.empty() && message.empty() && !body.empty() && body.front() == '{') {
    auto json = nlohmann::json::parse(body, nullptr, false);
    if (json.is_object()) {
      for (const char* k : {"__type", "code", "Code"})
        if (json.contains(k) && json[k].is_string()) code = json[k].get<std::string>();
      for (const char* k : {"message", "Message", "errorMessage"})
        if (json.contains(k) && json[k].is_string()) message = json[k].get<std::string>();
    }
  }
  if (auto amz = response.header("x-amzn-ErrorType"); amz && code.empty()) code = *amz;
  std::string out;
  if (!code.empty()) out += code;
  if (!message.empty()) out += (out.empty() ? "" : ": ") + message;
  for (char& c : out)
    if (c == '\n' || c == '\r') c = ' ';
  if (out.size() > 300) out = out.substr(0, 300) + "...";
  return redact(out);
}

}  // namespace

std::optional<std::string> find_header(const Headers& headers, std::string_view name) {
  for (const auto& [k, v] : headers)
    if (iequals(k, name)) return v;
  return std::nullopt;
}

void set_header(Headers& headers, std::string_view name, std::string value) {
  std::erase_if(headers, [&](const auto& kv) { return iequals(kv.first, name); });
  headers.emplace_back(std::string(name), std::move(value));
}

bool HttpRequest::is_idempotent() const {
  if (idempotent) return *idempotent;
  return method == "GET" || method == "HEAD" || method == "PUT" || method == "DELETE";
}

bool is_retryable_status(long status) {
  return status == 429 || status == 500 || status == 502 || status == 503 || status == 504;
}

Error status_error(std::string_view what, const HttpResponse& response) {
  std::string message = std::string(what) + ": HTTP " + std::to_string(response.status);
  const std::string detail = service_message(response);
  if (!detail.empty()) message += " (" + detail + ")";
  ErrorCode code = ErrorCode::remote;
  if (is_unauthorized(response.status)) {
    code = ErrorCode::unauthorized;
    message += "; check the credentials and their permissions";
  } else if (is_not_found(response.status)) {
    code = ErrorCode::not_found;
  } else if (is_retryable_status(response.status)) {
    message += "; the server is failing or throttling, try again later";
  }
  return Error(code, redact(message));
}

std::string url_encode(std::string_view text, bool keep_slash) {
  static const char* k_hex = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (unsigned char c : text) {
    if (is_unreserved(c) || (keep_slash && c == '/')) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += k_hex[c >> 4];
      out += k_hex[c & 15];
    }
  }
  return out;
}

std::string url_decode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size()) {
      const int hi = hex_value(text[i + 1]), lo = hex_value(text[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out += static_cast<char>(hi * 16 + lo);
        i += 2;
        continue;
      }
    }
    out += text[i];
  }
  return out;
}

std::string Url::origin() const {
  std::string out = scheme + "://" + host;
  if (port != 0) out += ":" + std::to_string(port);
  return out;
}

std::string Url::host_header() const {
  const bool default_port =
      port == 0 || (scheme == "http" && port == 80) || (scheme == "https" && port == 443);
  return default_port ? host : host + ":" + std::to_string(port);
}

std::string Url::str() const {
  return origin() + path + (query.empty() ? "" : "?" + query);
}

std::string display_url(std::string_view text) {
  std::string out = strip_url_credentials(text);
  const size_t at = out.find('@');
  if (at != std::string::npos && at < out.find('/')) out = "***@" + out.substr(at + 1);
  return out;
}

Result<Url> parse_url(std::string_view text) {
  auto bad = [&](std::string_view why) {
    return bad_input("URL '" + display_url(text) + "': " + std::string(why) +
                     "; expected http(s)://host[:port]/path");
  };
  Url url;
  const size_t sep = text.find("://");
  if (sep == std::string_view::npos) return bad("no scheme");
  url.scheme = lower(text.substr(0, sep));
  if (url.scheme != "http" && url.scheme != "https") return bad("the scheme must be http or https");
  std::string_view rest = text.substr(sep + 3);
  const size_t authority_end = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, authority_end);
  rest = authority_end == std::string_view::npos ? std::string_view() : rest.substr(authority_end);
  if (const size_t at = authority.rfind('@'); at != std::string_view::npos) {
    url.userinfo = std::string(authority.substr(0, at));
    authority = authority.substr(at + 1);
  }
  std::string_view host = authority;
  std::string_view port;
  if (!authority.empty() && authority.front() == '[') {
    const size_t close = authority.find(']');
    if (close == std::string_view::npos) return bad("unclosed IPv6 literal");
    host = authority.substr(0, close + 1);
    if (close + 1 < authority.size()) {
      if (authority[close + 1] != ':') return bad("junk after the IPv6 literal");
      port = authority.substr(close + 2);
    }
  } else if (const size_t colon = authority.rfind(':'); colon != std::string_view::npos) {
    host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
  }
  if (host.empty()) return bad("no host");
  url.host = lower(host);
  if (!port.empty()) {
    auto [ptr, ec] = std::from_chars(port.data(), port.data() + port.size(), url.port);
    if (ec != std::errc() || ptr != port.data() + port.size() || url.port <= 0 || url.port > 65535)
      return bad("bad port");
  }
  if (const size_t hash = rest.find('#'); hash != std::string_view::npos)
    rest = rest.substr(0, hash);
  const size_t q = rest.find('?');
  url.path = std::string(rest.substr(0, q));
  if (q != std::string_view::npos) url.query = std::string(rest.substr(q + 1));
  if (url.path.empty()) url.path = "/";
  return url;
}

}  // namespace lpack::net
