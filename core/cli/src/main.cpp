// The `ledgerbridge` executable: hands the command line to the command tree.
#include <Poco/Net/SSLManager.h>

#include <iostream>

#include "ledgerbridge/cli/Commands.h"

int main(int argc, char** argv) {
    Poco::Net::initializeSSL();
    std::vector<std::string> args(argv + 1, argv + argc);
    int code = ledgerbridge::cli::runCli(args, std::cout, std::cerr);
    std::cout.flush();
    Poco::Net::uninitializeSSL();
    return code;
}
