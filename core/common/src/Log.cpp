// The host log sink: see Log.h. One mutex serialises lines so that threads never interleave.
#include "ledgerbridge/common/Log.h"

#include <Poco/DateTime.h>
#include <Poco/DateTimeFormat.h>
#include <Poco/DateTimeFormatter.h>
#include <Poco/JSONString.h>
#include <Poco/Timestamp.h>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <iomanip>
#include <iostream>
#include <mutex>
#include <sstream>

#include "ledgerbridge/common/Exception.h"
#include "ledgerbridge/common/Redactor.h"

namespace ledgerbridge::log {
namespace {

struct State {
    std::mutex mutex;
    Level minimum = Level::Info;
    Format format = Format::Auto;
    std::ostream* sink = nullptr;
    std::string filePath;
    int fileFd = -1;  // O_APPEND: each line is one write(), whole even with another writer
};

State& state() {
    static State s;
    return s;
}

thread_local std::string tlsRun;
thread_local std::string tlsConnection;

const char* levelName(Level l) {
    switch (l) {
        case Level::Debug: return "debug";
        case Level::Info: return "info";
        case Level::Warn: return "warn";
        case Level::Error: return "error";
    }
    return "info";
}

/// A JSON string literal, escaped exactly as Poco::JSON::Object::stringify escapes (quotes,
/// backslashes, slashes, control characters): the Redactor knows that form of every secret.
std::string jsonString(const std::string& text) { return Poco::toJSON(text, Poco::JSON_WRAP_STRINGS); }

// Assembled here rather than by Poco::JSON::Object so that a number field keeps its exact digits
// (a 64-bit count, a duration with 3 decimals) and is never quoted.
std::string jsonLine(Level level, const std::string& message, const Fields& fields) {
    std::vector<std::pair<std::string, std::string>> members;  // key, JSON value; a later key replaces
    auto set = [&members](const std::string& key, std::string value) {
        for (auto& m : members)
            if (m.first == key) {
                m.second = std::move(value);
                return;
            }
        members.emplace_back(key, std::move(value));
    };
    set("ts", jsonString(Poco::DateTimeFormatter::format(Poco::Timestamp(), "%Y-%m-%dT%H:%M:%S.%iZ")));
    set("level", jsonString(levelName(level)));
    if (!tlsRun.empty()) set("run", jsonString(tlsRun));
    if (!tlsConnection.empty()) set("connection", jsonString(tlsConnection));
    set("msg", jsonString(message));
    for (const Field& f : fields) set(f.name, f.kind == Field::Kind::Text ? jsonString(f.value) : f.value);
    std::string out = "{";
    for (const auto& [key, value] : members) out += (out.size() > 1 ? "," : "") + jsonString(key) + ":" + value;
    return out + "}";
}

/// `colour`: the level word in SGR colour (debug dim, WARN yellow, ERROR bold red).
std::string humanLine(Level level, const std::string& message, const Fields& fields, bool colour) {
    std::ostringstream out;
    out << Poco::DateTimeFormatter::format(Poco::Timestamp(), "%H:%M:%S") << ' ';
    const char* on = "";
    const char* word = "      ";
    switch (level) {
        case Level::Debug: on = "\033[2m", word = "debug "; break;
        case Level::Info: break;
        case Level::Warn: on = "\033[33m", word = "WARN  "; break;
        case Level::Error: on = "\033[1;31m", word = "ERROR "; break;
    }
    if (colour && *on) out << on << word << "\033[0m";
    else out << word;
    if (!tlsConnection.empty()) out << '[' << tlsConnection << "] ";
    out << message;
    for (const Field& f : fields) out << "  " << f.name << '=' << f.value;
    if (!tlsRun.empty()) out << "  run=" << tlsRun;
    return out.str();
}

bool termIsDumb() {
    const char* term = std::getenv("TERM");
    return term != nullptr && std::strcmp(term, "dumb") == 0;
}

/// Opens `path` for appending, created 0600; -1 with errno set on failure.
int openLogFile(const std::string& path) {
    return ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
}

void writeLine(int fd, const std::string& line) {
    std::size_t done = 0;
    while (done < line.size()) {
        const ssize_t n = ::write(fd, line.data() + done, line.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return;  // a full disk must not stop the work; stderr still has the line
        done += static_cast<std::size_t>(n);
    }
}

}  // namespace

Field::Field(std::string n, double v) : name(std::move(n)) {
    if (!std::isfinite(v)) {
        value = std::isnan(v) ? "NaN" : (v > 0 ? "Infinity" : "-Infinity");
        return;
    }
    std::ostringstream out;
    out << std::fixed << std::setprecision(3) << v;
    value = out.str();
    kind = Kind::Number;
}

Level parseLevel(const std::string& text) {
    if (text == "debug") return Level::Debug;
    if (text == "info") return Level::Info;
    if (text == "warn" || text == "warning") return Level::Warn;
    if (text == "error") return Level::Error;
    throw ConfigError("log level '" + text + "' is not one of debug, info, warn, error");
}

Format parseFormat(const std::string& text) {
    if (text == "auto") return Format::Auto;
    if (text == "human" || text == "text") return Format::Human;
    if (text == "json") return Format::Json;
    throw ConfigError("log format '" + text + "' is not one of auto, human, json");
}

void configure(Level minimum, Format format) {
    std::lock_guard<std::mutex> lock(state().mutex);
    state().minimum = minimum;
    state().format = format;
}

void setSink(std::ostream* out) {
    std::lock_guard<std::mutex> lock(state().mutex);
    state().sink = out;
}

void setFile(const std::string& path) {
    State& s = state();
    std::lock_guard<std::mutex> lock(s.mutex);
    if (s.fileFd >= 0 && path == s.filePath) return;  // configured again with the same file
    if (s.fileFd >= 0) ::close(s.fileFd);
    s.fileFd = -1;
    s.filePath.clear();
    if (path.empty()) return;
    const int fd = openLogFile(path);
    if (fd < 0)
        throw IoError("cannot open the log file '" + path + "' for appending (" + std::strerror(errno) +
                      "); check the directory exists and is writable");
    s.fileFd = fd;
    s.filePath = path;
}

void reopenFile() {
    State& s = state();
    std::string failure;
    {
        std::lock_guard<std::mutex> lock(s.mutex);
        if (s.fileFd < 0) return;
        const int fd = openLogFile(s.filePath);
        if (fd >= 0) {
            ::close(s.fileFd);
            s.fileFd = fd;
            return;
        }
        failure = "cannot reopen the log file '" + s.filePath + "' (" + std::strerror(errno) +
                  "); still writing to the file it had open";
    }
    write(Level::Error, failure);
}

bool progressLineAllowed() {
    State& s = state();
    std::lock_guard<std::mutex> lock(s.mutex);
    if (s.sink != nullptr || s.format == Format::Json) return false;
    return ::isatty(STDERR_FILENO) == 1 && !termIsDumb();
}

bool colourAllowed() {
    const char* noColour = std::getenv("NO_COLOR");
    if (noColour != nullptr && *noColour != '\0') return false;
    return ::isatty(STDERR_FILENO) == 1 && !termIsDumb();
}

bool enabled(Level level) {
    std::lock_guard<std::mutex> lock(state().mutex);
    return static_cast<int>(level) >= static_cast<int>(state().minimum);
}

void write(Level level, const std::string& message, const Fields& fields) {
    State& s = state();
    bool human = false, toFile = false, colour = false;
    {
        std::lock_guard<std::mutex> lock(s.mutex);
        if (static_cast<int>(level) < static_cast<int>(s.minimum)) return;
        human = s.format == Format::Human ||
                (s.format == Format::Auto && s.sink == nullptr && ::isatty(STDERR_FILENO) == 1);
        colour = human && s.sink == nullptr;
        toFile = s.fileFd >= 0;
    }
    colour = colour && colourAllowed();
    // Redact the finished line: secrets can hide in the message, a field, a URL or a body.
    // Done before taking the sink's lock, so threads logging at once redact in parallel.
    const std::string line =
        redact(human ? humanLine(level, message, fields, colour) : jsonLine(level, message, fields));
    const std::string fileLine = toFile ? (human ? redact(jsonLine(level, message, fields)) : line) : std::string();
    std::lock_guard<std::mutex> lock(s.mutex);
    std::ostream& out = s.sink ? *s.sink : std::cerr;
    out << line << '\n';
    out.flush();
    if (toFile && s.fileFd >= 0) writeLine(s.fileFd, fileLine + '\n');
}

LogContext::LogContext(std::string runId, std::string connection)
    : previousRun_(tlsRun), previousConnection_(tlsConnection) {
    if (!runId.empty()) tlsRun = std::move(runId);
    if (!connection.empty()) tlsConnection = std::move(connection);
}

LogContext::~LogContext() {
    tlsRun = previousRun_;
    tlsConnection = previousConnection_;
}

}  // namespace ledgerbridge::log
