// The storage interface under the cache: a remote that holds action records and blobs, and
// the two backends lpack ships (S3 and bazel-remote's HTTP protocol). Only bytes cross this
// interface; what a record means, and every check of it, is the TieredStore's
// (tiered_store.hpp). Local-only concerns (gc, verify, counters, last/ slots, the stat cache)
// are LocalStore's and have no part here.
//
// Layout, the same on every backend (so one bucket and one HTTP server hold equal bytes):
//   <base>/ac/<action key>   an action record: a REAPI ActionResult (see remote_record.hpp)
//   <base>/cas/<sha256>      a blob, named by the lowercase hex SHA-256 of its bytes
// where <base> is "s3://bucket/prefix" or "http(s)://host[:port]/path".
//
// Failures are Errors whose ErrorCode says what happened (the codes appended to
// base/error.hpp for the network, rather than a second error type, so that LPACK_TRY works
// across net/, cache/ and builder/ unchanged); remote_failure() folds them into the five
// kinds the cache's policy needs:
//   not_found     the entry is absent: a miss, nothing else
//   timeout       the remote did not answer in time
//   unauthorized  credentials are missing or refused (401/403, SignatureDoesNotMatch)
//   corrupt       bytes that are not what they claim (bad hash, bad record, short body)
//   other         everything else: refused connections, 5xx after retries, TLS, local io
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "base/error.hpp"
#include "base/fs.hpp"
#include "net/credentials.hpp"
#include "net/http.hpp"

namespace lpack::cache {

enum class RemoteFailure { not_found, timeout, unauthorized, corrupt, other };
RemoteFailure remote_failure(const Error& error);
std::string_view to_string(RemoteFailure failure);

class RemoteBackend {
 public:
  virtual ~RemoteBackend() = default;

  // "s3://bucket/prefix" or "https://host/path": no credentials, safe to show.
  virtual std::string describe() const = 0;

  // The bytes stored under ac/<key>; a not_found Error when there are none.
  virtual Result<std::string> get_record(std::string_view key) = 0;
  // Stores `bytes` under ac/<key>. Any 2xx, or "already exists" on a write-once store, is
  // success.
  virtual Result<void> put_record(std::string_view key, std::string_view bytes) = 0;

  // Whether cas/<sha256> exists. (A 403 is an unauthorized Error, never "no".)
  virtual Result<bool> has_blob(std::string_view sha256_hex) = 0;
  // Streams cas/<sha256> into `dest` (created or truncated) and returns its size. The bytes
  // are NOT verified here: the caller hashes them. not_found when absent; corrupt when the
  // body is shorter or longer than the server announced.
  virtual Result<uint64_t> get_blob(std::string_view sha256_hex, const fs::path& dest) = 0;
  // A small blob into memory; corrupt when it is larger than `max_bytes`.
  virtual Result<std::string> get_blob_bytes(std::string_view sha256_hex, uint64_t max_bytes) = 0;
  // Uploads `file` (`size` bytes, hashing to `sha256_hex`) or `bytes` as cas/<sha256>.
  virtual Result<void> put_blob(std::string_view sha256_hex, const fs::path& file,
                                uint64_t size) = 0;
  virtual Result<void> put_blob_bytes(std::string_view sha256_hex, std::string_view bytes) = 0;
};

// What a backend needs from the outside world. Everything must outlive the backend.
struct RemoteContext {
  net::AwsContext aws;       // environment, home folder (~/.aws, ~/.netrc), transport, clock
  std::string endpoint_url;  // --endpoint-url for S3 remotes (may be empty)
};

// Opens the backend for `url`:
//   s3://bucket[/prefix]          S3 or an S3-compatible store (AWS_ENDPOINT_URL_S3, ...);
//                                 credentials from the AWS chain; write-once puts
//   http(s)://[user:pw@]host/path bazel-remote's HTTP protocol (also nginx WebDAV, any server
//                                 that stores PUT bodies and serves them back)
// HTTP credentials, first found wins: the URL's user:password; LPACK_REMOTE_CACHE_TOKEN (sent
// as "Authorization: Bearer"); LPACK_REMOTE_CACHE_USER + LPACK_REMOTE_CACHE_PASSWORD; the
// ~/.netrc entry for the host (Basic). They are sent in headers only: never in a message.
// A bad_usage Error names the URL (without credentials) and the accepted forms.
Result<std::unique_ptr<RemoteBackend>> open_remote_backend(std::string_view url,
                                                           const RemoteContext& context);

// The password/login for `host` in .netrc text ("machine h login l password p", "default");
// nullopt when no entry applies. Exposed for the tests.
struct NetrcEntry {
  std::string login;
  std::string password;
};
std::optional<NetrcEntry> netrc_lookup(std::string_view netrc_text, std::string_view host);

}  // namespace lpack::cache
