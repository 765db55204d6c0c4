// Explains how two zips differ, entry by entry, for `lpack verify`: which entries are
// missing, out of order, or differ in content, mode, time or compression. Reads with libzip,
// an independent reader, so a bug in our writer cannot hide itself.
#pragma once

#include <string>
#include <vector>

#include "base/error.hpp"
#include "base/fs.hpp"

namespace lpack::builder {

// "name: content differs", "name: mode 0644 vs 0755", "order differs from entry 3 (a vs b)"...
// Empty when the entries agree (the caller compares the bytes too). `expected` is the
// artifact being verified, `actual` the fresh rebuild. An io Error when either cannot be read.
Result<std::vector<std::string>> diff_zips(const fs::path& expected, const fs::path& actual);

}  // namespace lpack::builder
