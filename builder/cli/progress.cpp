#include "builder/cli/progress.hpp"

#include <sys/ioctl.h>
#include <unistd.h>

#include <cstdio>

namespace lpack::cli {

Progress::Progress(bool quiet) : m_tty(::isatty(STDERR_FILENO) != 0), m_quiet(quiet) {
  winsize ws{};
  if (m_tty && ::ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 10) m_width = ws.ws_col;
}

Progress::~Progress() {
  finish();
}

void Progress::line(std::string_view text) {
  if (m_quiet) return;
  if (!m_tty) {
    std::fprintf(stderr, "%.*s\n", static_cast<int>(text.size()), text.data());
    return;
  }
  size_t width = static_cast<size_t>(m_width - 1);
  std::string_view shown = text.size() > width ? text.substr(0, width) : text;
  std::fprintf(stderr, "\r\033[K%.*s", static_cast<int>(shown.size()), shown.data());
  std::fflush(stderr);
  m_live = true;
}

void Progress::finish() {
  if (m_live) {
    std::fprintf(stderr, "\r\033[K");
    std::fflush(stderr);
    m_live = false;
  }
}

}  // namespace lpack::cli
