// The simulator's own tiny PKI: a CA created on first start in the TLS folder (and reused
// later, so clients can keep trusting the same ca.pem), and a server certificate signed by it
// naming localhost, 127.0.0.1 and every --hostname. Certificate verification stays on in every
// client: tests trust ca.pem explicitly instead of turning checks off.
#pragma once

#include <string>
#include <vector>

namespace lbsim {

struct TlsFiles {
    std::string dir;
    std::string caCert;      // ca.pem: give this to clients as their CA file
    std::string serverCert;  // server certificate (PEM), signed by the CA
    std::string serverKey;   // its private key (PEM)
};

/// Creates the folder, the CA when missing, and a fresh server certificate for `hostnames`.
/// Safe when several simulators start at once on the same folder (an exclusive file lock).
/// Throws std::runtime_error naming the file that could not be written.
TlsFiles prepareTls(const std::string& dir, const std::vector<std::string>& hostnames);

/// The default TLS folder: $TMPDIR (or /tmp) + /ledgerbridge-sim-tls.
std::string defaultTlsDir();

}  // namespace lbsim
