// Placeholder, replaced by the Go plugin.
#include "runtimes/runtime.hpp"

namespace lpack::runtimes {
namespace {
class GoRuntime final : public Runtime {
 public:
  std::string_view id() const override { return "go"; }
  std::string_view version() const override { return "0"; }
  std::vector<std::string> lambda_runtimes() const override { return {}; }
  std::string_view default_runtime() const override { return ""; }
  std::string_view looks_for() const override { return ""; }
  Detection detect(const fs::path&) const override { return {}; }
  Result<Plan> plan(const PlanRequest&) const override { return bad_input("go: not yet supported"); }
  Result<void> check_handler(const Plan&, const std::vector<TreeEntry>&) const override { return ok(); }
};
}  // namespace
std::unique_ptr<Runtime> make_go_runtime() { return std::make_unique<GoRuntime>(); }
}  // namespace lpack::runtimes
