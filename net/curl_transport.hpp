// The Transport that talks to real servers, through libcurl.
//
// - Connection reuse: easy handles are pooled and each keeps its connection cache, so
//   consecutive requests to one host reuse the TCP/TLS connection; the pool lets several
//   threads send at once.
// - Time limits: a connect timeout, a total timeout per request, and a low-speed abort (a
//   transfer slower than low_speed_bytes per second for low_speed_seconds fails with
//   ErrorCode::timeout), so a server that stops answering mid-body cannot hang a build.
// - Proxies: libcurl reads HTTPS_PROXY/https_proxy, HTTP_PROXY/http_proxy and NO_PROXY from
//   the process environment itself; nothing here overrides that.
// - TLS: the system's CA store, or `ca_bundle` (AWS_CA_BUNDLE's meaning) when given.
// - Signals: CURLOPT_NOSIGNAL is set (no SIGALRM for DNS timeouts, safe in threads), and
//   creating a CurlTransport sets SIGPIPE to ignored when it is at its default, because a
//   peer closing a socket mid-write must be an error value, never the death of lpack.
// - Redirects are not followed: a redirect would carry signed headers or credentials to
//   another host. A 3xx is returned as a response like any other status.
// - `Expect: 100-continue` is never sent (it costs a round trip on every PUT and some
//   servers mishandle it).
#pragma once

#include <memory>
#include <string>

#include "base/fs.hpp"
#include "net/http.hpp"

namespace lpack::net {

struct CurlOptions {
  double connect_timeout_seconds = 10;
  double timeout_seconds = 600;  // whole request, per attempt; 0 = no limit
  long low_speed_bytes = 1024;   // abort below this rate...
  long low_speed_seconds = 30;   // ...sustained for this long (0 = never)
  fs::path ca_bundle;            // empty: the system's CA store
  std::string user_agent;        // empty: "lpack/<version>"
  size_t max_idle_handles = 8;   // easy handles kept for reuse
};

// Never fails to construct (libcurl's global init happens once, on first use).
std::unique_ptr<Transport> make_curl_transport(const CurlOptions& options = {});

}  // namespace lpack::net
