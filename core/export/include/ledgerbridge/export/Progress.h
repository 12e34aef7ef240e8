// Progress of a long job for a person or a log reader: on a terminal, one line rewritten in
// place (at most a few times a second); otherwise a structured log line every few seconds.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace ledgerbridge::exporter {

class Progress {
public:
    /// `interactive`: draw on stderr in place (normally: stderr is a terminal).
    Progress(std::string jobId, std::int64_t total, bool interactive);
    ~Progress();

    /// Reports the current counts; cheap to call often (throttled).
    void update(const std::string& phase, std::int64_t done, std::int64_t rejected);
    /// Ends the progress line (on a terminal, moves to a fresh line).
    void finish();

    /// True when stderr is a terminal.
    static bool stderrIsTerminal();

private:
    std::string jobId_;
    std::int64_t total_;
    bool interactive_;
    bool drawn_ = false;
    std::chrono::steady_clock::time_point last_{};
};

}  // namespace ledgerbridge::exporter
