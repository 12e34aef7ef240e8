// What the fuzz targets share: quiet logs, a Redactor that does not grow across inputs, a
// private scratch file for parsers that read from a path, and the rule every target enforces:
// a parser may refuse input only with one of the project's exceptions (a clear error), never
// with anything else and never by crashing (the sanitizers catch the crashes).
#pragma once

#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "ledgerbridge/common/Log.h"
#include "ledgerbridge/common/Redactor.h"

namespace ledgerbridge::fuzz {

inline std::string bytes(const std::uint8_t* data, std::size_t size) {
    return std::string(reinterpret_cast<const char*>(data), size);
}

/// Called once per process: logs go nowhere (a fuzzer runs the parsers millions of times).
inline void quietLogs() {
    static std::ostringstream sink;
    static bool done = [] {
        log::configure(log::Level::Error, log::Format::Human);
        log::setSink(&sink);
        return true;
    }();
    (void)done;
    sink.str({});
}

/// Every input starts with an empty Redactor: token parsers register what they read, and a
/// registry that grows with millions of inputs would only measure the fuzzer, not the code.
inline void freshRedactor() { Redactor::global().clearForTesting(); }

/// A file of this process under the temp folder (one per fuzzer process, rewritten per input).
class ScratchFile {
public:
    explicit ScratchFile(const std::string& name) {
        dir_ = std::filesystem::temp_directory_path() / ("lb-fuzz-" + std::to_string(::getpid()));
        std::filesystem::create_directories(dir_);
        path_ = (dir_ / name).string();
    }
    ~ScratchFile() {
        std::error_code ec;
        std::filesystem::remove_all(dir_, ec);
    }
    const std::string& write(const std::uint8_t* data, std::size_t size) {
        std::ofstream out(path_, std::ios::binary | std::ios::trunc);
        out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
        return path_;
    }
    const std::filesystem::path& dir() const { return dir_; }

private:
    std::filesystem::path dir_;
    std::string path_;
};

/// A parser ended with an exception outside the contract: a finding (libFuzzer reports the
/// abort with the input that caused it).
[[noreturn]] inline void unexpectedException(const char* what) {
    std::fprintf(stderr, "fuzz: unexpected exception type escaped the parser: %s\n", what);
    std::abort();
}

}  // namespace ledgerbridge::fuzz
