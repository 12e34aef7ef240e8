// Runs asked for at one replica that another must do. A webhook can arrive at any `serve`
// replica, but only the replica holding a connection's run lease may run it. A replica that is
// asked for a run (a webhook) and finds the lease held elsewhere records the request here
// instead of dropping it; every replica's scheduler asks, once per poll and in one query for all
// connections, which requests it may act on now — those whose lease it holds (its run then
// follows up) or that nobody holds (it takes the lease and runs) — and the replica that starts
// the run clears the request first, so a request recorded after that start survives for the next
// run. One row per connection: requests coalesce.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ledgerbridge/store/StateStore.h"

namespace ledgerbridge::store {

struct RunRequest {
    std::string connection;
    std::string reason;
    std::int64_t requestedAt = 0;  ///< ms since epoch
};

class RunRequests {
public:
    explicit RunRequests(StateStore& store) : store_(store) {}

    /// Records that `connection` should run; `lease` names the lease whose holder runs it. An
    /// earlier request still waiting is kept (with its time and reason).
    void record(const std::string& connection, const std::string& lease, const std::string& reason);
    /// Requests that `holder` may act on now: their lease is held by `holder`, expired, or never
    /// taken. Oldest first. One query, whatever the number of connections.
    std::vector<RunRequest> actionable(const std::string& holder);
    /// Forgets `connection`'s request: call once the run that serves it holds the lease and has
    /// not yet listed Pleo's jobs.
    void clear(const std::string& connection);

private:
    StateStore& store_;
};

}  // namespace ledgerbridge::store
