// The process-wide redaction registry. Every secret value the process learns (client secret,
// access and refresh tokens, API keys, ERP keys, webhook secrets) is registered here the moment
// it is read, and every log line, report and error message passes through redact() on its way
// out. Registered values are replaced by "***" in their raw, URL-encoded and JSON-escaped forms.
#pragma once

#include <string>
#include <string_view>

namespace ledgerbridge {

class Redactor {
public:
    /// The one registry of this process. Thread-safe.
    static Redactor& global();

    /// Remembers `secret` so it is never printed. Values shorter than 6 characters are refused
    /// with std::invalid_argument: they would blank out ordinary words, and no real credential
    /// is that short.
    void add(std::string_view secret);

    /// Returns `text` with every registered secret (and its encoded forms) replaced by "***".
    std::string redact(std::string_view text) const;

    /// Forgets every value (tests only).
    void clearForTesting();

    /// How many values are registered (raw forms only).
    std::size_t size() const;

private:
    Redactor() = default;
};

/// Shorthand for Redactor::global().redact(text).
std::string redact(std::string_view text);

}  // namespace ledgerbridge
