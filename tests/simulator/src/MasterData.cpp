// Master-data records and their validation rules.
#include "MasterData.h"

#include "Ids.h"

namespace lbsim {

std::string MasterData::tagGroupIdOf(int company, const std::string& groupCode) const {
    std::uint64_t h = hashString("tag-group:" + std::to_string(company) + ":" + groupCode);
    return uuidFrom(h, mix64(h));
}

}  // namespace lbsim
