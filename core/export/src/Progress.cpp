// Progress line / progress log: see Progress.h.
#include "ledgerbridge/export/Progress.h"

#include <unistd.h>

#include <cstdio>

#include "ledgerbridge/common/Log.h"

namespace ledgerbridge::exporter {

Progress::Progress(std::string jobId, std::int64_t total, bool interactive)
    : jobId_(std::move(jobId)), total_(total), interactive_(interactive) {}

Progress::~Progress() { finish(); }

bool Progress::stderrIsTerminal() { return ::isatty(STDERR_FILENO) == 1; }

void Progress::update(const std::string& phase, std::int64_t done, std::int64_t rejected) {
    auto now = std::chrono::steady_clock::now();
    auto interval = interactive_ ? std::chrono::milliseconds(200) : std::chrono::milliseconds(5000);
    if (last_.time_since_epoch().count() != 0 && now - last_ < interval && done != total_) return;
    last_ = now;
    int percent = total_ > 0 ? static_cast<int>(done * 100 / total_) : 100;
    if (interactive_) {
        std::fprintf(stderr, "\r\033[K  job %.8s… %-10s %lld/%lld entries (%d%%), %lld rejected", jobId_.c_str(),
                     phase.c_str(), static_cast<long long>(done), static_cast<long long>(total_), percent,
                     static_cast<long long>(rejected));
        std::fflush(stderr);
        drawn_ = true;
    } else {
        log::info("progress", {{"job", jobId_},
                               {"phase", phase},
                               {"done", done},
                               {"total", total_},
                               {"rejected", rejected}});
    }
}

void Progress::finish() {
    if (drawn_) {
        std::fputs("\r\033[K", stderr);
        std::fflush(stderr);
        drawn_ = false;
    }
}

}  // namespace ledgerbridge::exporter
