// The host's one log sink. Human-readable lines on a terminal, JSON lines otherwise (or when
// asked). Every line carries the level, a timestamp, the current run id and connection (from
// LogContext) and passes through the Redactor, so no secret reaches it.
#pragma once

#include <iosfwd>
#include <string>
#include <utility>
#include <vector>

namespace ledgerbridge::log {

enum class Level { Debug = 0, Info = 1, Warn = 2, Error = 3 };
enum class Format { Auto, Human, Json };

using Fields = std::vector<std::pair<std::string, std::string>>;

/// Parses "debug|info|warn|error"; throws ConfigError naming the bad value.
Level parseLevel(const std::string& text);
/// Parses "auto|human|json"; throws ConfigError naming the bad value.
Format parseFormat(const std::string& text);

/// Sets the minimum level and format. Format::Auto picks Human when stderr is a terminal.
void configure(Level minimum, Format format);
/// Sends lines to `out` instead of stderr (tests; `nullptr` restores stderr). Not owned.
void setSink(std::ostream* out);
/// Also appends every line, JSON formatted, to this file (empty path turns it off).
void setFile(const std::string& path);

bool enabled(Level level);
void write(Level level, const std::string& message, const Fields& fields = {});

inline void debug(const std::string& m, const Fields& f = {}) { write(Level::Debug, m, f); }
inline void info(const std::string& m, const Fields& f = {}) { write(Level::Info, m, f); }
inline void warn(const std::string& m, const Fields& f = {}) { write(Level::Warn, m, f); }
inline void error(const std::string& m, const Fields& f = {}) { write(Level::Error, m, f); }

/// Puts a run id and/or connection name on every line this thread logs while it lives.
class LogContext {
public:
    LogContext(std::string runId, std::string connection);
    ~LogContext();
    LogContext(const LogContext&) = delete;
    LogContext& operator=(const LogContext&) = delete;

private:
    std::string previousRun_;
    std::string previousConnection_;
};

}  // namespace ledgerbridge::log
