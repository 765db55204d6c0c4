#include "base/process.hpp"
#include "sandbox/sandbox.hpp"

namespace lpack::sandbox {
namespace {

class HostSandbox final : public Sandbox {
 public:
  std::string_view name() const override { return "none"; }

  Result<RunResult> run(const RunSpec& spec) override {
    ProcessSpec process;
    process.argv = spec.argv;
    for (const auto& [key, value] : spec.env) process.env.push_back(key + "=" + value);
    process.cwd = spec.workdir;
    process.on_line = spec.on_line;
    auto result = LPACK_TRY(run_process(process));
    return RunResult{result.exit_code, std::move(result.output)};
  }
};

}  // namespace

std::unique_ptr<Sandbox> make_host_sandbox() {
  return std::make_unique<HostSandbox>();
}

}  // namespace lpack::sandbox
