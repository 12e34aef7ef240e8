// The host's exception hierarchy: one root, a split between caller/config mistakes and
// failures of the environment (network, disk, remote services), nested causes kept.
// Messages are sentences that say what is wrong, where, and what to do about it.
// These exceptions never cross into a plugin: the loader converts at the boundary.
#pragma once

#include <stdexcept>
#include <string>

#include "ledgerbridge/common/ExitCode.h"

namespace ledgerbridge {

/// Root of every exception the host throws on purpose.
class Exception : public std::runtime_error {
public:
    explicit Exception(const std::string& message) : std::runtime_error(message) {}
    /// The process exit code a command should end with when this escapes to the CLI.
    virtual ExitCode exitCode() const noexcept { return ExitCode::Failure; }
};

// ---- the caller's mistakes (fix the command line or the config) -------------------------

/// A command line that cannot be understood. Exit code 2.
class UsageError : public Exception {
public:
    using Exception::Exception;
    ExitCode exitCode() const noexcept override { return ExitCode::UsageOrConfig; }
};

/// A configuration that is malformed or refers to something missing. Exit code 2.
class ConfigError : public Exception {
public:
    using Exception::Exception;
    ExitCode exitCode() const noexcept override { return ExitCode::UsageOrConfig; }
};

/// State bound to one environment was about to be used with another (staging vs production).
class EnvironmentMismatchError : public Exception {
public:
    using Exception::Exception;
    ExitCode exitCode() const noexcept override { return ExitCode::EnvironmentMismatch; }
};

// ---- failures of the environment ---------------------------------------------------------

/// A file or directory could not be read or written.
class IoError : public Exception {
public:
    using Exception::Exception;
};

/// The state store (SQLite) failed or holds data this version cannot use.
class StoreError : public Exception {
public:
    using Exception::Exception;
};

/// A remote host could not be reached, or the connection broke or timed out.
class NetworkError : public Exception {
public:
    using Exception::Exception;
};

/// A remote service answered with a body that breaks its contract (truncated or hostile JSON,
/// missing required fields).
class ProtocolError : public Exception {
public:
    using Exception::Exception;
};

/// A remote service answered with an HTTP error status.
class HttpStatusError : public Exception {
public:
    HttpStatusError(const std::string& message, int status, std::string body = {})
        : Exception(message), status_(status), body_(std::move(body)) {}
    int status() const noexcept { return status_; }
    /// The (already redacted) response body, for diagnostics.
    const std::string& body() const noexcept { return body_; }

private:
    int status_;
    std::string body_;
};

/// The grant of a connection is no longer usable (invalid_grant, revoked): a person has to run
/// `ledgerbridge auth login` again. Never retried automatically.
class ReauthorizationRequired : public Exception {
public:
    using Exception::Exception;
    ExitCode exitCode() const noexcept override { return ExitCode::NeedsReauthorization; }
};

/// An OAuth or API credential was refused for a reason a person must fix (wrong client secret,
/// wrong redirect URI, missing scope).
class AuthError : public Exception {
public:
    using Exception::Exception;
    ExitCode exitCode() const noexcept override { return ExitCode::NeedsReauthorization; }
};

/// A plugin could not be loaded, refused a call, or misbehaved. The message names the plugin.
class PluginError : public Exception {
public:
    using Exception::Exception;
    ExitCode exitCode() const noexcept override { return ExitCode::PluginFailure; }
};

/// The plugin's own process ended during a call — a crash, the call deadline, a protocol
/// violation, an outside kill — or was ended earlier (loader::ProcessSession). A run that a job
/// stopped on this ends with outcome plugin_failure (exit code 5), not as a target failure.
class PluginProcessError : public PluginError {
public:
    using PluginError::PluginError;
};

/// Another process holds the lock this work needs (a run of the same connection, a refresh).
class LockBusyError : public Exception {
public:
    using Exception::Exception;
    ExitCode exitCode() const noexcept override { return ExitCode::Busy; }
};

/// The work was stopped on request (a signal) before it finished; re-running is safe.
class InterruptedError : public Exception {
public:
    using Exception::Exception;
    ExitCode exitCode() const noexcept override { return ExitCode::Interrupted; }
};

/// Renders an exception and every nested cause as "outer: inner: innermost".
std::string describe(const std::exception& e);

}  // namespace ledgerbridge
