#include "net/curl_transport.hpp"

#include <curl/curl.h>
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <mutex>
#include <vector>

#include "base/redact.hpp"
#include "base/version.hpp"

namespace lpack::net {

namespace {

void global_init() {
  static std::once_flag once;
  std::call_once(once, [] {
    curl_global_init(CURL_GLOBAL_DEFAULT);
    struct sigaction current {};
    if (::sigaction(SIGPIPE, nullptr, &current) == 0 && current.sa_handler == SIG_DFL) {
      struct sigaction ignore {};
      ignore.sa_handler = SIG_IGN;
      ::sigemptyset(&ignore.sa_mask);
      ::sigaction(SIGPIPE, &ignore, nullptr);
    }
  });
}

struct EasyDeleter {
  void operator()(CURL* curl) const { curl_easy_cleanup(curl); }
};
using EasyHandle = std::unique_ptr<CURL, EasyDeleter>;

struct SlistDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};

// State of one transfer, shared with libcurl's callbacks.
struct Transfer {
  CURL* curl = nullptr;
  const HttpRequest* request = nullptr;
  HttpResponse* response = nullptr;
  // Request body.
  int body_fd = -1;
  uint64_t body_pos = 0;  // bytes of the body already handed to libcurl
  // Response body to a file.
  int out_fd = -1;
  bool header_seen_status = false;
  std::string io_failure;  // set when our side (a file) failed
};

size_t on_header(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const size_t n = size * count;
  std::string_view line(data, n);
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
  if (line.starts_with("HTTP/")) {
    t->response->headers.clear();  // a new status line (after 100 Continue)
    return n;
  }
  const size_t colon = line.find(':');
  if (colon == std::string_view::npos) return n;
  std::string_view value = line.substr(colon + 1);
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  t->response->headers.emplace_back(std::string(line.substr(0, colon)), std::string(value));
  return n;
}

size_t on_write(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const size_t n = size * count;
  long status = 0;
  curl_easy_getinfo(t->curl, CURLINFO_RESPONSE_CODE, &status);
  t->response->body_bytes += n;
  if (!t->request->response_file.empty() && status >= 200 && status < 300) {
    if (t->out_fd < 0) {
      t->out_fd =
          ::open(t->request->response_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
      if (t->out_fd < 0) {
        t->io_failure = t->request->response_file.string() + ": " + std::strerror(errno);
        return 0;
      }
    }
    size_t done = 0;
    while (done < n) {
      const ssize_t w = ::write(t->out_fd, data + done, n - done);
      if (w < 0) {
        if (errno == EINTR) continue;
        t->io_failure = t->request->response_file.string() + ": " + std::strerror(errno);
        return 0;
      }
      done += static_cast<size_t>(w);
    }
    return n;
  }
  t->response->body.append(data, n);
  return n;
}

size_t on_read(char* buffer, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const RequestBody& body = t->request->body;
  const uint64_t total = body.length();
  const uint64_t remaining = total - t->body_pos;
  const size_t want = static_cast<size_t>(std::min<uint64_t>(remaining, size * count));
  if (want == 0) return 0;
  if (!body.from_file()) {
    std::memcpy(buffer, body.data.data() + t->body_pos, want);
    t->body_pos += want;
    return want;
  }
  for (;;) {
    const ssize_t r =
        ::pread(t->body_fd, buffer, want, static_cast<off_t>(body.offset + t->body_pos));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) {
      t->io_failure = body.file.string() + ": " +
                      (r < 0 ? std::strerror(errno) : "file shrank while being sent");
      return CURL_READFUNC_ABORT;
    }
    t->body_pos += static_cast<uint64_t>(r);
    return static_cast<size_t>(r);
  }
}

int on_seek(void* user, curl_off_t offset, int origin) {
  auto* t = static_cast<Transfer*>(user);
  if (origin != SEEK_SET || offset < 0 || static_cast<uint64_t>(offset) > t->request->body.length())
    return CURL_SEEKFUNC_CANTSEEK;
  t->body_pos = static_cast<uint64_t>(offset);
  return CURL_SEEKFUNC_OK;
}

ErrorCode code_for(CURLcode rc) {
  switch (rc) {
    case CURLE_OPERATION_TIMEDOUT:
      return ErrorCode::timeout;
    case CURLE_COULDNT_CONNECT:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_WEIRD_SERVER_REPLY:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
      return ErrorCode::unreachable;
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_ENGINE_NOTFOUND:
    case CURLE_SSL_ENGINE_SETFAILED:
    case CURLE_USE_SSL_FAILED:
      return ErrorCode::tls;
    default:
      return ErrorCode::remote;
  }
}

std::string what_failed(ErrorCode code) {
  switch (code) {
    case ErrorCode::timeout:
      return "no answer in time";
    case ErrorCode::unreachable:
      return "could not reach the server or the connection broke";
    case ErrorCode::tls:
      return "TLS failed (check the server's certificate or the CA bundle)";
    default:
      return "the request failed";
  }
}

class CurlTransport final : public Transport {
 public:
  explicit CurlTransport(CurlOptions options) : m_options(std::move(options)) {
    global_init();
    if (m_options.user_agent.empty()) m_options.user_agent = std::string("lpack/") + k_version;
  }

  Result<HttpResponse> send(const HttpRequest& request) override {
    EasyHandle handle = take_handle();
    if (!handle) return Error(ErrorCode::internal, "libcurl: curl_easy_init failed");
    auto result = perform(handle.get(), request);
    give_back(std::move(handle));
    return result;
  }

 private:
  EasyHandle take_handle() {
    {
      std::lock_guard lock(m_mutex);
      if (!m_idle.empty()) {
        EasyHandle h = std::move(m_idle.back());
        m_idle.pop_back();
        curl_easy_reset(h.get());  // keeps the connection and DNS caches
        return h;
      }
    }
    return EasyHandle(curl_easy_init());
  }

  void give_back(EasyHandle handle) {
    std::lock_guard lock(m_mutex);
    if (m_idle.size() < m_options.max_idle_handles) m_idle.push_back(std::move(handle));
  }

  Result<HttpResponse> perform(CURL* curl, const HttpRequest& request) {
    const std::string shown = request.method + " " + strip_url_credentials(request.url);
    HttpResponse response;
    Transfer t;
    t.curl = curl;
    t.request = &request;
    t.response = &response;
    UniqueFd body_fd;
    if (request.body.from_file()) {
      body_fd = UniqueFd(::open(request.body.file.c_str(), O_RDONLY | O_CLOEXEC));
      if (!body_fd)
        return errno_error(shown + ": cannot open " + request.body.file.string(), errno);
      t.body_fd = body_fd.get();
    }

    curl_easy_setopt(curl, CURLOPT_URL, request.url.c_str());
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(curl, CURLOPT_USERAGENT, m_options.user_agent.c_str());
    curl_easy_setopt(curl, CURLOPT_TCP_KEEPALIVE, 1L);
    const double connect = request.connect_timeout_seconds > 0 ? request.connect_timeout_seconds
                                                               : m_options.connect_timeout_seconds;
    const double total =
        request.timeout_seconds > 0 ? request.timeout_seconds : m_options.timeout_seconds;
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(connect * 1000));
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(total * 1000));
    if (m_options.low_speed_seconds > 0) {
      curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, m_options.low_speed_bytes);
      curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME, m_options.low_speed_seconds);
    }
    if (!m_options.ca_bundle.empty())
      curl_easy_setopt(curl, CURLOPT_CAINFO, m_options.ca_bundle.c_str());
    curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(curl, CURLOPT_HEADERDATA, &t);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_write);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &t);

    const auto length = static_cast<curl_off_t>(request.body.length());
    if (request.method == "GET") {
      curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
    } else if (request.method == "HEAD") {
      curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
    } else if (request.method == "PUT") {
      curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
      curl_easy_setopt(curl, CURLOPT_INFILESIZE_LARGE, length);
    } else if (request.method == "POST") {
      curl_easy_setopt(curl, CURLOPT_POST, 1L);
      curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, length);
    } else {
      curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, request.method.c_str());
      if (length > 0) {
        curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
        curl_easy_setopt(curl, CURLOPT_INFILESIZE_LARGE, length);
      }
    }
    if (request.method == "PUT" || request.method == "POST" || length > 0) {
      curl_easy_setopt(curl, CURLOPT_READFUNCTION, on_read);
      curl_easy_setopt(curl, CURLOPT_READDATA, &t);
      curl_easy_setopt(curl, CURLOPT_SEEKFUNCTION, on_seek);
      curl_easy_setopt(curl, CURLOPT_SEEKDATA, &t);
    }

    curl_slist* raw = nullptr;
    for (const auto& [name, value] : request.headers) {
      const std::string line = value.empty() ? name + ";" : name + ": " + value;
      raw = curl_slist_append(raw, line.c_str());
    }
    raw = curl_slist_append(raw, "Expect:");
    std::unique_ptr<curl_slist, SlistDeleter> header_list(raw);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, header_list.get());

    char errbuf[CURL_ERROR_SIZE] = {};
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf);
    const CURLcode rc = curl_easy_perform(curl);
    UniqueFd out_fd(t.out_fd);
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &response.status);
    // The slist and our Transfer die here: nothing of this request may stay on the handle.
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, nullptr);
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, nullptr);

    if (!t.io_failure.empty()) return io_error(shown + ": " + t.io_failure);
    if (rc != CURLE_OK) {
      const ErrorCode code = code_for(rc);
      std::string detail = errbuf[0] ? errbuf : curl_easy_strerror(rc);
      return Error(code, redact(shown + ": " + what_failed(code) + " (" + detail + ")"));
    }
    if (out_fd) {
      if (::fsync(out_fd.get()) != 0)
        return errno_error(shown + ": " + request.response_file.string(), errno);
    } else if (!request.response_file.empty() && response.ok() && request.method != "HEAD") {
      // An empty 2xx body still creates the file, so the caller finds what it asked for.
      UniqueFd empty(
          ::open(request.response_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
      if (!empty) return errno_error(shown + ": " + request.response_file.string(), errno);
    }
    return response;
  }

  CurlOptions m_options;
  std::mutex m_mutex;
  std::vector<EasyHandle> m_idle;
};

}  // namespace

std::unique_ptr<Transport> make_curl_transport(const CurlOptions& options) {
  return std::make_unique<CurlTransport>(options);
}

}  // namespace lpack::net
