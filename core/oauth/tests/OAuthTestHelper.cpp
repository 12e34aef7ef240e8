// oauth_test_helper: a small process the cross-process tests start twice at once. It loads the
// configuration and the grant, waits for a line on stdin (the test's starting gun, so both
// processes refresh at the same instant), refreshes single-flight from the generation it saw,
// then proves the token works with an API call. Prints "ok <generation>" and exits 0, or the
// error and its exit code.
//
//   oauth_test_helper CONFIG CONNECTION
#include <iostream>
#include <string>

#include "ledgerbridge/common/Exception.h"
#include "ledgerbridge/common/Log.h"
#include "ledgerbridge/config/Config.h"
#include "ledgerbridge/oauth/ConnectionAuth.h"
#include "ledgerbridge/store/StateStore.h"

using namespace ledgerbridge;

int main(int argc, char** argv) {
    if (argc != 3) {
        std::cerr << "usage: oauth_test_helper CONFIG CONNECTION\n";
        return 2;
    }
    try {
        config::Config cfg = config::loadConfigOrThrow(argv[1], {}, false);
        if (!cfg.logFile.empty()) log::setFile(cfg.logFile);
        store::StateStore store(cfg.stateDir);
        oauth::ConnectionAuth auth(cfg, argv[2], store);
        oauth::TokenManager& tokens = auth.tokens();
        std::int64_t seen = tokens.currentGeneration();
        std::cout << "ready " << seen << std::endl;
        std::string go;
        std::getline(std::cin, go);
        std::int64_t now = tokens.refresh(seen);
        http::HttpRequest req;
        req.url = cfg.activeProfile().apiUrl + "/v3/export-jobs?company_id=" + auth.connection().companyId;
        req.headers = {{"Authorization", tokens.authorizationHeader()}};
        http::HttpResponse r = auth.transport().send(req);
        if (r.status != 200) {
            std::cerr << "the API answered " << r.status << "\n";
            return 1;
        }
        std::cout << "ok " << now << std::endl;
        return 0;
    } catch (const Exception& e) {
        std::cerr << describe(e) << "\n";
        return toInt(e.exitCode());
    } catch (const std::exception& e) {
        std::cerr << e.what() << "\n";
        return 1;
    }
}
