// ISO 4217 exponents: see Currency.h. Only the exceptions to "2 digits" are listed.
#include "ledgerbridge/export/Currency.h"

#include <set>

namespace ledgerbridge::exporter {

int currencyExponent(const std::string& c) {
    static const std::set<std::string> zero = {"BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG",
                                               "RWF", "UGX", "UYI", "VND", "VUV", "XAF", "XOF", "XPF"};
    static const std::set<std::string> three = {"BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"};
    static const std::set<std::string> four = {"CLF", "UYW"};
    if (zero.count(c)) return 0;
    if (three.count(c)) return 3;
    if (four.count(c)) return 4;
    return 2;
}

bool isCurrencyCode(const std::string& c) {
    if (c.size() != 3) return false;
    for (char ch : c)
        if (ch < 'A' || ch > 'Z') return false;
    return true;
}

}  // namespace ledgerbridge::exporter
