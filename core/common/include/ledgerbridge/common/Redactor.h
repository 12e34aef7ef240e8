// The process-wide redaction registry. Every secret value the process learns (client secret,
// access and refresh tokens, API keys, ERP keys, webhook secrets) is registered here the moment
// it is read, and every log line, report and error message passes through redact() on its way
// out. Registered values are replaced by "***" in their raw, URL-encoded and JSON-escaped forms.
//
// Cost (a service holds secrets for thousands of connections and rotates tokens all day):
// - redact() looks at each position of the text once: the 6 bytes there are looked up in an
//   index of every form's first 6 bytes (no secret is shorter), so a line costs the same with
//   ten secrets or a hundred thousand. Readers share the lock; only add/forget take it alone.
// - Tokens are registered with the time after which they can no longer appear (an access
//   token's expiry plus a margin; a refresh token a while after it was last read) and are
//   forgotten then, so the registry stays the size of what is live, not of everything ever seen.
//   Configuration secrets (client secrets, API keys, token key, webhook secrets) stay for the
//   life of the process. Registering a value again extends its life; permanent wins.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <string_view>

namespace ledgerbridge {

class Redactor {
public:
    using Clock = std::chrono::system_clock;

    /// The one registry of this process. Thread-safe.
    static Redactor& global();

    /// Remembers `secret` for the life of the process so it is never printed. Values shorter
    /// than 6 characters are refused with std::invalid_argument: they would blank out ordinary
    /// words, and no real credential is that short.
    void add(std::string_view secret);

    /// Remembers `secret` until `forgetAfter` (a value that cannot appear after then: an expired
    /// token). Same refusal as add().
    void addUntil(std::string_view secret, Clock::time_point forgetAfter);

    /// Returns `text` with every registered secret (and its encoded forms) replaced by "***".
    std::string redact(std::string_view text) const;

    /// Forgets every value (tests only).
    void clearForTesting();
    /// Replaces the clock that decides what has expired (tests only; {} = the system clock).
    void setClockForTesting(std::function<Clock::time_point()> now);

    /// The registry's clock (the system clock unless a test replaced it): expiry times given to
    /// addUntil() are measured against it.
    Clock::time_point now() const;

    /// How many values are registered now (raw forms only), expired ones not counted.
    std::size_t size() const;

private:
    Redactor() = default;
};

/// Shorthand for Redactor::global().redact(text).
std::string redact(std::string_view text);

/// How long after an access token's expiry it is still redacted (clock skew, late messages).
constexpr std::chrono::minutes kExpiredTokenMargin{15};
/// How long a token whose expiry is unknown (a refresh token, a token read back from the store)
/// is redacted after it was last registered; every read registers it again.
constexpr std::chrono::hours kTransientSecretLifetime{2};

}  // namespace ledgerbridge
