// `ledgerbridge version`: this build's version and the versions of what it was built with.
#include <Poco/Version.h>
#include <sqlite3.h>

#include <ostream>

#include "ledgerbridge/cli/Commands.h"
#include "ledgerbridge/store/Migrations.h"

#ifndef LEDGERBRIDGE_VERSION
#define LEDGERBRIDGE_VERSION "0.0.0-dev"
#endif

namespace ledgerbridge::cli {

Command makeVersionCommand() {
    return Command{"version", "print version information", "ledgerbridge version", "", {}, {},
                   [](Invocation& inv) {
                       unsigned poco = POCO_VERSION;
                       inv.out() << "ledgerbridge " << LEDGERBRIDGE_VERSION << "\n"
                                 << "  state schema  " << store::latestSchemaVersion() << "\n"
                                 << "  Poco          " << (poco >> 24) << '.' << ((poco >> 16) & 0xff) << '.'
                                 << ((poco >> 8) & 0xff) << "\n"
                                 << "  SQLite        " << sqlite3_libversion() << "\n";
                       return 0;
                   }};
}

}  // namespace ledgerbridge::cli
