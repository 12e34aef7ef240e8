// ledgerbridge-sim entry point: parse flags, prepare TLS, start serving, print the base URL as
// the first stdout line (tests and scripts read it), then wait for SIGTERM/SIGINT.
#include <Poco/Net/SSLManager.h>
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <memory>

#include "Options.h"
#include "Server.h"
#include "State.h"
#include "Tls.h"

int main(int argc, char** argv) {
    // Block the stop signals before any thread starts, then wait for them synchronously.
    sigset_t stopSignals;
    sigemptyset(&stopSignals);
    sigaddset(&stopSignals, SIGTERM);
    sigaddset(&stopSignals, SIGINT);
    pthread_sigmask(SIG_BLOCK, &stopSignals, nullptr);
    signal(SIGPIPE, SIG_IGN);

    lbsim::Options options;
    try {
        bool help = false;
        options = lbsim::parseOptions(argc, argv, help);
        if (help) {
            std::cout << lbsim::helpText();
            return 0;
        }
    } catch (const std::exception& e) {
        std::cerr << "ledgerbridge-sim: " << e.what() << '\n';
        return 2;
    }
    try {
        Poco::Net::initializeSSL();
        std::unique_ptr<lbsim::TlsFiles> tls;
        if (!options.plainHttp) {
            tls = std::make_unique<lbsim::TlsFiles>(
                lbsim::prepareTls(options.tlsDir.empty() ? lbsim::defaultTlsDir() : options.tlsDir, options.hostnames));
        }
        int sig = 0;
        {
            lbsim::SimState state(options);
            lbsim::registerDemoClient(state);
            lbsim::Server server(state, tls.get());
            std::cout << server.baseUrl() << '\n';
            if (tls) std::cout << "tls-dir: " << tls->dir << "\nca-file: " << tls->caCert << '\n';
            std::cout << "admin: " << server.baseUrl() << "/admin/\n"
                      << "companies: " << options.companies << ", items per company: " << options.items << '\n'
                      << std::flush;
            sigwait(&stopSignals, &sig);
        }
        if (tls) {
            ::unlink(tls->serverCert.c_str());
            ::unlink(tls->serverKey.c_str());
        }
        Poco::Net::uninitializeSSL();
        if (!options.quiet) std::cerr << "ledgerbridge-sim: stopped by signal " << sig << '\n';
        return 0;
    } catch (const Poco::Exception& e) {
        std::cerr << "ledgerbridge-sim: " << e.displayText() << '\n';
        return 1;
    } catch (const std::exception& e) {
        std::cerr << "ledgerbridge-sim: " << e.what() << '\n';
        return 1;
    }
}
