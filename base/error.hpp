// The one error type of lpack, and Result<T>, the value-or-error every fallible function
// returns. Libraries never print or exit: they return an Error, adding context on the way
// up ("requirements.txt:12: ..."), and only the CLI turns it into a message and exit code.
#pragma once

#include <cassert>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>

namespace lpack {

enum class ErrorCode {
  bad_usage,     // wrong command-line use (exit 2)
  bad_input,     // the user's project or configuration is wrong (exit 2)
  build_failed,  // a build step or a check failed (exit 1)
  io,            // the file system or a process failed us (exit 1)
  remote,        // a network peer failed (exit 1)
  corrupt,       // persisted data failed its checksum (callers usually recover)
  internal,      // a bug in lpack (exit 1)
  // Network failures, told apart so that callers can decide to retry, to treat a thing as
  // absent, or to switch a remote off (net/ and cache/'s remote backends produce them).
  timeout,       // a network peer did not answer in time (connect, total or low-speed limit)
  unreachable,   // connection refused or reset, name not resolved: the peer is not there
  tls,           // TLS handshake or certificate verification failed (not retried)
  unauthorized,  // credentials missing, refused or unsigned correctly (HTTP 401/403)
  not_found,     // the thing asked for does not exist (HTTP 404, NoSuchKey)
};

class Error {
 public:
  Error(ErrorCode code, std::string message) : m_code(code), m_message(std::move(message)) {}

  ErrorCode code() const { return m_code; }
  const std::string& message() const { return m_message; }

  // Prefixes "context: " to the message; returns *this so it chains in a return statement.
  Error& context(std::string_view prefix) {
    m_message = std::string(prefix) + ": " + m_message;
    return *this;
  }

 private:
  ErrorCode m_code;
  std::string m_message;
};

inline Error bad_input(std::string message) {
  return {ErrorCode::bad_input, std::move(message)};
}
inline Error bad_usage(std::string message) {
  return {ErrorCode::bad_usage, std::move(message)};
}
inline Error build_failed(std::string message) {
  return {ErrorCode::build_failed, std::move(message)};
}
inline Error io_error(std::string message) {
  return {ErrorCode::io, std::move(message)};
}
// "what: strerror(errno_value)"
Error errno_error(std::string_view what, int errno_value);

// A value or an Error, in the shape of std::expected (C++23), which this C++20 code base
// does not have yet.
template <typename T>
class [[nodiscard]] Result {
 public:
  using value_type = T;
  Result(T value) : m_data(std::in_place_index<0>, std::move(value)) {}      // NOLINT: implicit
  Result(Error error) : m_data(std::in_place_index<1>, std::move(error)) {}  // NOLINT: implicit

  bool has_value() const { return m_data.index() == 0; }
  explicit operator bool() const { return has_value(); }

  T& value() & {
    assert(has_value());
    return std::get<0>(m_data);
  }
  const T& value() const& {
    assert(has_value());
    return std::get<0>(m_data);
  }
  T&& value() && {
    assert(has_value());
    return std::get<0>(std::move(m_data));
  }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  Error& error() & {
    assert(!has_value());
    return std::get<1>(m_data);
  }
  const Error& error() const& {
    assert(!has_value());
    return std::get<1>(m_data);
  }
  Error&& error() && {
    assert(!has_value());
    return std::get<1>(std::move(m_data));
  }

 private:
  std::variant<T, Error> m_data;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  using value_type = void;
  Result() = default;
  Result(Error error) : m_error(std::move(error)), m_ok(false) {}  // NOLINT: implicit

  bool has_value() const { return m_ok; }
  explicit operator bool() const { return m_ok; }
  void value() const { assert(m_ok); }
  Error& error() & {
    assert(!m_ok);
    return m_error;
  }
  const Error& error() const& {
    assert(!m_ok);
    return m_error;
  }
  Error&& error() && {
    assert(!m_ok);
    return std::move(m_error);
  }

 private:
  Error m_error{ErrorCode::internal, ""};
  bool m_ok = true;
};

inline Result<void> ok() {
  return {};
}

}  // namespace lpack

// Evaluates a Result-returning expression; on error returns the error from the enclosing
// function, otherwise yields the value. Uses a GNU statement expression (g++ and clang).
#define LPACK_TRY(expr)                                                  \
  ({                                                                     \
    auto&& lpack_try_result_ = (expr);                                   \
    if (!lpack_try_result_) return std::move(lpack_try_result_).error(); \
    std::move(lpack_try_result_).value();                                \
  })

// Like LPACK_TRY, but prefixes context to the error message on the way up.
#define LPACK_TRY_CTX(expr, ctx)                                    \
  ({                                                                \
    auto&& lpack_try_result_ = (expr);                              \
    if (!lpack_try_result_) {                                       \
      auto lpack_try_error_ = std::move(lpack_try_result_).error(); \
      lpack_try_error_.context(ctx);                                \
      return lpack_try_error_;                                      \
    }                                                               \
    std::move(lpack_try_result_).value();                           \
  })
