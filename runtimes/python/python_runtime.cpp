// Placeholder, replaced by the Python plugin.
#include "runtimes/runtime.hpp"

namespace lpack::runtimes {
namespace {
class PythonRuntime final : public Runtime {
 public:
  std::string_view id() const override { return "python"; }
  std::string_view version() const override { return "1"; }
  std::vector<std::string> lambda_runtimes() const override { return {"python3.12"}; }
  std::string_view default_runtime() const override { return "python3.12"; }
  std::string_view looks_for() const override { return "requirements.txt"; }
  Detection detect(const fs::path&) const override { return {}; }
  Result<Plan> plan(const PlanRequest&) const override { return bad_input("not yet"); }
  Result<void> check_handler(const Plan&, const std::vector<TreeEntry>&) const override { return ok(); }
};
}  // namespace
std::unique_ptr<Runtime> make_python_runtime() { return std::make_unique<PythonRuntime>(); }
}  // namespace lpack::runtimes
