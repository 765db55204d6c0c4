#include "net/sigv4.hpp"

#include <fcntl.h>
#include <openssl/hmac.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <map>
#include <vector>

#include "base/sha256.hpp"
#include "net/clock.hpp"

namespace lpack::net {

namespace {

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Trimmed, with runs of spaces and tabs collapsed to one space.
std::string canonical_value(std::string_view value) {
  std::string out;
  bool space = false;
  for (char c : value) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += c;
  }
  return out;
}

bool is_unsigned_header(std::string_view lower_name) {
  return lower_name == "user-agent" || lower_name == "expect" || lower_name == "content-length" ||
         lower_name == "x-amzn-trace-id" || lower_name == "authorization";
}

std::string hex(std::string_view raw) {
  static const char* k_hex = "0123456789abcdef";
  std::string out;
  out.reserve(raw.size() * 2);
  for (unsigned char c : raw) {
    out += k_hex[c >> 4];
    out += k_hex[c & 15];
  }
  return out;
}

}  // namespace

std::string hmac_sha256(std::string_view key, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), out, &len);
  return std::string(reinterpret_cast<char*>(out), len);
}

std::string canonical_uri(std::string_view wire_path, bool s3_rules) {
  if (wire_path.empty()) return "/";
  if (s3_rules) return std::string(wire_path);
  // Normalise: drop empty and "." segments, resolve "..", keep a trailing slash.
  std::vector<std::string_view> segments;
  size_t pos = 0;
  while (pos <= wire_path.size()) {
    size_t next = wire_path.find('/', pos);
    if (next == std::string_view::npos) next = wire_path.size();
    std::string_view seg = wire_path.substr(pos, next - pos);
    if (seg == "..") {
      if (!segments.empty()) segments.pop_back();
    } else if (!seg.empty() && seg != ".") {
      segments.push_back(seg);
    }
    pos = next + 1;
  }
  std::string path;
  for (auto seg : segments) path += "/" + std::string(seg);
  const bool trailing = wire_path.size() > 1 && wire_path.back() == '/';
  if (path.empty() || trailing) path += "/";
  return url_encode(path, /*keep_slash=*/true);
}

std::string canonical_query(std::string_view wire_query) {
  std::vector<std::pair<std::string, std::string>> pairs;
  size_t pos = 0;
  while (pos < wire_query.size()) {
    size_t amp = wire_query.find('&', pos);
    if (amp == std::string_view::npos) amp = wire_query.size();
    std::string_view item = wire_query.substr(pos, amp - pos);
    if (!item.empty()) {
      const size_t eq = item.find('=');
      std::string_view name = item.substr(0, eq);
      std::string_view value =
          eq == std::string_view::npos ? std::string_view() : item.substr(eq + 1);
      pairs.emplace_back(url_encode(url_decode(name)), url_encode(url_decode(value)));
    }
    pos = amp + 1;
  }
  std::sort(pairs.begin(), pairs.end());
  std::string out;
  for (const auto& [name, value] : pairs) {
    if (!out.empty()) out += '&';
    out += name + "=" + value;
  }
  return out;
}

Result<std::string> payload_sha256(const RequestBody& body) {
  if (!body.from_file()) return to_hex(sha256(body.data));
  UniqueFd fd(::open(body.file.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) return errno_error("cannot open " + body.file.string(), errno);
  Sha256 hasher;
  std::string buffer(1 << 20, '\0');
  uint64_t done = 0;
  while (done < body.size) {
    const size_t want = static_cast<size_t>(std::min<uint64_t>(buffer.size(), body.size - done));
    const ssize_t r =
        ::pread(fd.get(), buffer.data(), want, static_cast<off_t>(body.offset + done));
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) return errno_error("cannot read " + body.file.string(), errno);
    if (r == 0)
      return io_error(body.file.string() + ": shorter than the " + std::to_string(body.size) +
                      " bytes to send");
    hasher.update(std::string_view(buffer.data(), static_cast<size_t>(r)));
    done += static_cast<uint64_t>(r);
  }
  return to_hex(hasher.finish());
}

Result<SigningDetails> sign_request(HttpRequest& request, const Credentials& credentials,
                                    const SigningOptions& options,
                                    std::chrono::system_clock::time_point now) {
  if (credentials.empty())
    return Error(ErrorCode::internal, "SigV4: no credentials to sign " + request.method + " with");
  const Url url = LPACK_TRY(parse_url(request.url));
  const std::string date = amz_date(now);
  const std::string day = date.substr(0, 8);

  std::string payload_hash;
  if (auto given = find_header(request.headers, "x-amz-content-sha256")) {
    payload_hash = *given;
  } else if (options.unsigned_payload) {
    payload_hash = std::string(k_unsigned_payload);
  } else {
    payload_hash = LPACK_TRY(payload_sha256(request.body));
  }
  if (options.add_content_sha256) set_header(request.headers, "x-amz-content-sha256", payload_hash);
  if (!find_header(request.headers, "host"))
    request.headers.emplace_back("host", url.host_header());
  set_header(request.headers, "x-amz-date", date);
  if (!credentials.session_token().empty())
    set_header(request.headers, "x-amz-security-token", credentials.session_token());

  std::map<std::string, std::string> canonical;  // sorted by lowercase name
  for (const auto& [name, value] : request.headers) {
    std::string key = lower(name);
    if (is_unsigned_header(key)) continue;
    auto [it, inserted] = canonical.emplace(key, canonical_value(value));
    if (!inserted) it->second += "," + canonical_value(value);
  }
  std::string canonical_headers, signed_headers;
  for (const auto& [name, value] : canonical) {
    canonical_headers += name + ":" + value + "\n";
    if (!signed_headers.empty()) signed_headers += ';';
    signed_headers += name;
  }

  SigningDetails details;
  details.canonical_request = request.method + "\n" + canonical_uri(url.path, options.s3_rules) +
                              "\n" + canonical_query(url.query) + "\n" + canonical_headers + "\n" +
                              signed_headers + "\n" + payload_hash;
  const std::string scope = day + "/" + options.region + "/" + options.service + "/aws4_request";
  details.string_to_sign =
      "AWS4-HMAC-SHA256\n" + date + "\n" + scope + "\n" + to_hex(sha256(details.canonical_request));
  std::string key = hmac_sha256("AWS4" + credentials.secret_access_key(), day);
  key = hmac_sha256(key, options.region);
  key = hmac_sha256(key, options.service);
  key = hmac_sha256(key, "aws4_request");
  const std::string signature = hex(hmac_sha256(key, details.string_to_sign));
  details.authorization = "AWS4-HMAC-SHA256 Credential=" + credentials.access_key_id() + "/" +
                          scope + ", SignedHeaders=" + signed_headers + ", Signature=" + signature;
  set_header(request.headers, "Authorization", details.authorization);
  return details;
}

}  // namespace lpack::net
