// The lpack executable: argv -> options -> library call -> report. The only place that
// prints or exits.
#include <CLI/CLI.hpp>
#include <cstdio>

#include "base/version.hpp"
#include "builder/cli/commands.hpp"

int main(int argc, char** argv) {
  CLI::App app{"lpack: deterministic AWS Lambda function and layer zips", "lpack"};
  app.set_version_flag("--version", std::string("lpack ") + lpack::k_version);
  app.require_subcommand(0, 1);
  app.fallthrough(false);

  lpack::cli::CommandSet commands;
  commands.register_all(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "lpack: error: %s; see `lpack help`\n", e.what());
    return 2;  // bad usage
  }
  return commands.run(app);
}
