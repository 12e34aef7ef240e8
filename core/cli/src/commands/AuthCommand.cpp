// `ledgerbridge auth`: placeholder until the OAuth issue lands.
#include <ostream>

#include "ledgerbridge/cli/Commands.h"
#include "ledgerbridge/common/ExitCode.h"

namespace ledgerbridge::cli {

Command makeAuthCommand() {
    return Command{"auth", "log in to Pleo, show or forget a connection's grant (not yet available)", "ledgerbridge auth", "", {}, {},
                   [](Invocation& inv) {
                       inv.err() << "ledgerbridge: 'auth' is not yet available in this build\n";
                       return toInt(ExitCode::Failure);
                   }};
}

}  // namespace ledgerbridge::cli
