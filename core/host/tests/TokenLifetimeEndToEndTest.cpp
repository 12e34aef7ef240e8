// A whole `ledgerbridge run` against a Pleo (the simulator) that issues 60-second access tokens:
// the run's many API calls must not each cost a token refresh (with a fixed 60-second refresh
// margin, every 60-second token was "about to expire" from the moment it was issued).
#include <gtest/gtest.h>

#include "EndToEndHarness.h"

using namespace ledgerbridge;
using namespace ledgerbridge::e2e;

TEST(TokenLifetimeEndToEnd, ARunOnSixtySecondTokensMakesManyApiCallsAndNoTokenRequest) {
    Installation inst({"--items", "1000", "--token-ttl", "60"});
    inst.createJob();
    const auto before = inst.routeCounts();
    auto r = inst.ledgerbridge({"run"});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    const auto after = inst.routeCounts();
    std::int64_t apiCalls = 0;
    for (const auto& [route, n] : after) {
        auto was = before.count(route) ? before.at(route) : 0;
        if (route.rfind("POST /oauth/", 0) != 0 && route.rfind("/admin", 0) == std::string::npos &&
            route.find(" /admin/") == std::string::npos)
            apiCalls += n - was;
    }
    const auto tokenRequests = after.count("POST /oauth/token") ? after.at("POST /oauth/token") : 0;
    const auto tokenRequestsBefore = before.count("POST /oauth/token") ? before.at("POST /oauth/token") : 0;
    EXPECT_GE(apiCalls, 20) << "the run made many API calls";
    EXPECT_EQ(tokenRequests - tokenRequestsBefore, 0)
        << "a run of " << apiCalls << " API calls, seconds after the login, needs no refresh of its 60-second token";
}
