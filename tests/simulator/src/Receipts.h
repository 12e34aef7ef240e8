// Receipt files behind expiring, signed URLs, like the pre-signed storage links Pleo hands out:
// each URL carries its expiry (24 h of simulated time after the export item was fetched) and an
// HMAC, so nothing per URL is stored. Bytes are small but real PDF and PNG files.
#pragma once

#include <cstdint>
#include <string>

namespace lbsim {

class Receipts {
public:
    explicit Receipts(std::int64_t lifetimeSeconds = 24 * 3600);
    /// The file bytes of receipt `kind` ("pdf" or "png") of item (company, index).
    static std::string bytes(int company, std::uint64_t index, const std::string& kind);
    static std::string mimeType(const std::string& kind);
    /// A URL path with query (no scheme/host) valid until now + lifetime.
    std::string signedPath(int company, std::uint64_t index, const std::string& kind, std::int64_t now) const;
    /// Checks a fetched URL's signature and expiry. Returns "" when valid, else the reason.
    std::string verify(int company, std::uint64_t index, const std::string& kind, const std::string& expires,
                       const std::string& signature, std::int64_t now) const;

private:
    std::string sign(const std::string& what) const;
    std::string key_;
    std::int64_t lifetime_;
};

}  // namespace lbsim
