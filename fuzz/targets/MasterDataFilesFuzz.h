// What the three master-data fuzz targets check: a parser of an exported master-data file
// (SIE, CSV, DATEV) may refuse bytes only with sdk::Error LB_ERR_TARGET naming the file and a
// line ("<file>:<line>: …"), and every record it returns has an id and a name (the ABI's
// contract) — never a crash, hang or another exception.
#pragma once

#include <map>
#include <string>

#include "FuzzSupport.h"
#include "ledgerbridge/master_data_files.hpp"

namespace ledgerbridge::fuzz {

template <typename Parse>
void checkMasterDataParser(const std::string& file, Parse&& parse) {
    try {
        const sdk::MasterRecordsByKind records = parse();
        for (const auto& [kind, list] : records)
            for (const sdk::MasterRecord& r : list)
                if (r.id.empty() || r.name.empty() || r.kind != kind)
                    unexpectedException(("a " + sdk::masterKindName(kind) + " record without id or name, or of another kind").c_str());
    } catch (const sdk::Error& e) {
        if (e.status() != LB_ERR_TARGET || std::string(e.what()).rfind(file + ":", 0) != 0)
            unexpectedException(e.what());
    }
}

}  // namespace ledgerbridge::fuzz
