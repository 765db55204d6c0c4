#include "base/error.hpp"

#include <cstring>

namespace lpack {

Error errno_error(std::string_view what, int errno_value) {
  return {ErrorCode::io, std::string(what) + ": " + std::strerror(errno_value)};
}

}  // namespace lpack
