// A Transport for unit tests: answers from a script (a queue of responses or failures, or a
// handler function) and records every request it was sent. Used where no real server can
// produce the case (a reset after N bytes, a pinned clock) — the integration tests use real
// servers (moto, nginx) and tests/servers/fault_server.py.
#pragma once

#include <deque>
#include <functional>
#include <mutex>
#include <vector>

#include "net/http.hpp"

namespace lpack::test {

inline net::HttpResponse response(long status, std::string body = {}, net::Headers headers = {}) {
  net::HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  r.body_bytes = r.body.size();
  r.headers = std::move(headers);
  return r;
}

class FakeTransport : public net::Transport {
 public:
  using Handler = std::function<Result<net::HttpResponse>(const net::HttpRequest&)>;

  void push(Result<net::HttpResponse> answer) {
    std::lock_guard lock(m_mutex);
    m_script.push_back(std::move(answer));
  }
  void set_handler(Handler handler) { m_handler = std::move(handler); }

  Result<net::HttpResponse> send(const net::HttpRequest& request) override {
    std::unique_lock lock(m_mutex);
    m_requests.push_back(request);
    if (!m_script.empty()) {
      auto answer = std::move(m_script.front());
      m_script.pop_front();
      return answer;
    }
    lock.unlock();
    if (m_handler) return m_handler(request);
    return response(500, "no scripted answer");
  }

  std::vector<net::HttpRequest> requests() const {
    std::lock_guard lock(m_mutex);
    return m_requests;
  }
  size_t count() const {
    std::lock_guard lock(m_mutex);
    return m_requests.size();
  }

 private:
  mutable std::mutex m_mutex;
  std::deque<Result<net::HttpResponse>> m_script;
  std::vector<net::HttpRequest> m_requests;
  Handler m_handler;
};

}  // namespace lpack::test
