// Memoised toolchain identity probes. Running `python3.12 -c 'import pip…'` or `mvn -v`
// costs 50–500 ms, which would dominate a warm no-op build, so a probe's output is kept in
// the cache folder and reused while the probed program is unchanged — the way ccache trusts
// a compiler by its mtime and size. "Unchanged" means: the program (after symlinks) and the
// folders of its installation (its own folder, <prefix>/lib, <prefix>/lib/*, and
// <prefix>/lib/*/site-packages) have the same inode, size, mtime and ctime; installing or
// upgrading a package there (pip, npm) changes a folder's mtime.
//
// Memo file grammar (text; one per probe, memo_dir/<sha256 of guard>; memo_dir is
// <cache>/tools/probes, or the private scratch folder's probes/ with --no-cache):
//   "lpack-probe 1\n" output
// The name is the SHA-256 of the probe's argv, environment and every guarded stat, so a
// changed guard finds no file; a file that does not start with the magic line is ignored.
#pragma once

#include <string>
#include <vector>

#include "builder/step_runner.hpp"

namespace lpack::builder {

// The step's identity probes' "argv => output" lines, from the memo when it is fresh, else
// by running them (run_identity_probes) and recording the result in `memo_dir`. An empty
// memo_dir disables the memo.
Result<std::vector<std::string>> probe_toolchain(const runtimes::Step& step,
                                                 const StepContext& context,
                                                 const fs::path& memo_dir);

}  // namespace lpack::builder
