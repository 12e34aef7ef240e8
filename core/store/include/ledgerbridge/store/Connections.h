// Which environments a connection has been used in. A connection's state lives under its
// environment fingerprint; this table lets the host explain a mismatch ("this connection's
// grant belongs to staging, the config now selects production") instead of silently starting
// from nothing.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ledgerbridge/store/StateStore.h"

namespace ledgerbridge::store {

struct ConnectionBinding {
    std::string name;
    std::string fingerprint;
    std::string environment;
    std::string describedAs;  ///< the fingerprint's parts in clear
    std::string companyId;
    std::string plugin;
    std::int64_t createdAt = 0;
};

class Connections {
public:
    explicit Connections(StateStore& store) : store_(store) {}

    /// Records that `binding.name` is used under `binding.fingerprint` (no-op when known).
    void bind(const ConnectionBinding& binding);
    /// Every fingerprint the connection was used under, oldest first.
    std::vector<ConnectionBinding> bindings(const std::string& name);
    /// `pleoFingerprint` and every fingerprint the connection was bound under in that same Pleo
    /// environment and company — its target fingerprints (the binding's description extends
    /// `pleoDescription` with the target identity). Never another environment's.
    std::vector<std::string> fingerprintsWithin(const std::string& name, const std::string& pleoFingerprint,
                                                const std::string& pleoDescription);
    /// Forgets every binding and grant of the connection under `fingerprint`.
    void forget(const std::string& name, const std::string& fingerprint);

private:
    StateStore& store_;
};

}  // namespace ledgerbridge::store
