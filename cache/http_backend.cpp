// bazel-remote's HTTP cache protocol: GET/PUT/HEAD <base>/ac/<key> and <base>/cas/<sha256>.
// Content-Length is always sent (bazel-remote requires it; the transport knows every body's
// size up front), any 2xx answer to a PUT is success (nginx WebDAV says 201 or 204), and
// redirects are not followed (they would carry the Authorization header elsewhere).
#include <charconv>

#include "cache/remote_backends.hpp"

namespace lpack::cache {

namespace {

std::optional<uint64_t> content_length(const net::HttpResponse& response) {
  auto len = response.header("Content-Length");
  if (!len) return std::nullopt;
  uint64_t v = 0;
  auto [ptr, ec] = std::from_chars(len->data(), len->data() + len->size(), v);
  if (ec != std::errc() || ptr != len->data() + len->size()) return std::nullopt;
  return v;
}

class HttpBackend final : public RemoteBackend {
 public:
  HttpBackend(net::Url base, std::string authorization, net::Transport& transport)
      : m_base(std::move(base)),
        m_authorization(std::move(authorization)),
        m_transport(transport) {}

  std::string describe() const override { return m_base.origin() + m_base.path; }

  Result<std::string> get_record(std::string_view key) override {
    net::HttpRequest request = make("GET", "ac", key);
    auto response = LPACK_TRY(send(request));
    if (!response.ok()) return status_error(what(request), response);
    return std::move(response.body);
  }

  Result<void> put_record(std::string_view key, std::string_view bytes) override {
    net::HttpRequest request = make("PUT", "ac", key);
    request.body.data = std::string(bytes);
    return put(request);
  }

  Result<bool> has_blob(std::string_view sha256_hex) override {
    net::HttpRequest request = make("HEAD", "cas", sha256_hex);
    auto response = LPACK_TRY(send(request));
    if (response.status == 404) return false;
    if (!response.ok()) return status_error(what(request), response);
    return true;
  }

  Result<uint64_t> get_blob(std::string_view sha256_hex, const fs::path& dest) override {
    net::HttpRequest request = make("GET", "cas", sha256_hex);
    request.response_file = dest;
    auto response = LPACK_TRY(send(request));
    if (!response.ok()) return status_error(what(request), response);
    std::error_code ec;
    const uint64_t size = fs::file_size(dest, ec);
    if (ec) return io_error(what(request) + ": " + dest.string() + ": " + ec.message());
    if (auto len = content_length(response); len && *len != size)
      return Error(ErrorCode::corrupt, what(request) + ": got " + std::to_string(size) +
                                           " bytes, Content-Length said " + std::to_string(*len));
    return size;
  }

  Result<std::string> get_blob_bytes(std::string_view sha256_hex, uint64_t max_bytes) override {
    net::HttpRequest request = make("GET", "cas", sha256_hex);
    auto response = LPACK_TRY(send(request));
    if (!response.ok()) return status_error(what(request), response);
    if (response.body.size() > max_bytes)
      return Error(ErrorCode::corrupt, what(request) + ": " + std::to_string(response.body.size()) +
                                           " bytes, more than the " + std::to_string(max_bytes) +
                                           " expected");
    if (auto len = content_length(response); len && *len != response.body.size())
      return Error(ErrorCode::corrupt, what(request) + ": body shorter than its Content-Length");
    return std::move(response.body);
  }

  Result<void> put_blob(std::string_view sha256_hex, const fs::path& file, uint64_t size) override {
    net::HttpRequest request = make("PUT", "cas", sha256_hex);
    request.body.file = file;
    request.body.size = size;
    return put(request);
  }

  Result<void> put_blob_bytes(std::string_view sha256_hex, std::string_view bytes) override {
    net::HttpRequest request = make("PUT", "cas", sha256_hex);
    request.body.data = std::string(bytes);
    return put(request);
  }

 private:
  net::HttpRequest make(std::string method, std::string_view area, std::string_view name) const {
    net::HttpRequest request;
    request.method = std::move(method);
    request.url = m_base.origin() + m_base.path + "/" + std::string(area) + "/" + std::string(name);
    if (!m_authorization.empty()) request.headers.emplace_back("Authorization", m_authorization);
    if (request.method == "PUT")
      request.headers.emplace_back("Content-Type", "application/octet-stream");
    return request;
  }

  std::string what(const net::HttpRequest& request) const {
    return "remote cache " + request.method + " " + request.url;
  }

  Result<net::HttpResponse> send(const net::HttpRequest& request) {
    auto response = m_transport.send(request);
    if (!response) return std::move(response).error().context("remote cache");
    return response;
  }

  Result<void> put(const net::HttpRequest& request) {
    auto response = LPACK_TRY(send(request));
    if (!response.ok()) return status_error(what(request), response);
    return ok();
  }

  net::Url m_base;              // no userinfo
  std::string m_authorization;  // secret: only ever copied into request headers
  net::Transport& m_transport;
};

}  // namespace

std::unique_ptr<RemoteBackend> make_http_backend(net::Url base, std::string authorization,
                                                 net::Transport& transport) {
  return std::make_unique<HttpBackend>(std::move(base), std::move(authorization), transport);
}

}  // namespace lpack::cache
