// describe(): flattens an exception and its nested causes into one readable sentence chain.
#include "ledgerbridge/common/Exception.h"

#include "ledgerbridge/common/Redactor.h"

namespace ledgerbridge {
namespace {

void append(const std::exception& e, std::string& out) {
    if (!out.empty()) out += ": ";
    out += e.what();
    try {
        std::rethrow_if_nested(e);
    } catch (const std::exception& inner) {
        append(inner, out);
    } catch (...) {
        out += ": (unknown error)";
    }
}

}  // namespace

std::string describe(const std::exception& e) {
    std::string out;
    append(e, out);
    return redact(out);
}

}  // namespace ledgerbridge
