// What the lpack commands print: results on stdout, errors and warnings on stderr (secrets
// redacted on the way out).
#pragma once

#include <string>
#include <vector>

#include "base/error.hpp"
#include "builder/build.hpp"
#include "cache/store.hpp"

namespace lpack::cli {

void print_error(const Error& error);
void print_warning(std::string_view warning);
std::string human_size(uint64_t bytes);

void print_build_report(const builder::BuildReport& report);
void print_explanations(const std::vector<builder::StepExplanation>& steps, bool json);
// Returns true when the rebuild matched.
bool print_verify_report(const builder::VerifyReport& report, bool json);
void print_cache_stats(const fs::path& root, const cache::LocalStore::Stats& stats, bool json);

}  // namespace lpack::cli
