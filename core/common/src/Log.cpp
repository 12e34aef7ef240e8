// The host log sink: see Log.h. One mutex serialises lines so that threads never interleave.
#include "ledgerbridge/common/Log.h"

#include <Poco/DateTime.h>
#include <Poco/DateTimeFormat.h>
#include <Poco/DateTimeFormatter.h>
#include <Poco/JSON/Object.h>
#include <Poco/Timestamp.h>
#include <unistd.h>

#include <fstream>
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
    std::ofstream file;
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

std::string jsonLine(Level level, const std::string& message, const Fields& fields) {
    Poco::JSON::Object obj(Poco::JSON_PRESERVE_KEY_ORDER);
    obj.set("ts", Poco::DateTimeFormatter::format(Poco::Timestamp(), "%Y-%m-%dT%H:%M:%S.%iZ"));
    obj.set("level", levelName(level));
    if (!tlsRun.empty()) obj.set("run", tlsRun);
    if (!tlsConnection.empty()) obj.set("connection", tlsConnection);
    obj.set("msg", message);
    for (const auto& [k, v] : fields) obj.set(k, v);
    std::ostringstream out;
    obj.stringify(out);
    return out.str();
}

std::string humanLine(Level level, const std::string& message, const Fields& fields) {
    std::ostringstream out;
    out << Poco::DateTimeFormatter::format(Poco::Timestamp(), "%H:%M:%S") << ' ';
    switch (level) {
        case Level::Debug: out << "debug "; break;
        case Level::Info: out << "      "; break;
        case Level::Warn: out << "WARN  "; break;
        case Level::Error: out << "ERROR "; break;
    }
    if (!tlsConnection.empty()) out << '[' << tlsConnection << "] ";
    out << message;
    for (const auto& [k, v] : fields) out << "  " << k << '=' << v;
    if (!tlsRun.empty()) out << "  run=" << tlsRun;
    return out.str();
}

}  // namespace

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
    std::lock_guard<std::mutex> lock(state().mutex);
    if (state().file.is_open()) state().file.close();
    if (path.empty()) return;
    state().file.open(path, std::ios::app);
    if (!state().file) throw IoError("cannot open the log file '" + path + "' for appending; check the directory exists and is writable");
}

bool enabled(Level level) {
    std::lock_guard<std::mutex> lock(state().mutex);
    return static_cast<int>(level) >= static_cast<int>(state().minimum);
}

void write(Level level, const std::string& message, const Fields& fields) {
    State& s = state();
    bool human = false, toFile = false;
    {
        std::lock_guard<std::mutex> lock(s.mutex);
        if (static_cast<int>(level) < static_cast<int>(s.minimum)) return;
        human = s.format == Format::Human ||
                (s.format == Format::Auto && s.sink == nullptr && ::isatty(STDERR_FILENO) == 1);
        toFile = s.file.is_open();
    }
    // Redact the finished line: secrets can hide in the message, a field, a URL or a body.
    // Done before taking the sink's lock, so threads logging at once redact in parallel.
    const std::string line = redact(human ? humanLine(level, message, fields) : jsonLine(level, message, fields));
    const std::string fileLine = toFile ? (human ? redact(jsonLine(level, message, fields)) : line) : std::string();
    std::lock_guard<std::mutex> lock(s.mutex);
    std::ostream& out = s.sink ? *s.sink : std::cerr;
    out << line << '\n';
    out.flush();
    if (toFile && s.file.is_open()) {
        s.file << fileLine << '\n';
        s.file.flush();
    }
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
