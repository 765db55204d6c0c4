// The Node plugin's steps, as data.
//
// Layer step (only when package.json has dependencies): the dependency files alone
// (package.json, the lockfile, .npmrc and the package manager's own config) are staged into
// {work}, where a frozen, production-only install fills {work}/node_modules, packed under
// nodejs/node_modules/. The target's platform packages are selected by the package
// manager's own cpu/os/libc switches; install scripts run only when the target arch is the
// host's (a foreign arch's scripts would fetch or build host binaries):
//   npm         npm ci --omit=dev --os=linux --cpu=<x64|arm64> --libc=glibc --ignore-scripts,
//               then, for the host arch, `npm rebuild` (the dependencies' install scripts;
//               the project's own prepare/postinstall scripts never belong in a layer)
//   yarn 1      yarn install --frozen-lockfile --production; yarn 1 has no switch for the
//               target cpu, so for a foreign arch a preloaded script makes its process see
//               the target's process.arch (see k_yarn_arch_preload in node_plan.cpp)
//   yarn 2+     yarn workspaces focus --all --production, node-modules linker, immutable,
//               supportedArchitectures from a generated ~/.yarnrc.yml
//   pnpm        pnpm install --frozen-lockfile --prod --node-linker=hoisted --os --cpu --libc
//
// Function step: without a build script, the sources minus node_modules, tests, dotfiles and
// lockfiles, packed as they are. With one ([node] build_script), the sources are staged, the
// dependencies installed for the host (dev dependencies included), `<pm> run <script>` runs
// and the build's output folder is packed.
#pragma once

#include <string>

#include "base/arch.hpp"
#include "base/error.hpp"
#include "runtimes/node/node_project.hpp"
#include "runtimes/runtime.hpp"

namespace lpack::runtimes::node {

// "x64" | "arm64": Node's process.arch for a Lambda arch.
std::string_view node_cpu(Arch arch);

// The registry from lpack's environment (npm_config_registry, either case), without
// credentials, for the key; "" when none is set.
std::string registry_for_key(const std::map<std::string, std::string>& environment);

// The error for dependencies without a lockfile: frozen installs are the point.
Error no_lockfile_error();

// The layer step for a project with dependencies and a lockfile. `host` is the machine's
// arch (a parameter so tests can plan both cases).
Step make_layer_step(const NodeProject& project, const PlanRequest& request, Arch host);

// The function step. A bad_input Error when the build script or output folder is unusable.
Result<Step> make_function_step(const NodeProject& project, const PlanRequest& request);

}  // namespace lpack::runtimes::node
