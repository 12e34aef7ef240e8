// The host's one log sink. Human-readable lines on a terminal, JSON lines otherwise (or when
// asked). Every line carries the level, a timestamp, the current run id and connection (from
// LogContext) and passes through the Redactor, so no secret reaches it.
#pragma once

#include <iosfwd>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace ledgerbridge::log {

enum class Level { Debug = 0, Info = 1, Warn = 2, Error = 3 };
enum class Format { Auto, Human, Json };

/// One named value on a log line. Text is a JSON string; a field built from a number is a JSON
/// number (and a bool a JSON boolean), so a log reader can sum, compare and alert on it without
/// parsing strings: {"entries", ids.size()}, {"ms", took.count()}.
struct Field {
    enum class Kind { Text, Number, Boolean };
    std::string name;
    std::string value;  ///< as printed: the text, the number's digits, or true/false
    Kind kind = Kind::Text;

    Field(std::string n, std::string v) : name(std::move(n)), value(std::move(v)) {}
    // A literal must not become a bool (a pointer converts to bool before std::string).
    Field(std::string n, const char* v) : name(std::move(n)), value(v) {}
    Field(std::string n, bool v) : name(std::move(n)), value(v ? "true" : "false"), kind(Kind::Boolean) {}
    template <typename T, std::enable_if_t<std::is_integral_v<T> && !std::is_same_v<T, bool>, int> = 0>
    Field(std::string n, T v) : name(std::move(n)), value(std::to_string(v)), kind(Kind::Number) {}
    /// A floating value with up to 3 decimals (durations in ms or s); NaN and infinities are text.
    Field(std::string n, double v);
};
using Fields = std::vector<Field>;

/// Parses "debug|info|warn|error"; throws ConfigError naming the bad value.
Level parseLevel(const std::string& text);
/// Parses "auto|human|json"; throws ConfigError naming the bad value.
Format parseFormat(const std::string& text);

/// Sets the minimum level and format. Format::Auto picks Human when stderr is a terminal.
void configure(Level minimum, Format format);
/// Sends lines to `out` instead of stderr (tests; `nullptr` restores stderr). Not owned.
void setSink(std::ostream* out);
/// Also appends every line, JSON formatted, to this file (empty path turns it off). The file is
/// created with mode 0600 (logs name companies, jobs and accounts). Throws IoError naming it.
void setFile(const std::string& path);
/// Closes the log file and opens the same path again (SIGHUP after logrotate renamed it): the
/// lines written so far stay in the renamed file, the next ones go to a new file at the path.
/// Logs an error to stderr and keeps the old file when the path cannot be opened. No-op
/// without a file.
void reopenFile();

/// True when lines to stderr are for a person (human format, stderr a terminal) and that
/// terminal can redraw a line in place (TERM is not "dumb"): the only case in which a progress
/// line may be drawn on stderr. A JSON stream on stderr never gets one.
bool progressLineAllowed();
/// True when human lines on stderr may carry colour: stderr is a terminal, NO_COLOR is unset or
/// empty (https://no-color.org) and TERM is not "dumb".
bool colourAllowed();

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
