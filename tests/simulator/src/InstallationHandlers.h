// Pleo's Installations API (installations.yml): the calling client's own installation.
#pragma once

#include "Http.h"
#include "State.h"

namespace lbsim {

Reply getInstallation(SimState& s, const Request& req);
Reply createInstallation(SimState& s, const Request& req);
Reply updateInstallation(SimState& s, const Request& req);
/// Deletes the installation and revokes every grant (so every token) of the client for the company.
Reply deleteInstallation(SimState& s, const Request& req);
Reply activateInstallation(SimState& s, const Request& req);
/// PUT /v1/installations/completions (deprecated): activates, answers with a Deprecation header.
Reply completeInstallation(SimState& s, const Request& req);

}  // namespace lbsim
