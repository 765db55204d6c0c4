// HTTP as lpack speaks it to the outside world (S3, Lambda, STS, remote caches, credential
// endpoints): a request and response as plain values, and the Transport interface that sends
// one. The libcurl implementation is in curl_transport.hpp, the retrying wrapper in retry.hpp;
// tests pass their own Transport to inject answers and faults.
//
// Contract of Transport::send():
// - Any answer the server gave, whatever its status (200, 404, 503...), is a value: an
//   HttpResponse. Only a failure to get an answer is an Error, typed by its code:
//     ErrorCode::timeout      connect timeout, total timeout or the low-speed abort
//     ErrorCode::unreachable  connection refused or reset, name not resolved, peer closed
//     ErrorCode::tls          handshake or certificate verification failed
//     ErrorCode::io           the request's body file or the response's file failed
//     ErrorCode::remote       anything else the transport could not do
//   status_error() turns a non-2xx response into the matching Error (401/403 unauthorized,
//   404 not_found, else remote), with the server's message redacted.
// - Messages name the method and the URL without its userinfo and never a header value:
//   headers carry signatures, tokens and passwords.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/error.hpp"
#include "base/fs.hpp"

namespace lpack::net {

// Header names compare case-insensitively; the order of the vector is the order sent.
using Headers = std::vector<std::pair<std::string, std::string>>;

// The value of the first header named `name` (any case), or nullopt.
std::optional<std::string> find_header(const Headers& headers, std::string_view name);
// Replaces every header named `name` (any case) by one with `value`.
void set_header(Headers& headers, std::string_view name, std::string value);

// Where a request's body comes from. Exactly one of the forms is used:
// - in memory (`data`), or
// - a region of a file (`file`, starting at `offset`, `size` bytes): streamed, never loaded
//   whole; the size is known up front so Content-Length is always sent.
struct RequestBody {
  std::string data;
  fs::path file;  // non-empty: stream from this file
  uint64_t offset = 0;
  uint64_t size = 0;  // bytes of the file region (ignored for `data`)

  bool from_file() const { return !file.empty(); }
  uint64_t length() const { return from_file() ? size : data.size(); }
};

struct HttpRequest {
  std::string method = "GET";  // GET, HEAD, PUT, POST, DELETE
  // Absolute URL, already percent-encoded ("https://host:port/path?query"). Build it with
  // Url / url_encode (below).
  std::string url;
  Headers headers;
  RequestBody body;
  // Where the response body goes: empty = HttpResponse::body; otherwise this file is
  // created (truncated) and receives the body of a 2xx answer (an error answer's body is
  // still read into HttpResponse::body, so its message can be shown).
  fs::path response_file;
  // Whether the request may be sent again after a failure whose effect is unknown (a reset
  // after the body went out). GET/HEAD/PUT/DELETE are idempotent by HTTP's rules; a POST is
  // not unless the caller says so (STS's calls are, Lambda's mutating calls are not).
  std::optional<bool> idempotent;
  // Bound for this request's whole duration, overriding the transport's default (seconds,
  // 0 = the default). Credential endpoints use short ones.
  double timeout_seconds = 0;
  double connect_timeout_seconds = 0;

  bool is_idempotent() const;
};

struct HttpResponse {
  long status = 0;
  Headers headers;          // as received, names as the server spelled them
  std::string body;         // empty when the body went to HttpRequest::response_file
  uint64_t body_bytes = 0;  // bytes of body received (memory or file)

  bool ok() const { return status >= 200 && status < 300; }
  std::optional<std::string> header(std::string_view name) const {
    return find_header(headers, name);
  }
};

// The one interface every HTTP user goes through. Implementations must be usable from
// several threads at once (CurlTransport keeps one connection cache per thread).
class Transport {
 public:
  virtual ~Transport() = default;
  virtual Result<HttpResponse> send(const HttpRequest& request) = 0;
};

// Classification of an answer's status.
inline bool is_unauthorized(long status) {
  return status == 401 || status == 403;
}
inline bool is_not_found(long status) {
  return status == 404;
}
// 429, 500, 502, 503, 504: worth another attempt after a pause.
bool is_retryable_status(long status);

// A non-2xx response as an Error: ErrorCode::unauthorized for 401/403, not_found for 404,
// remote otherwise. `what` names the operation ("S3 GET s3://bucket/key"); the message adds
// the status, the service's error code and message when the body has them (XML <Code> and
// <Message>, or a JSON "message"), redacted.
Error status_error(std::string_view what, const HttpResponse& response);

// --- URLs -------------------------------------------------------------------------------

// Percent-encodes every byte except the unreserved characters A-Z a-z 0-9 - _ . ~ (RFC 3986,
// as SigV4 wants it), and except '/' when `keep_slash`.
std::string url_encode(std::string_view text, bool keep_slash = false);
// Decodes %XX escapes ('+' stays '+'); a malformed escape is kept as it is.
std::string url_decode(std::string_view text);

// A parsed absolute URL. Only http and https are accepted.
struct Url {
  std::string scheme;    // "http" or "https", lowercase
  std::string userinfo;  // "user:password" as written (percent-encoded), or empty
  std::string host;      // lowercase; an IPv6 literal keeps its brackets
  int port = 0;          // 0 = the scheme's default
  std::string path;      // percent-encoded, starts with "/" (an empty path becomes "/")
  std::string query;     // without '?', percent-encoded as written

  // "scheme://host[:port]" (no userinfo): what goes into messages and Host.
  std::string origin() const;
  // "host" or "host:port" when the port is not the scheme's default.
  std::string host_header() const;
  // origin() + path + ("?" + query).
  std::string str() const;
};
// A bad_input Error quotes the URL without its userinfo.
Result<Url> parse_url(std::string_view text);

// `text` for a message: any "user:password@" removed, even from text that is not a URL.
std::string display_url(std::string_view text);

}  // namespace lpack::net
