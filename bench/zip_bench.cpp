// zip_bench: zips a folder with lpack's deterministic zip writer, the way the build does
// (walk_tree with folders, then write_zip), and reports where the time went. bench/pack.sh
// times it against zip, bsdtar and Python's zipfile.
//
//   zip_bench [-j THREADS] [-l LEVEL] [-t EPOCH] [-q] SRC_DIR OUT.zip
//
// Prints "walk <s> zip <s> entries <n> size <bytes> sha256 <hex>" on stderr unless -q.
#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "base/fs.hpp"
#include "base/walk.hpp"
#include "builder/zip/zip_writer.hpp"

namespace {

int usage() {
  std::fprintf(stderr,
               "usage: zip_bench [-j THREADS] [-l LEVEL] [-t EPOCH] [-q] SRC_DIR OUT.zip\n");
  return 2;
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

int main(int argc, char** argv) {
  lpack::builder::ZipOptions options;
  bool quiet = false;
  std::vector<std::string_view> positional;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    auto value = [&]() -> const char* { return i + 1 < argc ? argv[++i] : nullptr; };
    if (arg == "-j" || arg == "-l" || arg == "-t") {
      const char* v = value();
      if (!v) return usage();
      if (arg == "-j") options.threads = std::atoi(v);
      if (arg == "-l") options.level = std::atoi(v);
      if (arg == "-t") options.timestamp = std::atoll(v);
    } else if (arg == "-q") {
      quiet = true;
    } else if (!arg.empty() && arg[0] == '-') {
      return usage();
    } else {
      positional.push_back(arg);
    }
  }
  if (positional.size() != 2) return usage();

  const auto start = std::chrono::steady_clock::now();
  lpack::WalkOptions walk;
  walk.with_dirs = true;
  auto entries = lpack::walk_tree(lpack::fs::path(positional[0]), walk);
  if (!entries) {
    std::fprintf(stderr, "zip_bench: %s\n", entries.error().message().c_str());
    return 1;
  }
  std::vector<lpack::builder::ZipInput> inputs;
  inputs.reserve(entries->size());
  for (auto& e : *entries)
    inputs.push_back({std::move(e.path), std::move(e.source), e.is_dir, e.executable});
  const double walk_s = seconds_since(start);

  const std::string out_path(positional[1]);
  lpack::UniqueFd fd(::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
  if (!fd) {
    std::perror(out_path.c_str());
    return 1;
  }
  const auto zip_start = std::chrono::steady_clock::now();
  auto stats = lpack::builder::write_zip(fd.get(), std::move(inputs), options);
  if (!stats) {
    std::fprintf(stderr, "zip_bench: %s\n", stats.error().message().c_str());
    return 1;
  }
  const double zip_s = seconds_since(zip_start);
  if (!quiet) {
    std::fprintf(stderr, "walk %.3f zip %.3f entries %llu size %llu sha256 %s\n", walk_s, zip_s,
                 static_cast<unsigned long long>(stats->entries),
                 static_cast<unsigned long long>(stats->size),
                 lpack::to_hex(stats->sha256).c_str());
  }
  return 0;
}
