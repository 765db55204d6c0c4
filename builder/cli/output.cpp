#include "builder/cli/output.hpp"

#include <cstdio>
#include <nlohmann/json.hpp>

#include "base/redact.hpp"

namespace lpack::cli {

void print_error(const Error& error) {
  std::fprintf(stderr, "lpack: error: %s\n", redact(error.message()).c_str());
}

void print_warning(std::string_view warning) {
  std::fprintf(stderr, "lpack: warning: %s\n", redact(warning).c_str());
}

std::string human_size(uint64_t bytes) {
  char text[32];
  if (bytes < 1024) {
    std::snprintf(text, sizeof text, "%llu B", static_cast<unsigned long long>(bytes));
  } else if (bytes < 1024 * 1024) {
    std::snprintf(text, sizeof text, "%.1f KiB", static_cast<double>(bytes) / 1024);
  } else if (bytes < 1024ull * 1024 * 1024) {
    std::snprintf(text, sizeof text, "%.1f MiB", static_cast<double>(bytes) / (1024 * 1024));
  } else {
    std::snprintf(text, sizeof text, "%.2f GiB",
                  static_cast<double>(bytes) / (1024.0 * 1024 * 1024));
  }
  return text;
}

void print_build_report(const builder::BuildReport& report) {
  auto line = [&](const builder::ArtifactReport& a) {
    std::printf("%s  %s, %llu entries, sha256 %s…, cache %s\n", (report.out_dir / a.file).c_str(),
                human_size(a.size).c_str(), static_cast<unsigned long long>(a.entries),
                a.sha256.substr(0, 12).c_str(), a.cache.c_str());
  };
  if (report.function) line(*report.function);
  if (report.layer) line(*report.layer);
  std::printf("%s\n", (report.out_dir / "manifest.json").c_str());
}

void print_explanations(const std::vector<builder::StepExplanation>& steps, bool json) {
  if (json) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& s : steps) {
      out.push_back({{"step", s.step},
                     {"key", s.key},
                     {"key_text", s.key_text},
                     {"cached", s.cached},
                     {"has_previous", s.has_previous},
                     {"changes", s.changes}});
    }
    std::printf("%s\n", out.dump(2).c_str());
    return;
  }
  for (const auto& s : steps) {
    std::printf("%s: key %s (%s)\n", s.step.c_str(), s.key.c_str(),
                s.cached ? "in the cache" : "not in the cache");
    size_t start = 0;
    while (start < s.key_text.size()) {
      size_t nl = s.key_text.find('\n', start);
      std::printf("  %s\n", s.key_text.substr(start, nl - start).c_str());
      if (nl == std::string::npos) break;
      start = nl + 1;
    }
    if (!s.has_previous) {
      std::printf("  no previous build of this folder's %s is remembered\n", s.step.c_str());
    } else if (s.changes.empty()) {
      std::printf("  unchanged since the previous build\n");
    } else {
      std::printf("  changed since the previous build:\n");
      for (const auto& c : s.changes) std::printf("    %s\n", c.c_str());
    }
  }
}

bool print_verify_report(const builder::VerifyReport& report, bool json) {
  bool same = report.differences.empty();
  if (json) {
    nlohmann::json out = {
        {"checked", report.checked}, {"differences", report.differences}, {"reproducible", same}};
    std::printf("%s\n", out.dump(2).c_str());
    return same;
  }
  for (const auto& d : report.differences) std::printf("differs: %s\n", d.c_str());
  std::string files;
  for (const auto& c : same ? report.checked : report.differing)
    files += (files.empty() ? "" : ", ") + c;
  std::printf(same ? "verified: %s rebuilt byte-identical\n" : "NOT reproducible: %s\n",
              files.c_str());
  return same;
}

void print_cache_stats(const fs::path& root, const cache::LocalStore::Stats& stats, bool json) {
  if (json) {
    nlohmann::json out = {{"root", root.string()}, {"records", stats.records},
                          {"blobs", stats.blobs},  {"bytes", stats.bytes},
                          {"hits", stats.hits},    {"misses", stats.misses}};
    std::printf("%s\n", out.dump(2).c_str());
    return;
  }
  uint64_t lookups = stats.hits + stats.misses;
  std::printf("cache folder   %s\n", root.c_str());
  std::printf("action records %llu\n", static_cast<unsigned long long>(stats.records));
  std::printf("blobs          %llu (%s)\n", static_cast<unsigned long long>(stats.blobs),
              human_size(stats.bytes).c_str());
  std::printf("hits           %llu\n", static_cast<unsigned long long>(stats.hits));
  std::printf("misses         %llu\n", static_cast<unsigned long long>(stats.misses));
  if (lookups > 0)
    std::printf("hit rate       %.1f%%\n",
                100.0 * static_cast<double>(stats.hits) / static_cast<double>(lookups));
}

}  // namespace lpack::cli
