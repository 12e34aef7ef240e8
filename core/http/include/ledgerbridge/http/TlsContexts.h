// TLS client contexts, one per CA set, created once per process and shared by every transport.
// Building a Poco::Net::Context parses the system CA bundle (and the profile's ca_file): it was
// 88.5% of an idle service's CPU when each run built three. A client context holds no
// per-connection state and OpenSSL's SSL_CTX is safe to share between threads once built, so
// one per distinct ca_file (an environment, or a target system with its own CA) is enough.
// Verification is exactly what the transport always required: certificate chain to a trusted
// CA, host name checked, TLS 1.2 or newer, strong ciphers only.
#pragma once

#include <Poco/Net/Context.h>

#include <cstddef>
#include <string>

namespace ledgerbridge::http {

/// The shared client context for `caFile` (system CAs plus that PEM file; "" = system CAs only).
/// Thread-safe; built on first use. Throws ConfigError naming `who` (an environment or target)
/// and the file when the CA file cannot be loaded; a failed build is not cached.
Poco::Net::Context::Ptr sharedClientContext(const std::string& caFile, const std::string& who);

/// How many contexts this process has built so far (tests and benchmarks).
std::size_t tlsContextsBuilt();

}  // namespace ledgerbridge::http
